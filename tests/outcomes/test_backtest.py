"""Backtests on the database (no Neo4j): snapshots are mining runs created with their person
metrics directly. A planted metric -> departure relation is recovered, a null one is not, and the
gap keeps a metric that is the outcome itself (measured after t - gap) out of the features."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from io import StringIO

import numpy as np
import pytest
from django.conf import settings
from django.core.management import call_command

from analytics.models import MiningRun
from outcomes import snapshots
from outcomes.backtest import BacktestConfig, feature_run, forecast_dates, run_backtest
from outcomes.backtest_engine import roc_auc
from outcomes.tasks import run_backtest as run_backtest_task
from people.models import Context, ContextKind
from tests.support.backtests import History, snapshot_run

pytestmark = pytest.mark.django_db

FIRST = date(2024, 3, 4)  # the first feature day
EVERY, GAP, HORIZON, SNAPSHOTS, PEOPLE, TEAMS = 28, 14, 28, 4, 60, 6
UNTIL = FIRST + timedelta(days=EVERY * (SNAPSHOTS - 1) + GAP + HORIZON)
RESAMPLES = 200


def config(**changes: object) -> BacktestConfig:
    base: dict[str, object] = {
        "outcome": "departure",
        "horizon_days": HORIZON,
        "gap_days": GAP,
        "every_days": EVERY,
        "seed": 0,
        "resamples": RESAMPLES,
        "since": FIRST,
        "until": UNTIL,
        "mine": False,
    }
    return BacktestConfig(**{**base, **changes})  # type: ignore[arg-type]


def build_org(effect: float, seed: int = 7, leaky: bool = False) -> History:
    """At each feature day s: reciprocity ~ U(0, 1) for everyone employed; from t = s + gap,
    each person employed at t leaves in (t, t + horizon] with probability
    logistic(-1.1 - effect * (reciprocity - 0.5)). `leaky`: also a run ending at t (inside the
    gap) whose metric `notice` is 1 exactly for the people about to leave."""
    org = History(np.random.default_rng(seed))
    org.teams = [Context.objects.create(kind=ContextKind.TEAM, name=f"T{i}") for i in range(TEAMS)]
    for index in range(PEOPLE):
        org.hire(org.teams[index % TEAMS], FIRST - timedelta(days=400 + index))
    for snapshot in range(SNAPSHOTS):
        feature_day = FIRST + timedelta(days=EVERY * snapshot)
        at = feature_day + timedelta(days=GAP)
        reciprocity = {person.pk: org.rng.random() for person in org.employed(feature_day)}
        snapshot_run(feature_day, {pk: {"reciprocity": r} for pk, r in reciprocity.items()})
        leaving = {}
        for person in org.employed(at):
            r = reciprocity.get(person.pk, 0.5)
            chance = 1 / (1 + math.exp(1.1 + effect * (r - 0.5)))
            if org.rng.random() < chance:
                leaving[person] = at + timedelta(days=int(org.rng.integers(1, HORIZON + 1)))
        if leaky:
            notice = {person.pk: float(person in leaving) for person in org.employed(at)}
            snapshot_run(at, {pk: {"notice": value} for pk, value in notice.items()})
        for person, day in leaving.items():
            org.leave(person, day)
    return org


def planted_auc(effect: float) -> float:
    """The AUC of reciprocity (lower: more departures) in a large sample of the planted model."""
    rng = np.random.default_rng(1)
    reciprocity = rng.random(1_000_000)
    chance = 1 / (1 + np.exp(1.1 + effect * (reciprocity - 0.5)))
    left = (rng.random(len(reciprocity)) < chance).astype(np.float64)
    return roc_auc(left, -reciprocity)


def by_model(results: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(row["model"]): row for row in results}


def test_a_planted_metric_to_departure_relation_is_recovered() -> None:
    build_org(effect=6.0)
    result = run_backtest(config())
    rows = by_model(result.results)
    single = rows["single:person.reciprocity"]
    print("planted", single["auc"], single["auc_ci"], single["lift_ci"], result.n_events)
    interval = single["auc_ci"]
    assert isinstance(interval, list)
    low, high = interval
    assert low <= planted_auc(6.0) <= high
    assert low > 0.5
    assert rows["regularized:all"]["lift_ci"][0] > 0  # type: ignore[index]
    assert rows["health.viability"]["auc"] > 0.5  # type: ignore[operator]
    assert result.calibrated_weights is not None, result.statement
    weights = result.calibrated_weights
    assert max(weights, key=lambda name: abs(weights[name])) == "viability.reciprocity"
    assert weights["viability.reciprocity"] > 0  # more reciprocity, fewer departures: healthier
    assert result.parameters["grouping"] == "team"
    assert len(result.parameters["snapshot_runs"]) == SNAPSHOTS
    assert result.n_events > 0
    assert result.n_people > PEOPLE / 2


def test_a_null_relation_is_not_recovered() -> None:
    build_org(effect=0.0)
    result = run_backtest(config())
    rows = by_model(result.results)
    single = rows["single:person.reciprocity"]
    print("null", single["auc"], single["auc_ci"], rows["regularized:all"]["lift_ci"])
    assert single["auc_ci"][0] <= 0.5 <= single["auc_ci"][1]  # type: ignore[index]
    lift = rows["regularized:all"]["lift_ci"]
    assert lift[0] <= 0 <= lift[1]  # type: ignore[index]
    assert result.calibrated_weights is None
    assert result.statement.startswith("The data do not support a calibrated index: lift")


def test_the_gap_keeps_the_outcome_out_of_the_features() -> None:
    build_org(effect=0.0, leaky=True)
    for at in forecast_dates(config()):
        run = feature_run(at, config())
        assert run is not None
        assert run.window_end.date() == at - timedelta(days=GAP)  # never the run ending at t
        assert not run.person_metrics.filter(metric="notice").exists()
    guarded = by_model(run_backtest(config()).results)
    assert "single:person.notice" not in guarded
    for row in guarded.values():
        assert row["auc_ci"][0] <= 0.5 + 0.05 or row["model"] == "baseline"  # type: ignore[index]
    # Without the gap the same builder reads the runs ending at t, and the outcome looks
    # predictive: what the gap is there to prevent.
    leaked = by_model(run_backtest(config(gap_days=0)).results)
    assert leaked["single:person.notice"]["auc"] > 0.95  # type: ignore[operator]


def test_missing_snapshots_are_mined_and_stored_ones_reused() -> None:
    build_org(effect=0.0)
    MiningRun.objects.filter(window_end__date=FIRST + timedelta(days=EVERY)).delete()
    mined: list[date] = []

    def mine(day: date, window_days: int) -> MiningRun:
        mined.append(day)
        return snapshot_run(day, {})

    days = [FIRST + timedelta(days=EVERY * k) for k in range(SNAPSHOTS)]
    found = snapshots.ensure_snapshots(days, 90, mine)
    assert mined == [FIRST + timedelta(days=EVERY)]
    assert sorted(found) == days
    assert snapshots.series(EVERY, FIRST, days[-1]) == days


def test_command_json_and_task() -> None:
    build_org(effect=6.0)
    out = StringIO()
    call_command(
        "backtest",
        "--outcome=departure",
        f"--horizon-days={HORIZON}",
        f"--gap-days={GAP}",
        f"--every-days={EVERY}",
        f"--since={FIRST}",
        f"--until={UNTIL}",
        "--resamples=50",
        "--no-mine",
        "--json",
        stdout=out,
    )
    printed = json.loads(out.getvalue())
    for row in printed["results"]:
        assert {"model", "outcome", "n", "auc", "auc_ci"} <= set(row)
        assert row["outcome"] == "departure"
    table = StringIO()
    call_command(
        "backtest",
        "--outcome=departure",
        f"--horizon-days={HORIZON}",
        f"--gap-days={GAP}",
        f"--since={FIRST}",
        f"--until={UNTIL}",
        "--resamples=50",
        "--no-mine",
        stdout=table,
    )
    assert "single:person.reciprocity" in table.getvalue()
    parameters = {"horizon_days": HORIZON, "gap_days": GAP, "since": FIRST.isoformat()}
    parameters |= {"until": UNTIL.isoformat(), "resamples": 50, "mine": False}
    assert isinstance(run_backtest_task("departure", **parameters), int)
    assert settings.CELERY_TASK_ROUTES["outcomes.tasks.run_backtest"] == {"queue": "analytics"}


def test_mine_series_lists_stored_and_missing_snapshots() -> None:
    build_org(effect=0.0)
    MiningRun.objects.filter(window_end__date=FIRST).delete()
    out = StringIO()
    last = FIRST + timedelta(days=EVERY * (SNAPSHOTS - 1))
    call_command("mine_series", f"--since={FIRST}", f"--until={last}", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"{FIRST}: missing"
    assert all(line.endswith("(stored)") for line in lines[1:])
    assert len(lines) == SNAPSHOTS
