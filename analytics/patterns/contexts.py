"""Communication health of contexts (teams, projects, communities, topics) and of the org.

Members (people.roster): for the metrics of a context, the people whose membership period
overlaps the window while they were employed; for its leadership and its findings, those in it at
the window's end. Events of people who left count for the others while they were present.
Sources: E-I index (Krackhardt & Stern, Social Psychology Quarterly 51, 1988); energy,
engagement and exploration (Pentland, "The New Science of Building Great Teams", HBR 2012);
Freeman centralization (Freeman, Social Networks 1, 1979); modularity (Newman & Girvan, PRE 69,
2004); Gini (1912).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any, LiteralString

from analytics import measures, nullmodels
from analytics.patterns.base import Family, FamilyResult, FindingResult, Window
from analytics.patterns.roster import (
    Arcs,
    Follow,
    events_per_person,
    follows_at_end,
    graph_people,
    load_arcs,
    load_roster,
)
from sociograph.graph import gateway

RECOGNITIONS_BY_CONTEXT: LiteralString = """
MATCH (giver:Person)-[r:RECOGNIZED]->(receiver:Person)
WHERE $start <= r.ts < $end AND r.context IS NOT NULL
  AND NOT giver.opted_out AND NOT receiver.opted_out
RETURN r.context AS context, receiver.uuid AS receiver, count(r) AS recognitions
"""

DEFAULTS = {
    "silo_min_members": 5,
    "silo_max_exploration": nullmodels.SILO_MAX_EXPLORATION,
    "silo_alpha": nullmodels.DEFAULT_ALPHA,
}
SECONDS_PER_WEEK = 7 * 24 * 3600


class ContextTally:
    """Interaction counts of one context, accumulated arc by arc."""

    def __init__(self, members: frozenset[str]) -> None:
        self.members = members
        self.inside_events = 0
        self.touching_events = 0
        self.crossing_events = 0
        self.inside_ties: set[tuple[str, str]] = set()
        self.crossing_ties: set[tuple[str, str]] = set()
        self.events_of: dict[str, int] = defaultdict(int)

    def add(self, source: str, target: str, events: int) -> None:
        source_in, target_in = source in self.members, target in self.members
        tie = (min(source, target), max(source, target))
        self.touching_events += events
        if source_in and target_in:
            self.inside_events += events
            self.inside_ties.add(tie)
            self.events_of[source] += events
            self.events_of[target] += events
        else:
            self.crossing_events += events
            self.crossing_ties.add(tie)

    def ei_index(self) -> float | None:
        """Krackhardt & Stern's (E - I) / (E + I) over undirected ties, each pair once."""
        external, internal = len(self.crossing_ties), len(self.inside_ties)
        if not external + internal:
            return None
        return (external - internal) / (external + internal)


def freeman_in_degree_centralization(
    members: frozenset[str], arcs: set[tuple[str, str]]
) -> float | None:
    """Sum over members of (max in-degree - in-degree), over its maximum (n - 1)^2; None when
    fewer than two members or no follow between members (no data is not "perfectly shared")."""
    n = len(members)
    inside = {(a, b) for a, b in arcs if a in members and b in members and a != b}
    if n < 2 or not inside:
        return None
    in_degree = dict.fromkeys(members, 0)
    for _, leader in inside:
        in_degree[leader] += 1
    top = max(in_degree.values())
    return sum(top - degree for degree in in_degree.values()) / ((n - 1) ** 2)


def _tallies(members: Mapping[str, frozenset[str]], arcs: Arcs) -> dict[str, ContextTally]:
    contexts_of: dict[str, set[str]] = defaultdict(set)
    for context, people in members.items():
        for person in people:
            contexts_of[person].add(context)
    tallies = {context: ContextTally(people) for context, people in members.items()}
    for (source, target), events in arcs.items():
        for context in contexts_of.get(source, set()) | contexts_of.get(target, set()):
            tallies[context].add(source, target, events)
    return tallies


def _context_metrics(
    window: Window, members: Mapping[str, frozenset[str]], arcs: Arcs, result: FamilyResult
) -> dict[str, ContextTally]:
    weeks = max((window.end - window.start) / SECONDS_PER_WEEK, 1e-9)
    tallies = _tallies(members, arcs)
    for context, tally in tallies.items():
        size = len(tally.members)
        result.context[context, "size"] = size
        result.context[context, "energy"] = tally.inside_events / size / weeks
        counts = [float(tally.events_of.get(member, 0)) for member in tally.members]
        inequality = measures.gini(counts)
        if inequality is not None:
            result.context[context, "engagement"] = 1 - inequality
        if tally.touching_events:
            result.context[context, "exploration"] = tally.crossing_events / tally.touching_events
        ei_index = tally.ei_index()
        if ei_index is not None:
            result.context[context, "ei_index"] = ei_index
    return tallies


def _follows_by_context(follows: list[Follow]) -> dict[str, set[tuple[str, str]]]:
    by_context: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for follower, leader, context in follows:
        if context is not None:
            by_context[context].add((follower, leader))
    return by_context


def _leadership_and_recognition(window: Window, result: FamilyResult) -> None:
    roster = load_roster(window)
    follows = _follows_by_context(follows_at_end(window))
    for context, people in roster.members_at_end.items():
        centralization = freeman_in_degree_centralization(people, follows.get(context, set()))
        if centralization is not None:
            result.context[context, "leadership_centralization"] = centralization
    received: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in gateway.read(RECOGNITIONS_BY_CONTEXT, start=window.start, end=window.end):
        received[row["context"]][row["receiver"]] += row["recognitions"]
    for context, people in roster.members_in_window.items():
        counts = [float(received.get(context, {}).get(person, 0)) for person in people]
        equity = measures.gini(counts)
        if equity is not None:
            result.context[context, "recognition_gini"] = equity


def _org_metrics(
    people: list[str], teams: Mapping[str, frozenset[str]], arcs: Arcs, result: FamilyResult
) -> None:
    team_of: dict[str, set[str]] = defaultdict(set)
    for team, team_members in teams.items():
        for person in team_members:
            team_of[person].add(team)
    external = internal = 0
    for source, target in {(min(a, b), max(a, b)) for a, b in arcs}:  # undirected ties
        if not (team_of.get(source) or team_of.get(target)):
            continue
        if team_of.get(source, set()) & team_of.get(target, set()):
            internal += 1
        else:
            external += 1
    if external + internal:
        result.org["ei_index"] = (external - internal) / (external + internal)
    graph = measures.undirected_graph(people, arcs.keys())
    if graph.ecount():
        result.org["modularity_of_teams"] = measures.modularity(graph, people, team_of)


def silo_findings(
    tallies: dict[str, ContextTally],
    members_at_end: Mapping[str, frozenset[str]],
    events_of: dict[str, int],
    settings: dict[str, Any],
) -> list[FindingResult]:
    """Contexts of `silo_min_members`+ people at the window's end whose exploration is low and
    below half of what random mixing would give them (analytics.nullmodels.silo_test)."""
    total_events = sum(events_of.values()) // 2  # each event has two ends
    findings = []
    for context, people_in in sorted(members_at_end.items()):
        tally = tallies.get(context)
        if tally is None or len(people_in) < settings["silo_min_members"]:
            continue
        if not tally.touching_events:
            continue
        test = nullmodels.silo_test(
            tally.inside_events,
            tally.crossing_events,
            [events_of.get(member, 0) for member in tally.members],
            total_events,
            max_exploration=settings["silo_max_exploration"],
            alpha=settings["silo_alpha"],
        )
        if test.is_silo:
            detail = {
                "exploration": test.observed,
                "expected_exploration": test.expected,
                "p_value": test.p_value,
                "members": len(people_in),
            }
            findings.append(
                FindingResult(
                    "silo", "warning", (), context=context, detail=detail, sensitive=False
                )
            )
    return findings


def compute(window: Window) -> FamilyResult:
    settings = {**DEFAULTS, **window.params}
    result = FamilyResult()
    roster = load_roster(window)
    arcs = load_arcs(window)
    tallies = _context_metrics(window, roster.members_in_window, arcs, result)
    _leadership_and_recognition(window, result)
    # Teams by key (kind:name), not uuid: modularity counts a person in several teams in the
    # alphabetically first, which must not depend on the uuids an import happened to draw.
    teams = {roster.contexts[c]["key"] or c: m for c, m in roster.members_of_kind("team").items()}
    _org_metrics(graph_people(window), teams, arcs, result)
    events_of = events_per_person(window)
    result.findings.extend(silo_findings(tallies, roster.members_at_end, events_of, settings))
    return result


FAMILY = Family(
    name="contexts",
    person_metrics=(),
    context_metrics=(
        "size",
        "energy",
        "engagement",
        "exploration",
        "ei_index",
        "leadership_centralization",
        "recognition_gini",
    ),
    org_metrics=("ei_index", "modularity_of_teams"),
    patterns=("silo",),
    compute=compute,
)
