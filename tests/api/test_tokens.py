"""API tokens: stored as a digest only, shown once, expiring, revocable (command and admin)."""

from __future__ import annotations

import importlib
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from sociograph.accounts.models import ApiToken
from tests.support.api import issue_token
from tests.support.users import user_with_role

pytestmark = [pytest.mark.django_db]


def api(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def every_stored_value() -> str:
    """Every row of every table, as text: what someone holding a copy of the database reads."""
    text: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            text.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(text)


def test_the_token_is_not_in_the_database_in_clear() -> None:
    token = issue_token("crm-sync", "integration")
    assert api(token).get("/api/v1/me/").status_code == 200
    assert token not in every_stored_value()
    stored = ApiToken.objects.get(user__username="crm-sync")
    assert token.startswith(stored.prefix)
    assert stored.digest != token


def test_a_token_expires_after_its_days_and_then_gets_401() -> None:
    token = issue_token("crm-sync", "integration")
    stored = ApiToken.objects.get(user__username="crm-sync")
    default_days = (stored.expires_at - stored.created_at).days
    assert default_days == 90
    ApiToken.objects.filter(pk=stored.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api(token).get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_issue_token_days_sets_the_expiry() -> None:
    out = io.StringIO()
    call_command("issue_token", "crm-sync", "--role", "integration", "--days", "7", stdout=out)
    stored = ApiToken.objects.get(user__username="crm-sync")
    assert (stored.expires_at - stored.created_at).days == 7
    assert stored.prefix in out.getvalue()
    assert f"expires {stored.expires_at:%Y-%m-%d}" in out.getvalue()


def test_a_revoked_token_gets_401() -> None:
    token = issue_token("crm-sync", "integration")
    out = io.StringIO()
    call_command("revoke_token", "crm-sync", stdout=out)
    assert "1 token(s) revoked" in out.getvalue()
    assert api(token).get("/api/v1/me/").status_code == 401


def test_a_new_token_revokes_the_previous_one() -> None:
    first = issue_token("crm-sync", "integration")
    second = issue_token("crm-sync", "integration")
    assert api(first).get("/api/v1/me/").status_code == 401
    assert api(second).get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize("forged", ["", "x", "a" * 12, "a" * 200, "é" * 20])
def test_a_forged_token_gets_401(forged: str) -> None:
    token = issue_token("crm-sync", "integration")
    # Same prefix, wrong rest; or no such prefix at all.
    for attempt in (token[:12] + "A" * (len(token) - 12), forged):
        if attempt:
            assert api(attempt).get("/api/v1/me/").status_code == 401


def test_the_admin_lists_and_revokes_tokens_without_showing_them() -> None:
    token = issue_token("crm-sync", "integration")
    stored = ApiToken.objects.get(user__username="crm-sync")
    admin = user_with_role(None, "root", password="root-password", superuser=True)
    client = Client()
    client.force_login(admin)
    listing = client.get(reverse("admin:accounts_apitoken_changelist"))
    assert listing.status_code == 200
    assert stored.prefix in listing.text
    assert token not in listing.text
    detail = client.get(reverse("admin:accounts_apitoken_change", args=[stored.pk]))
    assert token not in detail.text
    assert stored.digest not in detail.text
    client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [stored.pk]},
    )
    assert api(token).get("/api/v1/me/").status_code == 401


def test_existing_plaintext_tokens_are_hashed_and_their_table_dropped() -> None:
    migration = importlib.import_module("sociograph.accounts.migrations.0002_hash_authtoken_tokens")
    user = User.objects.create_user("legacy")
    legacy = "0123456789abcdef0123456789abcdef01234567"  # a DRF authtoken key: 40 hex characters
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, "
            "user_id integer)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)", [legacy, timezone.now(), user.pk]
        )
        editor = SimpleNamespace(connection=connection, execute=cursor.execute)
        migration.hash_plaintext_tokens(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    assert legacy not in every_stored_value()
    assert api(legacy).get("/api/v1/me/").status_code != 401  # authenticated (no role: 403)
    assert ApiToken.objects.get(user=user).expires_at > timezone.now() + timedelta(days=89)
