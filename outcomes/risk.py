"""Per-person departure forecasts: the `regularized:all` model of one departure backtest, refitted
on every row of that backtest (each one's horizon had closed), applied to the people employed at
the newest snapshot.

Shown to HR admins only, in the portal only, and only while the org setting is on
(outcomes.selectors.person_forecasts_enabled; off by default): never in the API nor in a report.
A forecast is about groups; the list carries that caveat (PERSON_FORECAST_CAVEAT)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from analytics.models import MiningRun, RunStatus
from outcomes.backtest import (
    ALL_METRICS_MODEL,
    BacktestConfig,
    Rows,
    design_of,
    models_for,
    person_rows,
    snapshot_runs,
    stored_config,
    teams_at,
)
from outcomes.backtest_engine import fit_predict
from outcomes.models import BacktestResult, OutcomeKind
from people.models import Context, Person

PERSON_FORECAST_CAVEAT = (
    "A forecast is about groups, never a verdict on a person. These probabilities come from "
    "observational data, where confounding is likely and samples are small; many people with a "
    "high probability stay and many with a low one leave. Use them to look at conditions (a "
    "team, a workload, a manager's span), never to decide about a person."
)


class NoPersonForecast(ValueError):
    """The backtest cannot forecast people (not departures, no snapshot, too little data)."""


@dataclass(frozen=True)
class PersonForecast:
    person_id: int
    external_id: str
    name: str
    team: str
    probability: float


@dataclass(frozen=True)
class PersonForecasts:
    result: BacktestResult
    run: MiningRun  # the newest snapshot, whose window the features come from
    at: date  # the forecast date: departures in (at, at + horizon]
    horizon_days: int
    model: str
    trained_rows: int
    people: list[PersonForecast]
    caveat: str = PERSON_FORECAST_CAVEAT

    @property
    def until(self) -> date:
        return self.at + timedelta(days=self.horizon_days)


def person_forecasts(result: BacktestResult) -> PersonForecasts:
    """The forecast probability of departure of each person employed at the newest snapshot,
    highest first (NoPersonForecast when the backtest cannot give one)."""
    if result.outcome != OutcomeKind.DEPARTURE:
        raise NoPersonForecast("per-person forecasts exist for departure backtests only")
    config = stored_config(result)
    closed = _backtest_rows(result, config)
    newest = newest_snapshot(config.window_days)
    if newest is None:
        raise NoPersonForecast("no stored snapshot of this window length to forecast from")
    at = newest.window_end.date() + timedelta(days=config.gap_days)
    current = person_rows({at: newest}, config)
    if len(set(closed.target)) < 2 or not current.subject:
        raise NoPersonForecast("too little data: the backtest's rows need both outcomes")
    design = design_of(_joined(closed, current), binary=True)
    spec = next(
        spec for spec in models_for(design, result.outcome) if spec.name == ALL_METRICS_MODEL
    )
    train = np.arange(len(closed.target), dtype=np.int64)
    test = np.arange(len(closed.target), len(design.target), dtype=np.int64)
    probabilities = fit_predict(design, spec, train, test, config.seed)
    people = _people(current.subject, probabilities, at)
    return PersonForecasts(result, newest, at, config.horizon_days, spec.name, len(train), people)


def _backtest_rows(result: BacktestResult, config: BacktestConfig) -> Rows:
    """The rows of the backtest: its stored snapshot runs (found again when none is stored)."""
    stored: dict[str, Any] = result.parameters.get("snapshot_runs") or {}
    runs = MiningRun.objects.in_bulk(list(stored.values()))
    found = {date.fromisoformat(at): runs[pk] for at, pk in stored.items() if pk in runs}
    if not found or len(found) < len(stored):
        found = snapshot_runs(config)
    if not found:
        raise NoPersonForecast("the backtest's snapshots are no longer stored")
    return person_rows(found, config)


def newest_snapshot(window_days: int) -> MiningRun | None:
    """The newest succeeded run whose window lasts `window_days` days."""
    length = timedelta(days=window_days)
    runs = MiningRun.objects.filter(status=RunStatus.SUCCEEDED).order_by("-window_end", "-pk")
    return next(
        (run for run in runs.iterator() if run.window_end - run.window_start == length), None
    )


def _joined(first: Rows, second: Rows) -> Rows:
    return Rows(
        first.features + second.features,
        first.target + second.target,
        first.day + second.day,
        first.group + second.group,
        first.subject + second.subject,
    )


def _people(subjects: list[int], probabilities: Any, at: date) -> list[PersonForecast]:
    people = Person.objects.in_bulk(subjects)
    teams = teams_at(at)
    names = dict(Context.objects.filter(pk__in=set(teams.values())).values_list("pk", "name"))
    found = [
        PersonForecast(
            pk,
            people[pk].external_id,
            people[pk].name,
            names.get(teams.get(pk, 0), ""),
            round(float(probability), 4),
        )
        for pk, probability in zip(subjects, probabilities, strict=True)
    ]
    return sorted(found, key=lambda person: (-person.probability, person.external_id))
