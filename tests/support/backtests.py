"""Backtests for the portal and report tests: stored results with known numbers, and a departure
history planted in SQL (no Neo4j) ending today, so that a backtest with the portal form's
defaults (horizon 90, gap 28, every 28, window 90 days) finds every snapshot it needs."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.utils import timezone

from analytics.models import MiningRun, PersonMetric, RunStatus
from outcomes import snapshots
from outcomes.backtest import BacktestConfig
from outcomes.models import BacktestResult, Outcome, OutcomeKind
from people.models import Context, ContextKind, Membership, Person
from recognition.models import Interaction

BINS = [
    {"predicted": 0.08, "observed": 0.1, "n": 40},
    {"predicted": 0.31, "observed": 0.27, "n": 40},
]


def score(model: str, auc: float, ci: list[float], lift: list[float] | None) -> dict[str, Any]:
    """A departure model's stored scores: PR-AUC 0.30 [0.20, 0.40], the lift the middle of its
    interval."""
    return {
        "model": model,
        "kind": "baseline" if model == "baseline" else "single",
        "n": 240,
        "n_subjects": 80,
        "n_events": 24,
        "auc": auc,
        "auc_ci": ci,
        "pr_auc": 0.3,
        "pr_auc_ci": [0.2, 0.4],
        "lift": None if lift is None else round(sum(lift) / 2, 4),
        "lift_ci": lift,
        "calibration": {"brier": 0.1834, "bins": BINS},
        "outcome": "departure",
    }


DEPARTURE_SCORES = [
    score("baseline", 0.51, [0.45, 0.57], None),
    score("single:person.out_degree", 0.64, [0.58, 0.70], [0.05, 0.21]),
    score("health.viability", 0.55, [0.48, 0.62], [-0.03, 0.11]),
    score("regularized:all", 0.62, [0.56, 0.68], [-0.01, 0.21]),
]
NOT_SUPPORTED = (
    "The data do not support a calibrated index: lift in AUC over the HR baseline 0.1 "
    "[95 % CI -0.010, +0.210]."
)


def stored_backtest(
    outcome: str = "departure",
    results: list[dict[str, Any]] | None = None,
    weights: dict[str, float] | None = None,
    statement: str = NOT_SUPPORTED,
    **parameters: Any,
) -> BacktestResult:
    return BacktestResult.objects.create(
        outcome=outcome,
        parameters={"horizon_days": 90, "gap_days": 28, "every_days": 28, "window_days": 90}
        | {"resamples": 500}
        | parameters,
        seed=parameters.get("seed", 0),
        data_start=date(2024, 1, 8),
        data_end=date(2025, 6, 30),
        n_people=80,
        n_events=24,
        results=DEPARTURE_SCORES if results is None else results,
        calibrated_weights=weights,
        statement=statement,
    )


# --- a departure history ending today -----------------------------------------------------------

PEOPLE, TEAMS, SNAPSHOTS = 60, 6, 5


@dataclass
class History:
    """People in teams; from each forecast date t, a person leaves in (t, t + 90 days] with a
    probability falling with their reciprocity at t - gap (logistic, `effect`); each leaver is
    replaced in their team on the day they leave."""

    rng: np.random.Generator
    teams: list[Context] = field(default_factory=list)
    reciprocity: dict[int, float] = field(default_factory=dict)  # in the newest snapshot
    hired: int = 0

    def hire(self, team: Context, day: date) -> Person:
        self.hired += 1
        person = Person.objects.create(
            external_id=f"P{self.hired}", name=f"Person {self.hired}", joined_on=day
        )
        Membership.objects.create(person=person, context=team, since=day)
        return person

    def employed(self, day: date) -> list[Person]:
        people = Person.objects.filter(joined_on__lte=day).order_by("pk")
        return [person for person in people if person.left_on is None or person.left_on > day]

    def leave(self, person: Person, day: date) -> None:
        person.left_on = day
        person.save(update_fields=["left_on"])
        Outcome.objects.create(
            kind=OutcomeKind.DEPARTURE, person=person, at=day, outcome_key=f"leave-{person.pk}"
        )
        self.hire(person.memberships.get().context, day)


def feature_days(config: BacktestConfig) -> list[date]:
    newest = timezone.now().date() - timedelta(days=config.horizon_days + config.gap_days)
    return [newest - timedelta(days=config.every_days * n) for n in range(SNAPSHOTS)][::-1]


def snapshot_run(day: date, values: dict[int, dict[str, float]]) -> MiningRun:
    """A succeeded run whose 90-day window ends on `day`, with each person's metrics."""
    end = snapshots.midnight(day)
    run = MiningRun.objects.create(
        status=RunStatus.SUCCEEDED, window_start=end - timedelta(days=90), window_end=end
    )
    PersonMetric.objects.bulk_create(
        PersonMetric(run=run, person_id=person, metric=metric, value=value)
        for person, metrics in values.items()
        for metric, value in metrics.items()
    )
    return run


def plant_departure_history(effect: float = 6.0, seed: int = 7) -> History:
    config = BacktestConfig("departure")
    days = feature_days(config)
    history = History(np.random.default_rng(seed))
    history.teams = [
        Context.objects.create(kind=ContextKind.TEAM, name=f"T{i}") for i in range(TEAMS)
    ]
    for index in range(PEOPLE):
        history.hire(history.teams[index % TEAMS], days[0] - timedelta(days=400 + index))
    first, second = Person.objects.order_by("pk")[:2]
    # The first event opens the data: the first snapshot's window starts on its day.
    first_event = snapshots.midnight(days[0] - timedelta(days=config.window_days))
    Interaction.objects.create(source=first, target=second, at=first_event)
    for day in days:
        at = day + timedelta(days=config.gap_days)
        history.reciprocity = {person.pk: history.rng.random() for person in history.employed(day)}
        snapshot_run(day, {pk: {"reciprocity": r} for pk, r in history.reciprocity.items()})
        leaving = {}
        for person in history.employed(at):
            if person.left_on is not None:
                continue  # already leaving within an earlier horizon
            value = history.reciprocity.get(person.pk, 0.5)
            chance = 1 / (1 + math.exp(1.1 + effect * (value - 0.5)))
            if history.rng.random() < chance:
                offset = int(history.rng.integers(1, config.horizon_days + 1))
                leaving[person] = at + timedelta(days=offset)
        for person, left_on in leaving.items():
            history.leave(person, left_on)
    return history
