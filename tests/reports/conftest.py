"""Report fixtures: HR admins and others with e-mail addresses, report files in a temporary
MEDIA_ROOT, and two succeeded runs planted straight in SQL (no Neo4j needed)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from pytest_django.fixtures import Settings

from analytics.models import Finding
from people.models import Context
from reports.selectors import REPORT_FAILURE_KEY
from sociograph.accounts.roles import Role
from tests.support.reports import FINISHED, PlantedRuns, Users, planted_run
from tests.support.users import user_with_role


@pytest.fixture(autouse=True)
def media_root(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture(autouse=True)
def no_report_failure() -> Iterator[None]:
    """The latest report failure lives in the (Redis) cache, which outlives a test."""
    cache.delete(REPORT_FAILURE_KEY)
    yield
    cache.delete(REPORT_FAILURE_KEY)


@pytest.fixture
def users() -> Users:
    return Users(
        hr=user_with_role(Role.HR_ADMIN, "hilda", email="hilda@example.org"),
        hr_without_email=user_with_role(Role.HR_ADMIN, "hugo"),
        superuser=user_with_role(None, "root", email="root@example.org", superuser=True),
        employee=user_with_role(Role.EMPLOYEE, "emma", email="emma@example.org"),
        manager=user_with_role(Role.MANAGER, "mona", email="mona@example.org"),
    )


@pytest.fixture
def planted_runs() -> PlantedRuns:
    """Two runs a week apart: team Platform (8 members) and project Tiny (3 members, whose
    distinctive values must never be shown); silo and isolation findings in the latest."""
    before = planted_run(
        FINISHED - timedelta(days=7),
        {"people": 40, "viability": 61.0, "agility": 50.0, "wellbeing": 70.0, "reciprocity": 0.4},
        team__Platform={"size": 8, "energy": 3.0, "exploration": 0.30, "engagement": 0.7},
        project__Tiny={"size": 3, "energy": 9.87654, "exploration": 0.123456},
    )
    latest = planted_run(
        FINISHED,
        {"people": 40, "viability": 55.0, "agility": 52.0, "wellbeing": 71.0, "reciprocity": 0.2},
        team__Platform={"size": 8, "energy": 4.0, "exploration": 0.05, "engagement": 0.7},
        project__Tiny={"size": 3, "energy": 9.87654, "exploration": 0.123456},
    )
    platform = Context.objects.get(kind="team", name="Platform")
    Finding.objects.create(run=latest, pattern="silo", severity="warning", context=platform)
    for _ in range(2):
        Finding.objects.create(run=latest, pattern="isolation", severity="warning", sensitive=True)
    return PlantedRuns(before, latest)
