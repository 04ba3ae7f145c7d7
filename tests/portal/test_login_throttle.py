"""Failed logins lock the account and the address (real Redis): on the portal and on the admin,
the sixth attempt is refused even with the right password; failures and locks are logged without
the password."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from sociograph.accounts.roles import Role
from tests.support.users import user_with_role

pytestmark = [pytest.mark.django_db]

PASSWORD = "the-right-password-42"
WRONG = "a-wrong-password-17"
LOGIN_PAGES = ["/portal/login/", "/admin/login/"]


@pytest.fixture
def hr() -> User:
    # An HR admin is staff: may log in to the admin too.
    return user_with_role(Role.HR_ADMIN, "hr", password=PASSWORD)


def attempt(
    client: Client, page: str, username: str, password: str, address: str = "10.0.0.1"
) -> Any:
    return client.post(page, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_five_failures_refuse_the_sixth_attempt_even_with_the_right_password(
    hr: User, page: str
) -> None:
    client = Client()
    for _ in range(5):
        assert attempt(client, page, "hr", WRONG).status_code == 200
    refused = attempt(client, page, "hr", PASSWORD)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 14 * 60
    assert "Too many failed logins" in refused.text
    assert "15 minutes" in refused.text
    assert not logged_in(client)


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_the_account_stays_locked_from_another_address(hr: User, page: str) -> None:
    client = Client()
    for _ in range(5):
        attempt(client, page, "hr", WRONG, address="10.0.0.1")
    assert attempt(Client(), page, "hr", PASSWORD, address="10.9.9.9").status_code == 429


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_an_address_that_tried_five_accounts_is_locked(hr: User, page: str) -> None:
    for number in range(5):
        attempt(Client(), page, f"guess-{number}", WRONG, address="10.0.0.66")
    assert attempt(Client(), page, "hr", PASSWORD, address="10.0.0.66").status_code == 429
    elsewhere = Client()
    assert attempt(elsewhere, page, "hr", PASSWORD, address="10.0.0.7").status_code == 302
    assert logged_in(elsewhere)


def test_a_successful_login_clears_the_accounts_failures(hr: User) -> None:
    page = reverse("portal:login")
    for _ in range(4):
        attempt(Client(), page, "hr", WRONG, address="10.0.0.1")
    assert attempt(Client(), page, "hr", PASSWORD, address="10.0.0.2").status_code == 302
    for _ in range(4):
        attempt(Client(), page, "hr", WRONG, address="10.0.0.3")
    assert attempt(Client(), page, "hr", PASSWORD, address="10.0.0.4").status_code == 302


def test_failures_and_locks_are_logged_without_the_password(
    hr: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sociograph.accounts")
    for _ in range(6):
        attempt(Client(), reverse("portal:login"), "hr", WRONG)
    messages = [record.getMessage() for record in caplog.records]
    assert sum("failed login for 'hr' from 10.0.0.1" in m for m in messages) == 5
    assert any("login locked for 900 s after 5 failures: account" in m for m in messages)
    assert any("login locked for 900 s after 5 failures: address" in m for m in messages)
    assert any("locked login refused for 'hr'" in m for m in messages)
    assert not any(WRONG in m for m in messages)
