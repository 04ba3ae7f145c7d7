"""API test fixtures: a small organization and one token per role (issued by `issue_token`)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.support.api import EVENTS, ROLE_PEOPLE, UNTHROTTLED, Org, issue_token
from tests.support.csv_files import EVENT_HEADER, write_csv


@pytest.fixture(autouse=True)
def fresh_throttle_counts() -> None:
    """Throttle counters live in Redis, keyed by user id, which the next test reuses."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match="*throttle:*"):
        client.delete(key)


@pytest.fixture
def no_throttling(settings: Any) -> None:
    """Rates no test's hundreds of requests reach (for modules that mark themselves with it)."""
    settings.SOCIOGRAPH_API_RATES = UNTHROTTLED


@pytest.fixture
def org(small_org: Path, tmp_path: Path) -> Org:
    call_command("import_org", str(small_org), stdout=io.StringIO())
    events = write_csv(tmp_path, "events.csv", EVENT_HEADER, EVENTS)
    call_command("import_events", str(events), stdout=io.StringIO())
    tokens = {
        role: issue_token(f"{role}-user", role, person) for role, person in ROLE_PEOPLE.items()
    }
    return Org(tokens)


@pytest.fixture
def as_role(org: Org) -> Callable[[str | None], APIClient]:
    return org.client


@pytest.fixture
def hr(as_role: Callable[[str | None], APIClient]) -> APIClient:
    """The HR admin's client, sending JSON."""
    client = as_role("hr_admin")
    client.default_format = "json"
    return client
