"""Settings shared by every environment. Configuration comes from environment variables only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from sociograph.settings.environment import env, env_bool, env_list, env_mapping

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env("SOCIOGRAPH_VAR_DIR") or BASE_DIR / "var")

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env_bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    # plumbing, then the domain, the features built on it, the interfaces and the developer tools
    # (docs/architecture.md)
    "sociograph.accounts",
    "sociograph.graph",
    "people",
    "recognition",
    "analytics",
    "reports",
    "webhooks",
    "intake",
    "outcomes",
    "web.api",
    "web.portal",
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "web.api.middleware.BodySizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "web.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "sociograph.urls"
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
WSGI_APPLICATION = "sociograph.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sociograph" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.portal.context_processors.portal",
            ],
        },
    },
]


# WAL lets the relay and readers work while an import writes; IMMEDIATE transactions take the
# write lock up front instead of failing with "database is locked" when a reader upgrades.
SQLITE_OPTIONS = {
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; "
        # 256 MiB of page cache: the uuid and event-key indexes take random inserts.
        "PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY; "
        # Deleted rows (an erased person's e-mail) are overwritten with zeros, not left behind.
        "PRAGMA secure_delete=ON;"
    ),
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
}


def database_from_url(url: str) -> dict[str, Any]:
    """DATABASE_URL, or SQLite under VAR_DIR when it is empty."""
    if not url:
        url = f"sqlite:///{VAR_DIR / 'sociograph.sqlite3'}"
    database: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    )
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["OPTIONS"] = {**SQLITE_OPTIONS, **database.get("OPTIONS", {})}
    return database


DATABASES = {"default": database_from_url(env("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("SOCIOGRAPH_TIME_ZONE")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"  # report files (HTML, PDF); served only by views that check roles
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Neo4j: the projection of the SQL source of truth (see sociograph.graph).
NEO4J = {
    "URI": env("NEO4J_URI"),
    "USER": env("NEO4J_USER"),
    "PASSWORD": env("NEO4J_PASSWORD"),
    "DATABASE": env("NEO4J_DATABASE"),
}

REDIS_URL = env("REDIS_URL")

# Celery (read by sociograph.celery with namespace "CELERY").
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or REDIS_URL
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "sociograph.graph.tasks.*": {"queue": "graph_sync"},
    "analytics.tasks.*": {"queue": "analytics"},
    "outcomes.tasks.run_backtest": {"queue": "analytics"},
    # Task names are pinned (name=) to the modules they were first written in: queued messages
    # and the beat rows stored in the database refer to them by these names.
    # Their own queue: a slow or unreachable receiver cannot hold up mining or the relay.
    "sociograph.api.tasks.*": {"queue": "webhooks"},
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_EXPIRES = 24 * 3600
# The schedule lives in the database (django-celery-beat), editable in the admin; entries of
# CELERY_BEAT_SCHEDULE are written into it when beat starts. The weekly mining run and report is a
# row created by a migration (reports), so an admin can change or disable it.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # The safety net of the outbox: whatever a lost nudge or a crash left behind is relayed.
    "graph-relay-sweep": {"task": "sociograph.graph.tasks.relay_outbox", "schedule": 30.0},
    # People whose left_on has come stop being active (hourly, so within an hour of midnight).
    "people-deactivate-departed": {"task": "people.deactivate_departed", "schedule": 3600.0},
    # Webhook deliveries left pending with no task on its way (the broker was down) are sent.
    "webhooks-sweep": {"task": "sociograph.api.tasks.sweep_deliveries", "schedule": 60.0},
}

# Ask a worker to relay right after each commit that wrote to the outbox.
SOCIOGRAPH_GRAPH_NUDGE = True
# How long a relay's lock outlives a relay that died without releasing it.
SOCIOGRAPH_RELAY_LEASE_SECONDS = 30
# How long the mining lock outlives a worker that died mid-run (a live run renews it every third
# of this); longer than any single computation that holds the GIL (e.g. exact betweenness).
SOCIOGRAPH_MINING_LEASE_SECONDS = 120
# Failures of an outbox entry's own (not Neo4j or Redis being down) before the relay sets it aside.
SOCIOGRAPH_RELAY_MAX_ATTEMPTS = 5

# Webhooks (webhooks.destinations, docs/api.md): receivers on https with public addresses
# only, unless http is allowed and internal receivers (host names, addresses or CIDR networks)
# are allow-listed.
SOCIOGRAPH_WEBHOOK_ALLOW_HTTP = env_bool("SOCIOGRAPH_WEBHOOK_ALLOW_HTTP", default=False)
SOCIOGRAPH_WEBHOOK_ALLOWED_HOSTS = env_list("SOCIOGRAPH_WEBHOOK_ALLOWED_HOSTS")
# Dotted path of a socket.getaddrinfo-like function resolving webhook hosts; empty: the system's.
SOCIOGRAPH_WEBHOOK_RESOLVER = ""
# A pending delivery whose task has not run this long after it was due is sent by the sweep.
SOCIOGRAPH_WEBHOOK_SWEEP_AFTER_SECONDS = 300

# Intake (docs/intake.md): a recognition's message is kept only when this is on; interactions
# never keep content, whatever the source.
# A Slack channel of at most this many members becomes a context (import_slack
# --context-max-members overrides it for one import).
SOCIOGRAPH_INTAKE_SLACK_CONTEXT_MAX_MEMBERS = int(
    env("SOCIOGRAPH_INTAKE_SLACK_CONTEXT_MAX_MEMBERS")
)
SOCIOGRAPH_INTAKE_KEEP_RECOGNITION_MESSAGES = env_bool(
    "SOCIOGRAPH_INTAKE_KEEP_RECOGNITION_MESSAGES", default=False
)
# Mail headers (import_mail): the weight of a Cc recipient (a To recipient weighs 1), and the
# distribution lists (addresses, or domains) that are skipped as recipients and senders.
SOCIOGRAPH_INTAKE_MAIL_CC_WEIGHT = float(env("SOCIOGRAPH_INTAKE_MAIL_CC_WEIGHT"))
SOCIOGRAPH_INTAKE_MAIL_LISTS = env_list("SOCIOGRAPH_INTAKE_MAIL_LISTS")

# Cache: API throttling counters, shared by every web process.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "sociograph",
    }
}

# Logins on the portal and the admin (sociograph.accounts.login_throttle): this many failures lock
# the account, or the client address, for lock_seconds. Behind a proxy that hides client
# addresses, raise address_failures (every client then shares the proxy's address).
SOCIOGRAPH_LOGIN_THROTTLE = {"account_failures": 5, "address_failures": 5, "lock_seconds": 15 * 60}

# Content-Security-Policy of every response (web.csp). Scripts only from our own
# static files; inline style stays allowed for the inline SVG charts and the reports' own <style>.
SOCIOGRAPH_CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# REST API v1 (web.api; docs/api.md).
# Days an API token stays valid unless `issue_token --days N` says otherwise.
SOCIOGRAPH_API_TOKEN_DAYS = 90
SOCIOGRAPH_API_MAX_BODY_BYTES = int(env("SOCIOGRAPH_API_MAX_BODY_BYTES"))
SOCIOGRAPH_API_MAX_BULK_EVENTS = 10_000
# SCIM 2.0 provisioning (web.scim; docs/intake.md): the identity provider's group names that are
# contexts -> their `kind:name` key. Groups not listed (access groups) are never stored.
SOCIOGRAPH_SCIM_GROUP_CONTEXTS = env_mapping("SOCIOGRAPH_SCIM_GROUP_CONTEXTS")
SOCIOGRAPH_SCIM_MAX_PAGE = 200
SOCIOGRAPH_API_RATES = {
    "api": env("SOCIOGRAPH_API_RATE"),
    "bulk": env("SOCIOGRAPH_API_BULK_RATE"),
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sociograph.accounts.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["web.api.permissions.RolePolicy"],
    "DEFAULT_THROTTLE_CLASSES": ["web.api.throttling.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "web.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["web.api.parsers.DepthLimitedJSONParser"],
    "EXCEPTION_HANDLER": "web.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sociograph API",
    "DESCRIPTION": (
        "People, contexts and the recognition graph in; leadership, communication health and "
        "contagion findings out. Roles: hr_admin, manager, employee, integration (docs/api.md). "
        "Aggregates the release rule withholds (groups under 5 people, or 1-4 people apart from "
        "another released group) are withheld for everyone but HR admins."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Two choice sets of fields named `kind` (contexts, outcomes): each named here.
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "people.models.ContextKind",
        "OutcomeKindEnum": "outcomes.models.OutcomeKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        name: {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL"), "propagate": False}
        for name in ("sociograph", "people", "recognition", "analytics")
    },
}

# The HR portal imports a CSV inside the web request (gunicorn's 30 s timeout): about 50,000
# event rows at most; bigger files go through the management commands or the bulk API.
SOCIOGRAPH_PORTAL_IMPORT_MAX_BYTES = 5_000_000

# Request bodies (web.api.middleware answers 413 before anything parses a bigger one):
# pages and forms outside the API; the portal's import page (twice its file limit, so that the
# form itself explains a file a little over it); the API above.
SOCIOGRAPH_WEB_MAX_BODY_BYTES = int(env("SOCIOGRAPH_WEB_MAX_BODY_BYTES"))
SOCIOGRAPH_PORTAL_IMPORT_MAX_BODY_BYTES = 2 * SOCIOGRAPH_PORTAL_IMPORT_MAX_BYTES
# Django's own caps, behind the middleware: form fields and JSON bodies held in memory (the
# API's bulk bodies are the largest), and uploaded files above this size go to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(SOCIOGRAPH_API_MAX_BODY_BYTES, SOCIOGRAPH_WEB_MAX_BODY_BYTES)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Org-health reports (reports; docs/reports.md).
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
EMAIL_BACKEND = _EMAIL_BACKENDS.get(
    env("SOCIOGRAPH_EMAIL_BACKEND"), env("SOCIOGRAPH_EMAIL_BACKEND")
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env("SOCIOGRAPH_EMAIL_HOST")
EMAIL_PORT = int(env("SOCIOGRAPH_EMAIL_PORT"))
EMAIL_HOST_USER = env("SOCIOGRAPH_EMAIL_USER")
EMAIL_HOST_PASSWORD = env("SOCIOGRAPH_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("SOCIOGRAPH_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("SOCIOGRAPH_EMAIL_FROM")
SOCIOGRAPH_CHROMIUM = env("SOCIOGRAPH_CHROMIUM")
# Seconds Chromium may take to print one report to PDF.
SOCIOGRAPH_PDF_TIMEOUT_SECONDS = 120
# The weekly schedule created on first migration (cron fields, in TIME_ZONE): Monday 06:00.
SOCIOGRAPH_REPORT_CRON = {"minute": "0", "hour": "6", "day_of_week": "1"}
