"""Reads of outcomes: for the API and for the backtests. Periods are half-open: [start, end).

People who opted out of analytics are left out of every read here but their own
(`outcomes_of`): their answers count in no aggregate and their departures in no backtest.

Departures come from two places: departure rows (imported, or posted to the API) and people's
`left_on`. A person's departure rows are their departures; a person with a `left_on` and no
departure row at all left on that day, voluntarily or not unknown. So a departure row wins (its
day and `voluntary`), and no row is written when `left_on` is set.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet

from analytics.release import ORG
from outcomes.models import (
    PULSE_KINDS,
    BacktestResult,
    Outcome,
    OutcomeKind,
    PersonForecastSwitch,
    PulseFigure,
    PulseRelease,
)
from people.models import Context, Membership, Person

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Departure:
    person_id: int
    external_id: str
    on: date  # the first day no longer employed
    voluntary: bool | None  # None: not known
    from_left_on: bool  # True: no departure row, read from the person's left_on


def departures(start: date, end: date) -> list[Departure]:
    """Departures on a day in [start, end), by day then external_id."""
    rows = (
        Outcome.objects.filter(kind=OutcomeKind.DEPARTURE, at__gte=start, at__lt=end)
        .filter(person__analytics_opt_out=False)
        .values_list("person_id", "person__external_id", "at", "voluntary")
    )
    found = [
        Departure(pk, external_id, on, voluntary, False) for pk, external_id, on, voluntary in rows
    ]
    recorded = Outcome.objects.filter(kind=OutcomeKind.DEPARTURE).values("person_id")
    left = (
        Person.objects.filter(left_on__gte=start, left_on__lt=end, analytics_opt_out=False)
        .exclude(pk__in=recorded)
        .values_list("pk", "external_id", "left_on")
    )
    found += [
        Departure(pk, external_id, on, None, True) for pk, external_id, on in left if on is not None
    ]
    return sorted(found, key=lambda departure: (departure.on, departure.external_id))


def pulse_answers(start: date, end: date, kinds: Iterable[str] = PULSE_KINDS) -> QuerySet[Outcome]:
    """Survey answers given on a day in [start, end)."""
    return (
        Outcome.objects.filter(kind__in=list(kinds), at__gte=start, at__lt=end)
        .filter(person__analytics_opt_out=False)
        .select_related("person", "context")
        .order_by("at", "id")
    )


def team_results(start: date, end: date, metric: str = "") -> QuerySet[Outcome]:
    """Team results of periods starting on a day in [start, end), of one KPI when given."""
    results = Outcome.objects.filter(kind=OutcomeKind.TEAM_RESULT, at__gte=start, at__lt=end)
    if metric:
        results = results.filter(metric=metric)
    return results.select_related("context").order_by("at", "id")


def outcomes_of(person: Person) -> QuerySet[Outcome]:
    """The person's own outcomes (departures and survey answers)."""
    return Outcome.objects.filter(person=person).select_related("person", "context")


def is_stored(key: str, excluding: int | None = None) -> bool:
    """Whether an outcome with this key is stored (other than the row `excluding`)."""
    stored = Outcome.objects.filter(outcome_key=key)
    if excluding is not None:
        stored = stored.exclude(pk=excluding)
    return stored.exists()


# --- Figures of survey answers, live and as decided by outcomes.pulse_release --------------------


def month_bounds(text: str) -> tuple[date, date]:
    """`YYYY-MM` -> (its first day, the next month's first day); ValueError when not a month."""
    match = _MONTH.fullmatch(text)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{text[:20]!r} is not a month (YYYY-MM)")
    year, month = int(match.group(1)), int(match.group(2))
    start = date(year, month, 1)
    return start, date(year + month // 12, month % 12 + 1, 1)


Counted = frozenset[tuple[int, int, int]]  # (person id, answer id, answer revision)


@dataclass(frozen=True)
class Answer:
    id: int
    person_id: int
    context_id: int | None
    at: date
    value: float
    scale: tuple[float, float]
    revision: int = 0

    @property
    def normalized(self) -> float:
        low, high = self.scale
        return (self.value - low) / (high - low)


@dataclass(frozen=True)
class PulseAggregate:
    """One group's (the org's, or a context's) figures for one kind of survey in one month:
    released when `withheld` is empty. `counted` names the answers behind the figures (and their
    revision), so that two figures can be compared person by person."""

    key: str  # ORG or a context id (str)
    label: str  # "org" or kind:name
    people: int
    answers: int
    mean: float | None  # on the scale, when the answers share one
    scale: tuple[float, float] | None
    mean_normalized: float  # rescaled to 0-1 (0 the scale's minimum): comparable across scales
    withheld: str = ""  # why the release rule withholds it; "" when released
    counted: Counted = frozenset()
    decided_at: datetime | None = None  # None: not stored (yet)
    current: bool = True  # False: a released figure since superseded by a re-release

    @property
    def order(self) -> tuple[int, bool, str]:
        return (-self.people, self.key != ORG, self.label)

    def person_difference(self, other: PulseAggregate) -> set[int]:
        """The people whose answers (or answers' revisions) one figure counts and the other
        does not."""
        return {person for person, _, _ in self.counted ^ other.counted}


@dataclass(frozen=True)
class PulseGroup:
    """The answers of one group to one kind of survey in one month, as stored now."""

    key: str  # ORG or a context id (str)
    label: str  # "org" or kind:name
    answers: tuple[Answer, ...]

    def figures(self) -> PulseAggregate:
        scales = {answer.scale for answer in self.answers}
        scale = next(iter(scales)) if len(scales) == 1 else None
        count = len(self.answers)
        return PulseAggregate(
            key=self.key,
            label=self.label,
            people=len({answer.person_id for answer in self.answers}),
            answers=count,
            mean=sum(answer.value for answer in self.answers) / count if scale else None,
            scale=scale,
            mean_normalized=sum(answer.normalized for answer in self.answers) / count,
            counted=frozenset((a.person_id, a.id, a.revision) for a in self.answers),
        )


def pulse_groups(kind: str, start: date, end: date) -> list[PulseAggregate]:
    """The figures of the org's and every context's `kind` answers given in [start, end) as
    stored now, largest first, not yet decided: only outcomes.pulse_release decides and stores
    what may be read.

    A context counts the answers naming it, and the answers naming no context of people who were
    its members on the answer's day; the org counts every answer."""
    answers = _answers(kind, start, end)
    groups = [PulseGroup(ORG, "org", tuple(answers))] if answers else []
    groups += _context_groups(answers, start, end)
    return sorted((group.figures() for group in groups), key=lambda figure: figure.order)


def _answers(kind: str, start: date, end: date) -> list[Answer]:
    rows = pulse_answers(start, end, [kind]).values_list(
        "pk", "person_id", "context_id", "at", "value", "scale_min", "scale_max", "revision"
    )
    return [
        Answer(pk, person, context, at, value, (low, high), revision)
        for pk, person, context, at, value, low, high, revision in rows
        if person is not None and value is not None and low is not None and high is not None
    ]


def _context_groups(answers: list[Answer], start: date, end: date) -> list[PulseGroup]:
    by_context: dict[int, list[Answer]] = defaultdict(list)
    periods = _memberships(answers, start, end)
    for answer in answers:
        if answer.context_id is not None:
            by_context[answer.context_id].append(answer)
            continue
        for context, since, until in periods.get(answer.person_id, ()):
            if (since is None or since <= answer.at) and (until is None or answer.at <= until):
                by_context[context].append(answer)
    labels = {context.pk: context.key for context in Context.objects.filter(pk__in=by_context)}
    return [
        PulseGroup(str(context), labels[context], tuple(group))
        for context, group in by_context.items()
    ]


def _memberships(
    answers: list[Answer], start: date, end: date
) -> dict[int, list[tuple[int, date | None, date | None]]]:
    """Person id -> their membership periods overlapping the month (context, since, until)."""
    people = {answer.person_id for answer in answers if answer.context_id is None}
    rows = (
        Membership.objects.filter(person_id__in=people)
        .exclude(since__gte=end)
        .exclude(until__lt=start)
        .values_list("person_id", "context_id", "since", "until")
    )
    periods: dict[int, list[tuple[int, date | None, date | None]]] = defaultdict(list)
    for person, context, since, until in rows:
        periods[person].append((context, since, until))
    return periods


# --- The stored decisions (outcomes.pulse_release) ------------------------------------------------


def stored_pulse_release(kind: str, month_start: date) -> PulseRelease | None:
    return PulseRelease.objects.filter(kind=kind, month=month_start).first()


def current_figures(release: PulseRelease) -> list[PulseAggregate]:
    """The month's figures as released (or withheld): one per group, largest first."""
    figures = map(_as_aggregate, release.figures.filter(current=True))
    return sorted(figures, key=lambda figure: figure.order)


def released_figures(release: PulseRelease) -> list[PulseAggregate]:
    """Every figure ever released for the month, superseded ones too (readers may hold them)."""
    return [_as_aggregate(row) for row in release.figures.filter(withheld="").order_by("id")]


def _as_aggregate(row: PulseFigure) -> PulseAggregate:
    scale = None
    if row.scale_min is not None and row.scale_max is not None:
        scale = (row.scale_min, row.scale_max)
    return PulseAggregate(
        key=row.group,
        label=row.label,
        people=row.people,
        answers=row.answers,
        mean=row.mean,
        scale=scale,
        mean_normalized=row.mean_normalized,
        withheld=row.withheld,
        counted=frozenset((person, answer, revision) for person, answer, revision in row.counted),
        decided_at=row.decided_at,
        current=row.current,
    )


# --- backtests and the per-person forecast switch -----------------------------------------------


def backtest_results() -> QuerySet[BacktestResult]:
    """Every stored backtest, newest first."""
    return BacktestResult.objects.order_by("-created_at", "-id")


def latest_backtests() -> list[BacktestResult]:
    """The newest backtest of each outcome (of each KPI for team results), by outcome."""
    found: dict[tuple[str, str], BacktestResult] = {}
    for result in backtest_results():
        found.setdefault((result.outcome, result.metric), result)
    order = list(OutcomeKind.values)
    return sorted(found.values(), key=lambda result: (order.index(result.outcome), result.metric))


def person_forecast_switch_changes() -> QuerySet[PersonForecastSwitch]:
    """The changes of the per-person forecast switch, newest first."""
    return PersonForecastSwitch.objects.order_by("-at", "-id")


def person_forecasts_enabled() -> bool:
    """Whether HR switched per-person forecasts on: the newest change says; off without one."""
    newest = person_forecast_switch_changes().first()
    return newest is not None and newest.enabled
