"""The leadership gaps, one rule for the miner (org-wide, analytics.patterns.leadership) and the
portal's leadership view of a context (web.portal.selectors): pure Python, over whatever ids the
caller uses (Neo4j uuids, SQL primary keys).

- A formal leader holds a lead role, or manages people who count (their direct reports).
- A formal leader is recognized when someone who counts followed or recognized them: anyone for a
  lead-role holder, one of their direct reports for a manager.
- The gaps: informal leaders (followed by `min_followers`+ distinct people who count, and no
  formal leader) and unrecognized formal leaders.

Who counts (present, not opted out, a member of the context) is the caller's to decide before:
every person in the inputs counts.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

P = TypeVar("P", bound=Hashable)  # a person's id


@dataclass(frozen=True)
class FormalLeaders(Generic[P]):
    lead_holders: frozenset[P] = frozenset()
    teams: Mapping[P, frozenset[P]] = field(default_factory=dict)  # manager -> direct reports

    @property
    def managers(self) -> frozenset[P]:
        return frozenset(manager for manager, team in self.teams.items() if team)

    @property
    def everyone(self) -> frozenset[P]:
        return self.lead_holders | self.managers

    def recognized(self, ties: Iterable[tuple[P, P]]) -> frozenset[P]:
        """Those recognized by the (person, leader) ties: follows and recognitions alike."""
        return frozenset(
            leader
            for person, leader in ties
            if leader in self.lead_holders or person in self.teams.get(leader, ())
        )


@dataclass(frozen=True)
class Gaps(Generic[P]):
    informal: frozenset[P]
    unrecognized: frozenset[P]


def leadership_gaps(
    formal: FormalLeaders[P],
    followers: Mapping[P, int],
    ties: Iterable[tuple[P, P]],
    min_followers: int,
) -> Gaps[P]:
    """The gaps given each leader's number of distinct followers and the (person, leader) ties
    (follows and recognitions) that may recognize a formal leader."""
    leaders = formal.everyone
    informal = frozenset(
        person
        for person, count in followers.items()
        if count >= min_followers and person not in leaders
    )
    return Gaps(informal, leaders - formal.recognized(ties))
