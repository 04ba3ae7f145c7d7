"""Who belonged to the organization, and to which context, during a window: the one rule that
mining, the portal, the API and reports apply, so results describe the organization as it was.

- Employment runs from `joined_on` (first day, open when empty) to the day before `left_on`
  (`left_on` is the first day no longer employed). A person marked inactive without a
  `left_on` left at an unknown date: they are employed on no day at all.
- A membership period runs from `since` to `until`, both inclusive (open when empty), and only
  while the person is employed.
- Metrics of a context count the members whose period overlaps the window; findings,
  leadership and the subjects of every result are the people employed (and members) on the
  window's last day. People who opted out of analytics are in no roster.

A window is `[start, end)` in epoch seconds; its days are those of `start` to `end - 1 s`, UTC.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Q


def day_of(epoch_seconds: float) -> date:
    return datetime.fromtimestamp(epoch_seconds, tz=UTC).date()


def window_days(start: float, end: float) -> tuple[date, date]:
    """First and last day of the window `[start, end)`."""
    return day_of(start), day_of(max(start, end - 1))


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def employed_during(
    joined_on: date | str | None,
    left_on: date | str | None,
    is_active: bool,
    first: date,
    last: date,
) -> bool:
    """Employed on at least one day of `first..last` (inclusive)."""
    joined, left = _as_date(joined_on), _as_date(left_on)
    if left is None and not is_active:
        return False
    return (joined is None or joined <= last) and (left is None or left > first)


def employed_on(
    joined_on: date | str | None, left_on: date | str | None, is_active: bool, day: date
) -> bool:
    return employed_during(joined_on, left_on, is_active, day, day)


def period_overlaps(
    since: date | str | None, until: date | str | None, first: date, last: date
) -> bool:
    """The inclusive period `since..until` shares a day with `first..last`."""
    start, stop = _as_date(since), _as_date(until)
    return (start is None or start <= last) and (stop is None or stop >= first)


# The same rules for SQL reads (portal, API, reports), on Person and Membership querysets.
def employed_on_q(day: date, prefix: str = "") -> Q:
    dated = Q(**{f"{prefix}left_on__isnull": False, f"{prefix}left_on__gt": day})
    undated = Q(**{f"{prefix}left_on__isnull": True, f"{prefix}is_active": True})
    joined = Q(**{f"{prefix}joined_on__isnull": True}) | Q(**{f"{prefix}joined_on__lte": day})
    return joined & (dated | undated)


def membership_in_force_q(day: date) -> Q:
    """Memberships whose period includes `day`, of people employed on `day`."""
    since = Q(since__isnull=True) | Q(since__lte=day)
    until = Q(until__isnull=True) | Q(until__gte=day)
    return since & until & employed_on_q(day, prefix="person__")


@dataclass(frozen=True)
class Roster:
    """The people and context members of one window, read once per mining run."""

    present: frozenset[str]  # employed on the window's last day, not opted out
    employed: frozenset[str]  # employed on some day of the window, not opted out
    members_at_end: Mapping[str, frozenset[str]]  # context uuid -> present members
    members_in_window: Mapping[str, frozenset[str]]  # context uuid -> members at any time
    contexts: Mapping[str, dict[str, str]]  # context uuid -> {"kind", "key"}
    roles: Mapping[tuple[str, str], frozenset[str]]  # (context, person) -> roles at the end

    def members_of_kind(self, kind: str, at_end: bool = False) -> dict[str, frozenset[str]]:
        members = self.members_at_end if at_end else self.members_in_window
        return {c: people for c, people in members.items() if self.contexts[c]["kind"] == kind}


def employed_span(
    joined_on: date | str | None,
    left_on: date | str | None,
    is_active: bool,
    first: date,
    last: date,
) -> tuple[date, date] | None:
    """The days of `first..last` on which the person was employed, or None."""
    if not employed_during(joined_on, left_on, is_active, first, last):
        return None
    joined, left = _as_date(joined_on), _as_date(left_on)
    lo = max(first, joined) if joined else first
    hi = min(last, left - timedelta(days=1)) if left else last
    return lo, hi


def build_roster(
    people: Iterable[Mapping[str, Any]],
    memberships: Iterable[Mapping[str, Any]],
    start: float,
    end: float,
) -> Roster:
    """`people` rows: uuid, active, opted_out, joined_on, left_on; `memberships` rows: person,
    context, kind, key, role, since, until (as projected into Neo4j)."""
    first, last = window_days(start, end)
    spans: dict[str, tuple[date, date]] = {}
    for row in people:
        if row["opted_out"]:
            continue
        span = employed_span(row["joined_on"], row["left_on"], bool(row["active"]), first, last)
        if span is not None:
            spans[row["uuid"]] = span
    present = {person for person, (_, hi) in spans.items() if hi == last}
    at_end: dict[str, set[str]] = defaultdict(set)
    during: dict[str, set[str]] = defaultdict(set)
    contexts: dict[str, dict[str, str]] = {}
    roles: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in memberships:
        person, context = row["person"], row["context"]
        contexts[context] = {"kind": row["kind"], "key": row["key"]}
        span = spans.get(person)
        if span is None or not period_overlaps(row["since"], row["until"], *span):
            continue
        during[context].add(person)
        if person in present and period_overlaps(row["since"], row["until"], last, last):
            at_end[context].add(person)
            if row["role"]:
                roles[context, person].add(row["role"])
    return Roster(
        present=frozenset(present),
        employed=frozenset(spans),
        members_at_end={c: frozenset(p) for c, p in at_end.items()},
        members_in_window={c: frozenset(p) for c, p in during.items()},
        contexts=contexts,
        roles={key: frozenset(value) for key, value in roles.items()},
    )
