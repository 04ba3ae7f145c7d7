"""The report tests' users and planted runs, and reading a PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from pypdf import PdfReader

from analytics import overview
from analytics.models import MiningRun
from people.models import Context
from reports.builder import FINDINGS_CHART_TITLE
from reports.explanations import explanation_of
from tests.support import planting

FINISHED = datetime(2026, 11, 2, 6, 30, tzinfo=UTC)


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


@dataclass(frozen=True)
class Users:
    hr: User
    hr_without_email: User
    superuser: User
    employee: User
    manager: User


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
