"""Production settings: no known or weak secret key, HTTPS only, `check --deploy` clean, and a
Content-Security-Policy that allows scripts from our own static files only."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from sociograph.settings.environment import ENV_VARS
from sociograph.settings.secret_key import secret_key_problem

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_DEFAULT_KEY = "compose-local-insecure-secret-key-change-me"


def production(*args: str, key: str | None, **env: str) -> subprocess.CompletedProcess[str]:
    """`python *args` under production settings with DJANGO_SECRET_KEY=key (unset when None)."""
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "sociograph.settings.production", **env}
    environ.pop("DJANGO_SECRET_KEY", None)
    if key is not None:
        environ["DJANGO_SECRET_KEY"] = key
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environ, capture_output=True, text=True, check=False
    )


def generated_key() -> str:
    return secrets.token_urlsafe(64)


@pytest.mark.parametrize(
    "key",
    [
        ENV_VARS["DJANGO_SECRET_KEY"].default,
        COMPOSE_DEFAULT_KEY,
        "collectstatic-at-build-time-only",
        "x" * 49,
        "ab" * 40,
        "django-insecure-" + secrets.token_urlsafe(50),
    ],
)
def test_known_short_or_weak_keys_are_refused(key: str) -> None:
    assert secret_key_problem(key)


def test_a_generated_key_is_accepted() -> None:
    assert secret_key_problem(generated_key()) is None


@pytest.mark.parametrize("key", [None, COMPOSE_DEFAULT_KEY, "short-but-not-a-default"])
def test_production_refuses_to_start_with_a_known_or_short_key(key: str | None) -> None:
    result = production("manage.py", "check", key=key)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY" in result.stderr


def test_check_deploy_under_production_settings_prints_no_warning() -> None:
    result = production(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        key=generated_key(),
        DJANGO_ALLOWED_HOSTS="sociograph.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


# Under production settings: the answers to plain HTTP, HTTPS through the proxy, and /health/.
HTTPS_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.urls import resolve
plain = Client().get("/portal/login/")
proxied = Client().get("/portal/login/", headers={"X-Forwarded-Proto": "https"})
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "https": [proxied.status_code, proxied.get("Strict-Transport-Security", "")],
    "cookies": {name: bool(c["secure"]) for name, c in proxied.cookies.items()},
    "health_exempt": settings.SECURE_REDIRECT_EXEMPT,
}))
"""


def test_production_redirects_to_https_and_sends_hsts_behind_the_proxy() -> None:
    result = production("-c", HTTPS_PROBE, key=generated_key(), DJANGO_ALLOWED_HOSTS="testserver")
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers["plain"] == [301, "https://testserver/portal/login/"]
    status, hsts = answers["https"]
    assert status == 200
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    assert answers["cookies"] == {"csrftoken": True}
    assert any(re.match(pattern, "health/") for pattern in answers["health_exempt"])


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_scripts() -> None:
    policy = Client().get("/portal/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    docs = Client().get("/api/v1/docs/")
    assert docs.status_code == 200
    assert "Content-Security-Policy" in docs


def test_no_template_has_an_inline_script() -> None:
    """script-src 'self' blocks inline <script> blocks and on* handlers: keep scripts in files."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=", re.IGNORECASE)
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and inline.search(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders
