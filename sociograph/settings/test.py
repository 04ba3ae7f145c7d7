"""Test settings: the same services as local, fast password hashing, no debug."""

from sociograph.settings.base import *  # noqa: F403
from sociograph.settings.base import DATABASES, STORAGES, VAR_DIR

DEBUG = False
SOCIOGRAPH_RELAY_LEASE_SECONDS = 10  # the worker-kill test waits for a dead relay's lease
SOCIOGRAPH_MINING_LEASE_SECONDS = 6  # the mining worker-kill tests wait for a dead run's lease
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests do not run collectstatic: WhiteNoise serves static files straight from the apps.
STATIC_ROOT = None  # type: ignore[assignment]  # None tells WhiteNoise not to scan a folder
WHITENOISE_USE_FINDERS = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A file, not SQLite's in-memory default: the Celery worker started by the tests is another
# process and must see the same test database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-sociograph.sqlite3")}

# Report files written by tests stay apart from the demo's.
MEDIA_ROOT = VAR_DIR / "test-media"

# Webhooks: the tests' receivers listen on 127.0.0.1, reached over http by a name of the tests'
# stub DNS that only these settings allow-list; every other internal address stays refused, as
# in production (https only, no allow-list: sociograph.settings.base).
SOCIOGRAPH_WEBHOOK_ALLOW_HTTP = True
SOCIOGRAPH_WEBHOOK_ALLOWED_HOSTS = ["receiver.sociograph.test"]
SOCIOGRAPH_WEBHOOK_RESOLVER = "tests.support.webhook_dns.resolve"
