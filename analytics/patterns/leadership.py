"""Earned leadership: whom people choose to follow, per context, against the formal hierarchy.

Leadership is read at the window's end: the follows in force then (started before the end, not
ended before it), between people present then (people.roster). A follower who switched leader
during the window has one leader, not two; a follow recorded twice counts once; nobody follows
or is followed by a person who has left. People who opted out of analytics are left out on both
ends.

Sources: leadership as a relationship granted by followers (Uhl-Bien, Leadership Quarterly 17,
2006; DeRue & Ashford, AMR 35, 2010); "attention blindness" and several leaders per person, one
per context, is Sociograph's operating definition (see docs/analytics.md).
"""

from __future__ import annotations

from collections import defaultdict
from typing import LiteralString

from analytics.leadership_gaps import FormalLeaders, leadership_gaps
from analytics.patterns.base import Family, FamilyResult, FindingResult, Window
from analytics.patterns.roster import Follow, follows_at_end, load_roster
from sociograph.graph import gateway

REPORTING_LINES: LiteralString = """
MATCH (report:Person)-[:REPORTS_TO]->(manager:Person)
WHERE report <> manager
RETURN report.uuid AS report, manager.uuid AS manager
"""

# Reports who recognized their manager during the window.
RECOGNIZED_MANAGERS: LiteralString = """
MATCH (report:Person)-[g:RECOGNIZED]->(manager:Person)
WHERE $start <= g.ts < $end AND (report)-[:REPORTS_TO]->(manager)
RETURN DISTINCT report.uuid AS report, manager.uuid AS manager
"""

DEFAULTS = {
    "informal_leader_min_followers": 3,
    "single_point_min_share": 0.8,
    "single_point_min_followers": 3,
}
MIN_PEOPLE_FOR_SHARES = 5  # org shares over fewer people are not stored


def leaders_of(follows: list[Follow]) -> dict[str, set[str]]:
    leaders: dict[str, set[str]] = defaultdict(set)
    for follower, leader, _ in follows:
        leaders[follower].add(leader)
    return leaders


def followers_of(follows: list[Follow]) -> dict[str, set[str]]:
    followers: dict[str, set[str]] = defaultdict(set)
    for follower, leader, _ in follows:
        followers[leader].add(follower)
    return followers


def leader_counts(present: frozenset[str], follows: list[Follow], result: FamilyResult) -> None:
    leaders = leaders_of(follows)
    for follower, chosen in leaders.items():
        result.person[follower, "leader_count"] = len(chosen)
        if len(chosen) == 1:
            result.findings.append(FindingResult("attention_blindness", "warning", (follower,)))
    if len(present) >= MIN_PEOPLE_FOR_SHARES:
        single = sum(1 for chosen in leaders.values() if len(chosen) == 1)
        result.org["single_leader_share"] = single / len(present)


def reports_of(window: Window) -> dict[str, frozenset[str]]:
    """Each present manager's present direct reports."""
    present = load_roster(window).present
    reports: dict[str, set[str]] = defaultdict(set)
    for row in gateway.read(REPORTING_LINES):
        if row["report"] in present and row["manager"] in present:
            reports[row["manager"]].add(row["report"])
    return {manager: frozenset(team) for manager, team in reports.items()}


def recognized_managers(window: Window) -> list[tuple[str, str]]:
    """(report, manager) for each report who recognized their manager during the window."""
    rows = gateway.read(RECOGNIZED_MANAGERS, start=window.start, end=window.end)
    return [(row["report"], row["manager"]) for row in rows]


def gap_findings(
    window: Window,
    follows: list[Follow],
    reports: dict[str, frozenset[str]],
    min_followers: int,
) -> list[FindingResult]:
    """Informal leaders (no present direct reports, `min_followers`+ distinct followers) and
    managers none of whose present reports follows them at the window's end or recognized them
    during the window: the rule of analytics.leadership_gaps, org-wide."""
    followers = followers_of(follows)
    ties = [(follower, leader) for follower, leader, _ in follows] + recognized_managers(window)
    gaps = leadership_gaps(
        FormalLeaders(teams=reports),
        {leader: len(chosen_by) for leader, chosen_by in followers.items()},
        ties,
        min_followers,
    )
    informal = [
        FindingResult(
            "informal_leader", "info", (leader,), detail={"followers": len(followers[leader])}
        )
        for leader in sorted(gaps.informal)
    ]
    unrecognized = [
        FindingResult(
            "unrecognized_formal_leader",
            "warning",
            (manager,),
            detail={"direct_reports": len(reports[manager])},
        )
        for manager in sorted(gaps.unrecognized)
    ]
    return informal + unrecognized


def single_point_leaders(
    follows: list[Follow], min_share: float, min_followers: int
) -> list[FindingResult]:
    """A context in which one person is chosen by at least `min_share` of the distinct
    (follower, leader) pairs made there, by at least `min_followers` distinct followers."""
    by_context: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for follower, leader, context in follows:
        if context is not None:
            by_context[context][leader].add(follower)
    found = []
    for context, followers in sorted(by_context.items()):
        total = sum(len(chosen_by) for chosen_by in followers.values())
        for leader, chosen_by in sorted(followers.items()):
            share = len(chosen_by) / total
            if len(chosen_by) >= min_followers and share >= min_share:
                detail = {"share": share, "followers": len(chosen_by)}
                found.append(
                    FindingResult(
                        "single_point_leader", "warning", (leader,), context=context, detail=detail
                    )
                )
    return found


def compute(window: Window) -> FamilyResult:
    settings = {**DEFAULTS, **window.params}
    result = FamilyResult()
    follows = follows_at_end(window)
    leader_counts(load_roster(window).present, follows, result)
    min_followers = int(settings["informal_leader_min_followers"])
    result.findings.extend(gap_findings(window, follows, reports_of(window), min_followers))
    result.findings.extend(
        single_point_leaders(
            follows,
            settings["single_point_min_share"],
            int(settings["single_point_min_followers"]),
        )
    )
    return result


FAMILY = Family(
    name="leadership",
    person_metrics=("leader_count",),
    context_metrics=(),
    org_metrics=("single_leader_share",),
    patterns=(
        "attention_blindness",
        "informal_leader",
        "unrecognized_formal_leader",
        "single_point_leader",
    ),
    compute=compute,
)
