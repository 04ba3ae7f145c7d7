"""Report fixtures: HR admins and others with e-mail addresses, report files in a temporary
MEDIA_ROOT, and two succeeded runs planted straight in SQL (no Neo4j needed); reading a PDF."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from pypdf import PdfReader
from pytest_django.fixtures import Settings

from analytics import overview
from analytics.models import Finding, MiningRun
from people.models import Context
from reports.builder import FINDINGS_CHART_TITLE
from reports.explanations import explanation_of
from reports.selectors import REPORT_FAILURE_KEY
from sociograph.accounts.roles import Role, assign_role
from tests import planting

FINISHED = datetime(2026, 11, 2, 6, 30, tzinfo=UTC)


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


def pdf_text(pdf: Path) -> str:
    """The text of a PDF, whitespace collapsed to single spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(pdf).pages).split())


def findings_chart_text(run: MiningRun) -> str:
    """The bar chart of findings as a PDF's text reads: its title, then each bar's label and
    count (the section's heading and the explanations read differently: "Silos (1)")."""
    bars = " ".join(
        f"{explanation_of(pattern).title} {count:g}"
        for pattern, count in overview.finding_counts(run)
    )
    return f"{FINDINGS_CHART_TITLE} {bars}"


def user_with_role(username: str, role: Role | None, email: str = "") -> User:
    user = User.objects.create_user(username, email=email, password="pw-" + username)
    if role is not None:
        assign_role(user, role)
    return user


@dataclass(frozen=True)
class Users:
    hr: User
    hr_without_email: User
    superuser: User
    employee: User
    manager: User


@pytest.fixture
def users() -> Users:
    return Users(
        hr=user_with_role("hilda", Role.HR_ADMIN, "hilda@example.org"),
        hr_without_email=user_with_role("hugo", Role.HR_ADMIN),
        superuser=User.objects.create_superuser("root", "root@example.org", "pw-root"),
        employee=user_with_role("emma", Role.EMPLOYEE, "emma@example.org"),
        manager=user_with_role("mona", Role.MANAGER, "mona@example.org"),
    )


def planted_run(finished_at: datetime, org: dict[str, float], **contexts: Any) -> MiningRun:
    run = planting.planted_run(finished_at, org)
    for key, metrics in contexts.items():
        kind, name = key.split("__")
        context, _ = Context.objects.get_or_create(kind=kind, name=name)
        planting.context_metrics(run, context, **metrics)
    return run


@dataclass(frozen=True)
class PlantedRuns:
    before: MiningRun
    latest: MiningRun


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
