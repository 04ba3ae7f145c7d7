"""The portal's fixtures: a planted organization (tests/support/portal.py), mined for real, and
one logged-in client per kind of user."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from analytics.models import MiningRun
from analytics.services import create_run, execute_run
from sociograph.accounts.roles import Role
from sociograph.graph import relay
from tests.support.csv_files import EVENT_HEADER, ORG_HEADER, write_csv
from tests.support.portal import ORG, events, logged_in


@pytest.fixture
def planted_org(db: None, tmp_path: Path) -> None:
    """The organization and its events in SQL (not projected)."""
    write_csv(tmp_path, "org.csv", ORG_HEADER, ORG)
    write_csv(tmp_path, "events.csv", EVENT_HEADER, events())
    call_command("import_org", str(tmp_path / "org.csv"), stdout=io.StringIO())
    call_command("import_events", str(tmp_path / "events.csv"), stdout=io.StringIO())


@pytest.fixture
def projected_org(graph: None, planted_org: None) -> None:
    """Projected to an emptied graph (emptied first: a worker may be relaying the import)."""
    relay.relay(wait_seconds=30)


@pytest.fixture
def mined(projected_org: None) -> MiningRun:
    """Two succeeded runs over the last 90 days (a trend has two points)."""
    execute_run(create_run(window_days=90).pk)
    return execute_run(create_run(window_days=90).pk)


@pytest.fixture
def hr(db: None) -> Client:
    return logged_in("hr", Role.HR_ADMIN)


@pytest.fixture
def employee(planted_org: None) -> Client:
    """Fay (E6), a Guild member managed by E5."""
    return logged_in("fay", Role.EMPLOYEE, "E6")
