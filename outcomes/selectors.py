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
from datetime import date

from django.db.models import QuerySet

from analytics.release import FEW_PEOPLE, MAX_DIFFERENCE, ORG, enough_people, isolates
from outcomes.models import PULSE_KINDS, BacktestResult, Outcome, OutcomeKind, PersonForecastSwitch
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


# --- Aggregates of survey answers under the release rule ----------------------------------------


def month_bounds(text: str) -> tuple[date, date]:
    """`YYYY-MM` -> (its first day, the next month's first day); ValueError when not a month."""
    match = _MONTH.fullmatch(text)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{text[:20]!r} is not a month (YYYY-MM)")
    year, month = int(match.group(1)), int(match.group(2))
    start = date(year, month, 1)
    return start, date(year + month // 12, month % 12 + 1, 1)


@dataclass(frozen=True)
class Answer:
    id: int
    person_id: int
    context_id: int | None
    at: date
    value: float
    scale: tuple[float, float]

    @property
    def normalized(self) -> float:
        low, high = self.scale
        return (self.value - low) / (high - low)


@dataclass(frozen=True)
class PulseAggregate:
    """The answers of one group (the org, or a context) to one kind of survey in one month."""

    key: str  # ORG or a context id (str)
    label: str  # "org" or kind:name
    answers: tuple[Answer, ...]
    withheld: str = ""  # why the release rule withholds it; "" when released

    @property
    def people(self) -> int:
        return len({answer.person_id for answer in self.answers})

    @property
    def mean(self) -> float | None:
        """The mean answer on the scale, when the answers share one scale."""
        if len({answer.scale for answer in self.answers}) != 1:
            return None
        return sum(answer.value for answer in self.answers) / len(self.answers)

    @property
    def scale(self) -> tuple[float, float] | None:
        scales = {answer.scale for answer in self.answers}
        return next(iter(scales)) if len(scales) == 1 else None

    @property
    def mean_normalized(self) -> float:
        """The mean answer rescaled to 0-1 (0 the scale's minimum): comparable across scales."""
        return sum(answer.normalized for answer in self.answers) / len(self.answers)

    @property
    def order(self) -> tuple[int, bool, str]:
        return (-self.people, self.key != ORG, self.label)

    def person_difference(self, other: PulseAggregate) -> set[int]:
        """The people whose answers one aggregate counts and the other does not."""
        mine = {answer.id: answer.person_id for answer in self.answers}
        theirs = {answer.id: answer.person_id for answer in other.answers}
        person_of = mine | theirs
        return {person_of[key] for key in mine.keys() ^ theirs.keys()}


def pulse_aggregates(kind: str, month: str) -> list[PulseAggregate]:
    """The org's and every context's aggregate of `kind` answers in `month` (YYYY-MM), each
    released or withheld by the release rule (analytics.release), largest first.

    A context counts the answers naming it, and the answers naming no context of people who were
    its members on the answer's day. Months never overlap, so two months cannot be subtracted;
    within a month, a group is withheld when under MIN_GROUP_SIZE people, or when its answers
    differ by 1-4 people from a larger group already released (the smaller of the pair)."""
    start, end = month_bounds(month)
    answers = _answers(kind, start, end)
    groups = [PulseAggregate(ORG, "org", tuple(answers))] if answers else []
    groups += _context_groups(answers, start, end)
    return _released(sorted(groups, key=lambda group: group.order))


def _answers(kind: str, start: date, end: date) -> list[Answer]:
    rows = pulse_answers(start, end, [kind]).values_list(
        "pk", "person_id", "context_id", "at", "value", "scale_min", "scale_max"
    )
    return [
        Answer(pk, person, context, at, value, (low, high))
        for pk, person, context, at, value, low, high in rows
        if person is not None and value is not None and low is not None and high is not None
    ]


def _context_groups(answers: list[Answer], start: date, end: date) -> list[PulseAggregate]:
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
        PulseAggregate(str(context), labels[context], tuple(group))
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


def _released(groups: list[PulseAggregate]) -> list[PulseAggregate]:
    released: list[PulseAggregate] = []
    decided: list[PulseAggregate] = []
    for group in groups:
        reason = _reason_to_withhold(group, released)
        if not reason:
            released.append(group)
        decided.append(PulseAggregate(group.key, group.label, group.answers, reason))
    return decided


def _reason_to_withhold(group: PulseAggregate, released: list[PulseAggregate]) -> str:
    if not enough_people(group.people):
        return FEW_PEOPLE
    for other in released:
        if abs(other.people - group.people) > MAX_DIFFERENCE:
            continue  # the people only one of them counts are at least this many
        difference = group.person_difference(other)
        if isolates(difference):
            count = len(difference)
            people = "1 person" if count == 1 else f"{count} people"
            return f"differs by {people} from {other.label}"
    return ""


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
