"""Differencing attacks planted in SQL for the release rule's tests (analytics.release): people,
memberships and succeeded runs that measured them (nothing mined, no Neo4j).

Every scenario has six outsiders (X1-X6, in no context), so that the organization is never within
4 people of a context: only the pairs a test is about conflict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from analytics.models import MiningRun
from people.models import Context, Membership, Person
from tests.support.planting import context_metrics, planted_run

END = datetime(2026, 10, 1, tzinfo=UTC)  # run 1's window ends here: its last day is 2026-09-30
NEXT_END = END + timedelta(days=7)  # the next weekly run
FIRST_DAY_AFTER_RUN_1 = date(2026, 10, 1)


def person(external_id: str, manager: Person | None = None) -> Person:
    return Person.objects.create(
        external_id=external_id, name=f"Person {external_id}", manager=manager
    )


def team_of(manager: Person, count: int) -> list[Person]:
    """The manager and `count` direct reports P1..P<count>."""
    return [manager, *(person(f"P{n}", manager) for n in range(1, count + 1))]


def outsiders() -> list[Person]:
    return [person(f"X{n}") for n in range(1, 7)]


def join(context: Context, people: list[Person], since: date | None = None) -> None:
    Membership.objects.bulk_create(
        Membership(person=someone, context=context, since=since) for someone in people
    )


def run_measuring(end: datetime, people: int, sizes: dict[Context, int]) -> MiningRun:
    """A succeeded run ending at `end` with the org's head count and each context's size (and an
    energy, the aggregate a reader would subtract)."""
    run = planted_run(end, {"people": people, "viability": 60.0})
    for context, size in sizes.items():
        context_metrics(run, context, size=size, energy=float(size))
    return run


@dataclass(frozen=True)
class Overlap:
    """team:Core (the manager M and P1-P5: 6) and project:Core minus one (the same minus M: 5, all
    M's reports, so M may read both), measured in one run: subtracting them would isolate M."""

    manager: Person
    team: Context
    subset: Context
    run: MiningRun


def overlapping_groups() -> Overlap:
    core = team_of(person("M"), 5)
    outsiders()
    team = Context.objects.create(kind="team", name="Core")
    subset = Context.objects.create(kind="project", name="Core minus one")
    join(team, core)
    join(subset, core[1:])
    run = run_measuring(END, len(core) + 6, {team: 6, subset: 5})
    return Overlap(core[0], team, subset, run)


@dataclass(frozen=True)
class Growth:
    """team:Core with M and P1-P5 (6) in run 1, and P6 too (7) in the next run: subtracting
    run 1's aggregates from run 2's would isolate P6."""

    manager: Person
    team: Context
    before: MiningRun
    after: MiningRun


def growing_team() -> Growth:
    core = team_of(person("M"), 6)
    outsiders()
    team = Context.objects.create(kind="team", name="Core")
    join(team, core[:-1])
    join(team, core[-1:], since=FIRST_DAY_AFTER_RUN_1)
    before = run_measuring(END, len(core) + 6, {team: 6})
    after = run_measuring(NEXT_END, len(core) + 6, {team: 7})
    return Growth(core[0], team, before, after)
