"""The read models behind the dashboard and the reports, on planted run results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from analytics.models import Finding, MiningRun, RunStatus
from analytics.overview import (
    Change,
    context_table,
    finding_counts,
    health_trend,
    important_changes,
    succeeded_runs,
)
from people.models import Context
from tests.support import planting
from tests.support.planting import context_metrics

pytestmark = pytest.mark.django_db

START = datetime(2026, 9, 1, tzinfo=UTC)


def planted_run(day: int, org: dict[str, float], status: str = RunStatus.SUCCEEDED) -> MiningRun:
    return planting.planted_run(START + timedelta(days=day), org, status)


def test_trend_lists_succeeded_runs_oldest_first_with_gaps() -> None:
    first = planted_run(0, {"viability": 40, "agility": 50})
    planted_run(3, {"viability": 99}, status=RunStatus.FAILED)
    second = planted_run(7, {"viability": 45, "agility": 55, "wellbeing": 60})
    runs = succeeded_runs()
    assert runs == [first, second]
    assert health_trend(runs) == {
        "viability": [40, 45],
        "agility": [50, 55],
        "wellbeing": [None, 60],
    }


def test_succeeded_runs_keeps_the_newest_up_to_a_run() -> None:
    runs = [planted_run(day, {"viability": day}) for day in range(5)]
    assert succeeded_runs(until=runs[3], limit=2) == runs[2:4]


def test_small_contexts_are_withheld_in_the_row_and_its_history() -> None:
    team = Context.objects.create(kind="team", name="Tiny")
    earlier = planted_run(0, {})
    context_metrics(earlier, team, size=6, energy=3.0)
    now = planted_run(7, {})
    context_metrics(now, team, size=4, energy=5.0, engagement=0.5)
    (row,) = context_table(now)
    assert row.withheld
    assert row.size == 4
    assert set(row.values.values()) == {None}
    assert row.history["energy"] == [3.0, None]


def test_important_changes_rank_by_share_of_the_metric_range() -> None:
    team = Context.objects.create(kind="team", name="Core")
    small = Context.objects.create(kind="team", name="Pair")
    before = planted_run(0, {"viability": 50, "reciprocity": 0.50, "people": 10})
    context_metrics(before, team, size=8, exploration=0.20, energy=1.0)
    context_metrics(before, small, size=2, exploration=0.0)
    now = planted_run(7, {"viability": 60, "reciprocity": 0.45, "people": 500})
    context_metrics(now, team, size=8, exploration=0.50, energy=9.0)
    context_metrics(now, small, size=2, exploration=1.0)
    changes = important_changes(now)
    # exploration +0.30 of 1, viability +10 of 100, reciprocity -0.05 of 1; counts, energy and
    # the 2-person context never count.
    assert changes == [
        Change("team:Core", "exploration", 0.20, 0.50),
        Change("org", "viability", 50, 60),
        Change("org", "reciprocity", 0.50, 0.45),
    ]


def test_no_previous_run_means_no_changes() -> None:
    assert important_changes(planted_run(0, {"viability": 50})) == []


def test_finding_counts_most_frequent_first() -> None:
    run = planted_run(0, {})
    for pattern in ("silo", "isolation", "isolation", "broker", "broker"):
        Finding.objects.create(run=run, pattern=pattern, severity="info")
    assert finding_counts(run) == [("broker", 2), ("isolation", 2), ("silo", 1)]


def test_context_table_restricts_to_context_ids_and_can_skip_history() -> None:
    core = Context.objects.create(kind="team", name="Core")
    edge = Context.objects.create(kind="team", name="Edge")
    earlier = planted_run(0, {})
    context_metrics(earlier, core, size=6, energy=1.0)
    context_metrics(earlier, edge, size=7, energy=2.0)
    now = planted_run(7, {})
    context_metrics(now, core, size=6, energy=3.0)
    context_metrics(now, edge, size=7, energy=4.0)

    assert [(row.name, row.history["energy"]) for row in context_table(now)] == [
        ("Core", [1.0, 3.0]),
        ("Edge", [2.0, 4.0]),
    ]
    (edge_row,) = context_table(now, context_ids=[edge.pk])
    assert (edge_row.name, edge_row.values["energy"]) == ("Edge", 4.0)
    assert edge_row.history["energy"] == [2.0, 4.0]
    bare = context_table(now, with_history=False)
    assert [(row.name, row.size, row.values["energy"], row.history) for row in bare] == [
        ("Core", 6, 3.0, {}),
        ("Edge", 7, 4.0, {}),
    ]
    assert context_table(now, context_ids=[]) == []
