"""Every environment variable the Django side reads, with its safe local default.

Settings read configuration only through :func:`env` so that this table stays the single,
complete list (the docker-compose test checks the compose file against it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class EnvVar:
    default: str
    help: str


ENV_VARS: dict[str, EnvVar] = {
    "DJANGO_SECRET_KEY": EnvVar(
        "insecure-local-development-key-change-me", "Django secret key (required in production)"
    ),
    "DJANGO_DEBUG": EnvVar("", "true or false; off by default, on in local settings"),
    "DJANGO_ALLOWED_HOSTS": EnvVar("localhost,127.0.0.1,[::1]", "Comma-separated host names"),
    "DJANGO_LOG_LEVEL": EnvVar("INFO", "Log level of the sociograph loggers"),
    "DATABASE_URL": EnvVar("", "SQL database URL; empty means SQLite in var/sociograph.sqlite3"),
    "NEO4J_URI": EnvVar("bolt://127.0.0.1:7687", "bolt:// (single server) or neo4j:// (routing)"),
    "NEO4J_USER": EnvVar("neo4j", "Neo4j user name"),
    "NEO4J_PASSWORD": EnvVar("sociograph-local", "Neo4j password"),
    "NEO4J_DATABASE": EnvVar("neo4j", "Neo4j database holding the projection"),
    "REDIS_URL": EnvVar("redis://127.0.0.1:6379/0", "Redis for the Celery broker and cache"),
    "CELERY_BROKER_URL": EnvVar("", "Celery broker; empty means REDIS_URL"),
    "CELERY_RESULT_BACKEND": EnvVar("", "Celery result backend; empty means REDIS_URL"),
    "SOCIOGRAPH_TIME_ZONE": EnvVar("UTC", "Time zone of schedules and reports"),
    "SOCIOGRAPH_VAR_DIR": EnvVar("", "Runtime state folder; empty means var/ in the checkout"),
    "SOCIOGRAPH_DEMO_PASSWORD": EnvVar("sociograph-demo", "Password of the demo admin (make demo)"),
    "SOCIOGRAPH_API_RATE": EnvVar("1200/min", "API requests per token (DRF rate: N/s|min|hour)"),
    "SOCIOGRAPH_API_BULK_RATE": EnvVar("120/min", "Bulk event requests per token"),
    "SOCIOGRAPH_API_MAX_BODY_BYTES": EnvVar(
        "20000000", "Largest API request body; larger bodies get 413"
    ),
    "SOCIOGRAPH_WEB_MAX_BODY_BYTES": EnvVar(
        "2621440", "Largest request body outside the API (the portal's import page: its own)"
    ),
    "SOCIOGRAPH_INTAKE_SLACK_CONTEXT_MAX_MEMBERS": EnvVar(
        "50", "A Slack channel of at most this many members becomes a context"
    ),
    "SOCIOGRAPH_INTAKE_KEEP_RECOGNITION_MESSAGES": EnvVar(
        "", "true to keep the message of recognitions imported from tools; off by default"
    ),
    "SOCIOGRAPH_INTAKE_MAIL_CC_WEIGHT": EnvVar(
        "0.5", "Weight of a Cc recipient in imported mail (a To recipient weighs 1); above 0"
    ),
    "SOCIOGRAPH_INTAKE_MAIL_LISTS": EnvVar(
        "", "Comma-separated distribution-list addresses or domains skipped in imported mail"
    ),
    "SOCIOGRAPH_WEBHOOK_ALLOW_HTTP": EnvVar(
        "", "true to allow http:// webhook URLs (receivers on premise); https only by default"
    ),
    "SOCIOGRAPH_WEBHOOK_ALLOWED_HOSTS": EnvVar(
        "", "Comma-separated webhook hosts or CIDR networks allowed although internal"
    ),
    "SOCIOGRAPH_EMAIL_BACKEND": EnvVar(
        "file", "Report e-mail: file (to var/mail), console, smtp, or a backend's dotted path"
    ),
    "SOCIOGRAPH_EMAIL_HOST": EnvVar("localhost", "SMTP server host (smtp backend)"),
    "SOCIOGRAPH_EMAIL_PORT": EnvVar("25", "SMTP server port"),
    "SOCIOGRAPH_EMAIL_USER": EnvVar("", "SMTP user name; empty means no login"),
    "SOCIOGRAPH_EMAIL_PASSWORD": EnvVar("", "SMTP password"),
    "SOCIOGRAPH_EMAIL_USE_TLS": EnvVar("", "true to use STARTTLS with the SMTP server"),
    "SOCIOGRAPH_EMAIL_FROM": EnvVar("sociograph@localhost", "Sender of the org-health reports"),
    "SOCIOGRAPH_CHROMIUM": EnvVar("chromium", "Chromium binary that prints the PDF reports"),
    "SOCIOGRAPH_SCIM_GROUP_CONTEXTS": EnvVar(
        "",
        "SCIM groups that are contexts, `Group name=kind:name` separated by `;` (docs/intake.md); "
        "other groups are never stored",
    ),
}


def env(name: str) -> str:
    """The value of a declared variable, or its default when unset or empty."""
    try:
        declared = ENV_VARS[name]
    except KeyError:
        raise KeyError(
            f"{name} is not declared in sociograph.settings.environment.ENV_VARS"
        ) from None
    return os.environ.get(name) or declared.default


def env_bool(name: str, default: bool) -> bool:
    value = env(name).strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name}={value!r} is not a boolean (use true or false)")


def env_list(name: str) -> list[str]:
    return [item.strip() for item in env(name).split(",") if item.strip()]


def env_mapping(name: str) -> dict[str, str]:
    """`key=value` items separated by `;` (keys and values trimmed); a ValueError naming the
    variable for an item without `=`."""
    mapping: dict[str, str] = {}
    for item in env(name).split(";"):
        if not item.strip():
            continue
        key, separator, value = item.partition("=")
        if not separator or not key.strip() or not value.strip():
            raise ValueError(f"{name}: {item.strip()!r} is not written key=value")
        mapping[key.strip()] = value.strip()
    return mapping
