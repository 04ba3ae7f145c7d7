"""Which DJANGO_SECRET_KEY production refuses: a published one, or one too weak to sign with."""

from __future__ import annotations

from sociograph.settings.environment import ENV_VARS

MIN_LENGTH = 50
MIN_DISTINCT_CHARACTERS = 5
# Every key this repository has ever shipped: the local default, the old docker-compose.yml
# default and the Dockerfile's old build-time key. Anyone can read them, so none may sign.
KNOWN_KEYS = frozenset(
    {
        ENV_VARS["DJANGO_SECRET_KEY"].default,
        "compose-local-insecure-secret-key-change-me",
        "collectstatic-at-build-time-only",
    }
)


def secret_key_problem(key: str) -> str | None:
    """Why `key` must not sign production sessions and tokens, or None when it may."""
    if key in KNOWN_KEYS:
        return "is a published default; set a secret one"
    if len(key) < MIN_LENGTH:
        return f"is shorter than {MIN_LENGTH} characters"
    if len(set(key)) < MIN_DISTINCT_CHARACTERS or key.startswith("django-insecure-"):
        return "is not random enough"
    return None
