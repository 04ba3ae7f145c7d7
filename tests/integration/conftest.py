"""Fixtures shared by the integration tests."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from sociograph.graph import relay
from tests.integration.test_import_and_projection import run


@pytest.fixture
def admin_client(small_org: Path) -> Client:
    """A superuser's client, on the small organization imported and projected."""
    run("import_org", str(small_org))
    relay.relay(wait_seconds=30)
    user = get_user_model().objects.create_superuser("hr", "hr@example.org", "pw-hr-admin-1")
    client = Client()
    client.force_login(user)
    return client
