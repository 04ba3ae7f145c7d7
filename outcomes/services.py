"""Every write of outcomes: the rules an outcome obeys, idempotent bulk recording, deletion.

Outcomes are not projected into Neo4j (nothing in the graph reads them), so a write is the SQL
row only. The same outcome (kind, subject, day, context, KPI) has one `outcome_key`: recording it
again changes nothing, or corrects its value, scale or `voluntary` in place.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from celery import current_app
from django.db import transaction

from outcomes.backtest import BacktestConfig
from outcomes.models import PULSE_KINDS, Outcome, OutcomeKind, PersonForecastSwitch
from outcomes.selectors import person_forecasts_enabled
from people.models import Context, Person
from sociograph.accounts.roles import Role, role_of

BACKTEST_TASK = "outcomes.tasks.run_backtest"
ENPS_SCALE = (0.0, 10.0)
MAX_METRIC_CHARS = 100
# Fields that a later recording of the same outcome may correct.
CORRECTABLE = ("value", "scale_min", "scale_max", "voluntary")


@dataclass(frozen=True)
class OutcomeInput:
    """One outcome to record, its person and context already looked up."""

    kind: str
    at: date
    person: Person | None = None
    context: Context | None = None
    metric: str = ""
    value: float | None = None
    scale: tuple[float, float] | None = None
    voluntary: bool | None = None

    @property
    def key(self) -> str:
        return outcome_key(
            self.kind,
            self.person.external_id if self.person else self.metric,
            self.at,
            self.context.key if self.context else "",
            self.metric,
        )


@dataclass(frozen=True)
class Recorded:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def outcome_key(kind: str, subject: str, at: date, context: str, metric: str) -> str:
    """sha256 of what identifies an outcome; its value is not part of it (a correction)."""
    text = "\x1f".join((kind, subject, at.isoformat(), context, metric))
    return hashlib.sha256(text.encode()).hexdigest()


def problems(data: OutcomeInput) -> list[tuple[str, str]]:
    """(field, reason) for each rule the outcome breaks; fields: kind, person, context, metric,
    value, scale, voluntary."""
    if data.kind not in OutcomeKind.values:
        return [("kind", f"{data.kind[:30]!r} is not one of {', '.join(OutcomeKind.values)}")]
    if data.kind == OutcomeKind.DEPARTURE:
        return _departure_problems(data)
    if data.kind in PULSE_KINDS:
        return _pulse_problems(data)
    return _team_result_problems(data)


def _departure_problems(data: OutcomeInput) -> list[tuple[str, str]]:
    found = _person_problems(data)
    if data.context is not None:
        found.append(("context", "a departure has no context"))
    if data.value is not None or data.scale is not None:
        found.append(("scale", "a departure has no value nor scale (voluntary or not)"))
    return found


def _pulse_problems(data: OutcomeInput) -> list[tuple[str, str]]:
    found = _person_problems(data)
    if data.voluntary is not None:
        found.append(("voluntary", "only departures are voluntary or not"))
    if data.scale is None:
        return [*found, ("scale", "required for a survey answer (min-max, e.g. 1-5)")]
    if data.kind == OutcomeKind.ENPS and data.scale != ENPS_SCALE:
        found.append(("scale", "an eNPS answer is on the scale 0-10"))
    return found + _value_problems(data, required=True)


def _team_result_problems(data: OutcomeInput) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if data.person is not None:
        found.append(("person", "a team result is about a context, not a person"))
    if data.context is None:
        found.append(("context", "required for a team result (kind:name)"))
    if not data.metric.strip():
        found.append(("metric", "required for a team result: the KPI's name"))
    elif len(data.metric) > MAX_METRIC_CHARS:
        found.append(("metric", f"longer than {MAX_METRIC_CHARS} characters"))
    if data.voluntary is not None:
        found.append(("voluntary", "only departures are voluntary or not"))
    return found + _value_problems(data, required=True)


def _person_problems(data: OutcomeInput) -> list[tuple[str, str]]:
    found = [] if data.person is not None else [("person", "required")]
    if data.metric:
        found.append(("metric", "only team results name a KPI"))
    return found


def _value_problems(data: OutcomeInput, required: bool) -> list[tuple[str, str]]:
    if data.value is None:
        return [("value", "required (a number)")] if required else []
    if not math.isfinite(data.value):
        return [("value", "not a finite number")]
    found = _scale_problems(data.scale)
    if found or data.scale is None:
        return found
    low, high = data.scale
    if not low <= data.value <= high:
        return [("value", f"{data.value:g} is outside the scale {low:g}-{high:g}")]
    return []


def _scale_problems(scale: tuple[float, float] | None) -> list[tuple[str, str]]:
    if scale is None:
        return []
    low, high = scale
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        return [("scale", "min-max with min below max")]
    return []


def as_row(data: OutcomeInput) -> Outcome:
    """The unsaved row of a valid input."""
    low, high = data.scale if data.scale else (None, None)
    return Outcome(
        kind=data.kind,
        person=data.person,
        context=data.context,
        metric=data.metric,
        at=data.at,
        value=data.value,
        scale_min=low,
        scale_max=high,
        voluntary=data.voluntary,
        outcome_key=data.key,
    )


@transaction.atomic
def record_outcomes(inputs: Iterable[OutcomeInput]) -> Recorded:
    """Store valid outcomes (checked with `problems`): new ones inserted, stored ones corrected
    when their value differs, the others left as they are. One input per key (the last wins)."""
    rows = {row.outcome_key: row for row in map(as_row, inputs)}
    stored = Outcome.objects.in_bulk(list(rows), field_name="outcome_key")
    new = [row for key, row in rows.items() if key not in stored]
    changed = [
        _corrected(stored[key], row)
        for key, row in rows.items()
        if key in stored and _differs(stored[key], row)
    ]
    Outcome.objects.bulk_create(new, batch_size=1000)
    Outcome.objects.bulk_update(changed, [*CORRECTABLE, "revision"], batch_size=1000)
    return Recorded(len(new), len(changed), len(rows) - len(new) - len(changed))


def _differs(stored: Outcome, row: Outcome) -> bool:
    return any(getattr(stored, name) != getattr(row, name) for name in CORRECTABLE)


def _corrected(stored: Outcome, row: Outcome) -> Outcome:
    for name in CORRECTABLE:
        setattr(stored, name, getattr(row, name))
    stored.revision += 1
    return stored


@transaction.atomic
def save_outcome(outcome: Outcome) -> Outcome:
    """Save one row edited as a whole (the admin); its key follows its identifying fields. The
    caller checked it with `problems(input_of(outcome))`."""
    outcome.outcome_key = input_of(outcome).key
    if outcome.pk is not None:
        outcome.revision += 1  # possibly a correction: see Outcome.revision
    outcome.save()
    return outcome


def input_of(outcome: Outcome) -> OutcomeInput:
    scale = None
    if outcome.scale_min is not None and outcome.scale_max is not None:
        scale = (outcome.scale_min, outcome.scale_max)
    return OutcomeInput(
        kind=outcome.kind,
        at=outcome.at,
        person=outcome.person if outcome.person_id else None,
        context=outcome.context if outcome.context_id else None,
        metric=outcome.metric,
        value=outcome.value,
        scale=scale,
        voluntary=outcome.voluntary,
    )


def delete_outcomes(outcomes: Iterable[Outcome]) -> int:
    ids = [outcome.pk for outcome in outcomes]
    deleted, _ = Outcome.objects.filter(pk__in=ids).delete()
    return deleted


# --- backtests and the per-person forecast switch -----------------------------------------------


def queue_backtest(config: BacktestConfig) -> None:
    """Have a worker run the backtest (queue `analytics`), sent by name: the task module imports
    the backtest, which imports this app's reads."""
    parameters = config.parameters()
    outcome = parameters.pop("outcome")
    current_app.send_task(BACKTEST_TASK, (outcome,), parameters)


def switch_person_forecasts(enabled: bool, user: Any) -> PersonForecastSwitch | None:
    """HR admins switch per-person forecasts on or off; each change is recorded with who and
    when. None when the switch already was in that position (nothing recorded)."""
    if role_of(user) is not Role.HR_ADMIN:
        raise PermissionError("only an HR admin switches per-person forecasts")
    with transaction.atomic():
        if person_forecasts_enabled() == enabled:
            return None
        return PersonForecastSwitch.objects.create(
            enabled=enabled, changed_by=user, changed_by_username=user.get_username()
        )
