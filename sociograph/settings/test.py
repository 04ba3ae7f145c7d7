"""Test settings: the same services as local, fast password hashing, no debug."""

from sociograph.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A file, not SQLite's in-memory default: the Celery worker started by the tests is another
# process and must see the same test database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-sociograph.sqlite3")}  # noqa: F405
