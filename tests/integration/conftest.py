"""Fixtures shared by the integration tests."""

from pathlib import Path

import pytest
from django.test import Client

from sociograph.graph import relay
from tests.support.commands import run
from tests.support.users import client_of, user_with_role


@pytest.fixture
def admin_client(small_org: Path) -> Client:
    """A superuser's client, on the small organization imported and projected (instead of
    pytest-django's admin_client, for the integration tests only)."""
    run("import_org", str(small_org))
    relay.relay(wait_seconds=30)
    user = user_with_role(
        None, "hr", email="hr@example.org", password="pw-hr-admin-1", superuser=True
    )
    return client_of(user)
