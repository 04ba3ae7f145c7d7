"""Outcome test fixtures: the pulse organization, and API clients per role."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
from rest_framework.test import APIClient

from tests.support.api import UNTHROTTLED, issue_token
from tests.support.outcomes import import_pulse_org

# Who each role's user is: the manager of team:Alpha, an employee of it.
ROLE_PEOPLE = {"hr_admin": "", "manager": "M1", "employee": "P1", "integration": ""}


@pytest.fixture
def pulse_org(tmp_path: Path, settings: Any) -> None:
    settings.SOCIOGRAPH_API_RATES = UNTHROTTLED
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match="*throttle:*"):
        client.delete(key)
    import_pulse_org(tmp_path)


@pytest.fixture
def client_as(pulse_org: None) -> Callable[[str], APIClient]:
    tokens = {role: issue_token(f"{role}-user", role, p) for role, p in ROLE_PEOPLE.items()}

    def client(role: str) -> APIClient:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {tokens[role]}")
        api.default_format = "json"
        return api

    return client
