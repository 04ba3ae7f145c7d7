"""The release rule for survey aggregates, decided once per kind and month and stored.

Below hr_admin, survey answers leave the system only as monthly aggregates per group (the org,
each context) under the rule of analytics.release: a group of fewer than MIN_GROUP_SIZE people is
withheld, and no two released figures may differ by the answers of 1 to MAX_DIFFERENCE people
(subtracting them would isolate those people). Nor may any combination of the month's released
figures (added and subtracted: org - Alpha - Beta is Gamma) single out 1 to MAX_DIFFERENCE people
that the figures released before did not already single out: after the pair rule, the smallest
figure released in the decision whose removal ends such a combination is withheld, until none is
left (analytics.release.span_leaks says what is searched and what is not).

Answers keep arriving after a month ends (late imports, corrections, deletions). Deciding again at
every read would let a reader subtract two reads of the same group. So a month is decided the
first time it is read once it is over, and what it released is frozen (PulseRelease,
PulseFigure): later reads show the same figures, whatever was imported since. A month that is not
over releases nothing and stores nothing; nor does a read that releases nothing (no answers yet,
or only groups withheld): with nothing released there is nothing to subtract from, so the next
read decides afresh.

HR re-releases a month (`release_pulse_month`) after late answers: each group's figure is then
computed again from the stored answers and released only when it may be, compared with every
figure ever released for the month (superseded ones too, since readers may have kept them). A
group whose answers are unchanged keeps its figure; one whose new figure would isolate people
keeps its released figure (the late answers are held) or stays withheld.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from django.db import transaction
from django.utils import timezone

from analytics.release import (
    FEW_PEOPLE,
    MAX_DIFFERENCE,
    enough_people,
    isolates,
    span_leaks,
)
from outcomes.models import PulseFigure, PulseRelease
from outcomes.selectors import (
    PulseAggregate,
    current_figures,
    month_bounds,
    pulse_groups,
    released_figures,
    stored_pulse_release,
)

MONTH_NOT_OVER = "the month is not over"
KEPT = "kept"  # its answers are those of its released figure: nothing changes
RELEASED = "released"  # a new figure is released (replacing an earlier one, if any)
HELD = "held"  # the released figure stays; the new answers would isolate people
WITHHELD = "withheld"  # nothing released for the group


@dataclass(frozen=True)
class Decision:
    figure: PulseAggregate  # the group's figure from the answers stored now
    outcome: str  # KEPT, RELEASED, HELD or WITHHELD
    reason: str = ""  # why HELD or WITHHELD


class MonthNotOver(ValueError):
    pass


def pulse_aggregates(kind: str, month: str) -> list[PulseAggregate]:
    """Every group's figure of `kind` answers in `month` (YYYY-MM), largest first, released or
    withheld: the month's stored decision, taken and stored now when it is the month's first
    read since it ended that releases anything. Withheld figures are for HR admins only.
    ValueError when `month` is not a month."""
    start, end = month_bounds(month)
    if not _is_over(end):
        live = pulse_groups(kind, start, end)
        return [replace(figure, withheld=MONTH_NOT_OVER) for figure in live]
    release = stored_pulse_release(kind, start)
    if release is None:
        decisions = decide(pulse_groups(kind, start, end), {}, [])
        if not any(decision.outcome == RELEASED for decision in decisions):
            return [_as_decided(decision) for decision in decisions]  # nothing to freeze yet
        release, _ = _store_first(kind, start, decisions)
    return current_figures(release)


def release_pulse_month(kind: str, month: str) -> list[Decision]:
    """HR's re-release of a month after late answers (or its first decision): every group's
    figure computed from the answers stored now and released only where the rule allows it
    against every figure released for the month before. Stored only once something is released
    (with nothing released, reads decide afresh). MonthNotOver when it is not over."""
    start, end = month_bounds(month)
    if not _is_over(end):
        raise MonthNotOver(f"{month} is not over: its answers are released once it is")
    with transaction.atomic():
        release = PulseRelease.objects.select_for_update().filter(kind=kind, month=start).first()
        if release is None:
            decisions = decide(pulse_groups(kind, start, end), {}, [])
            if any(decision.outcome == RELEASED for decision in decisions):
                _, stored = _store_first(kind, start, decisions)
                if not stored:  # a reader decided the month meanwhile: revise that decision
                    return release_pulse_month(kind, month)
            return decisions
        current = {figure.key: figure for figure in current_figures(release)}
        decisions = decide(pulse_groups(kind, start, end), current, released_figures(release))
        _store(release, decisions, current)
        release.revised_at = timezone.now()
        release.save(update_fields=["revised_at"])
    return decisions


def decide(
    groups: Iterable[PulseAggregate],
    current: dict[str, PulseAggregate],
    released_before: list[PulseAggregate],
) -> list[Decision]:
    """Apply the rule to the groups' figures (largest first) given each group's current figure
    and every figure released before; the figures released here count for the next groups. Then
    no combination of all the month's released figures may single out people it did not before
    (`_refuse_combinations`)."""
    released = list(released_before)
    decisions = []
    for figure in groups:
        before = current.get(figure.key)
        shown = before if before is not None and not before.withheld else None
        if shown is not None and shown.counted == figure.counted:
            decisions.append(Decision(figure, KEPT))
            continue
        reason = reason_to_withhold(figure, released)
        if not reason:
            released.append(figure)
            decisions.append(Decision(figure, RELEASED))
        else:
            decisions.append(Decision(figure, WITHHELD if shown is None else HELD, reason))
    return _refuse_combinations(decisions, current, released_before)


def _refuse_combinations(
    decisions: list[Decision],
    current: dict[str, PulseAggregate],
    released_before: list[PulseAggregate],
) -> list[Decision]:
    """While the figures released before and those released here, added and subtracted
    together, would single out 1..MAX_DIFFERENCE people that the figures released before did
    not already single out, the smallest figure released here whose removal ends that is
    withheld (held, when its group has a released figure). One check of the whole family when
    nothing is singled out; more only to choose what to withhold."""
    if not any(decision.outcome == RELEASED for decision in decisions):
        return decisions
    known = _singled_out(released_before) if released_before else set()
    while True:
        released_here = [d.figure for d in decisions if d.outcome == RELEASED]
        new = _singled_out([*released_before, *released_here]) - known
        if not new:
            return decisions
        group = min(new, key=lambda people: (len(people), sorted(people)))
        withheld = _figure_to_withhold(released_here, released_before, group)
        reason = f"with other released figures, would single out {_count(group)}"
        decisions = [
            _withheld(d, current, reason) if d.figure is withheld else d for d in decisions
        ]


def _figure_to_withhold(
    released_here: list[PulseAggregate],
    released_before: list[PulseAggregate],
    group: frozenset[int],
) -> PulseAggregate:
    """The smallest figure released here without which `group` is no longer singled out (the
    smallest one, when no single figure is enough)."""
    smallest_first = sorted(released_here, key=lambda figure: figure.order, reverse=True)
    for figure in smallest_first:
        others = [other for other in released_here if other is not figure]
        if group not in _singled_out([*released_before, *others]):
            return figure
    return smallest_first[0]


def _singled_out(figures: list[PulseAggregate]) -> set[frozenset[int]]:
    """The groups of people some combination of the figures singles out (analytics.release)."""
    return span_leaks([figure.counted for figure in figures], _person_of)


def _person_of(item: tuple[int, int, int]) -> int:
    return item[0]  # (person, answer, revision)


def _withheld(decision: Decision, current: dict[str, PulseAggregate], reason: str) -> Decision:
    before = current.get(decision.figure.key)
    shown = before is not None and not before.withheld
    return Decision(decision.figure, HELD if shown else WITHHELD, reason)


def _count(people: frozenset[int] | set[int]) -> str:
    return "1 person" if len(people) == 1 else f"{len(people)} people"


def reason_to_withhold(figure: PulseAggregate, released: Iterable[PulseAggregate]) -> str:
    if not enough_people(figure.people):
        return FEW_PEOPLE
    for other in sorted(released, key=lambda other: other.key != figure.key):  # its own first
        if abs(other.people - figure.people) > MAX_DIFFERENCE:
            continue  # the people only one of them counts are at least this many
        difference = figure.person_difference(other)
        if isolates(difference):
            return f"differs by {_count(difference)} from {_name_of(other, figure)}"
    return ""


def _name_of(other: PulseAggregate, figure: PulseAggregate) -> str:
    if other.decided_at is None:
        return other.label  # released in this decision
    day = f"{timezone.localdate(other.decided_at):%Y-%m-%d}"
    if other.key == figure.key:
        return f"its figure released on {day}"
    return other.label if other.current else f"{other.label} as released on {day}"


def _is_over(end: date) -> bool:
    return end <= timezone.localdate()


def _store_first(kind: str, start: date, decisions: list[Decision]) -> tuple[PulseRelease, bool]:
    """Store a month's first decision (True), unless another reader stored one first (False: the
    unique month makes the second insert wait for the first, then read it)."""
    with transaction.atomic():
        release, created = PulseRelease.objects.get_or_create(kind=kind, month=start)
        if created:
            _store(release, decisions, {})
    return release, created


def _as_decided(decision: Decision) -> PulseAggregate:
    return replace(decision.figure, withheld=decision.reason)


def _store(
    release: PulseRelease, decisions: list[Decision], current: dict[str, PulseAggregate]
) -> None:
    changed = [d for d in decisions if d.outcome in (RELEASED, WITHHELD)]
    replaced = [d.figure.key for d in changed if d.figure.key in current]
    superseded = release.figures.filter(current=True, group__in=replaced)
    superseded.filter(withheld="").update(current=False)  # kept: readers may hold them
    superseded.exclude(withheld="").delete()  # never released: nothing to remember
    PulseFigure.objects.bulk_create(_row(release, decision) for decision in changed)


def _row(release: PulseRelease, decision: Decision) -> PulseFigure:
    figure = decision.figure
    low, high = figure.scale if figure.scale else (None, None)
    released = decision.outcome == RELEASED
    return PulseFigure(
        release=release,
        group=figure.key,
        label=figure.label,
        people=figure.people,
        answers=figure.answers,
        mean=figure.mean,
        scale_min=low,
        scale_max=high,
        mean_normalized=figure.mean_normalized,
        withheld="" if released else decision.reason,
        counted=sorted(map(list, figure.counted)) if released else [],
    )
