"""Communication health of contexts (teams, projects, communities, topics) and of the org.

Members are the active people, not opted out, with a MEMBER_OF relationship to the context.
Sources: E-I index (Krackhardt & Stern, Social Psychology Quarterly 51, 1988); energy,
engagement and exploration (Pentland, "The New Science of Building Great Teams", HBR 2012);
Freeman centralization (Freeman, Social Networks 1, 1979); modularity (Newman & Girvan, PRE 69,
2004); Gini (1912).
"""

from __future__ import annotations

from collections import defaultdict
from typing import LiteralString

from analytics import measures
from analytics.patterns.base import Family, FamilyResult, FindingResult, Window
from analytics.patterns.communication import ACTIVE_PEOPLE, Arcs, load_arcs
from sociograph.graph import gateway

MEMBERS: LiteralString = """
MATCH (p:Person)-[:MEMBER_OF]->(c:Context)
WHERE p.active AND NOT p.opted_out
RETURN c.uuid AS context, c.kind AS kind, c.key AS key, collect(p.uuid) AS members
"""

FOLLOWS_BY_CONTEXT: LiteralString = """
MATCH (follower:Person)-[r:FOLLOWS]->(leader:Person)
WHERE r.since < $end AND (r.until IS NULL OR r.until >= $start) AND r.context IS NOT NULL
  AND follower <> leader AND NOT follower.opted_out AND NOT leader.opted_out
RETURN r.context AS context, follower.uuid AS follower, leader.uuid AS leader
"""

RECOGNITIONS_BY_CONTEXT: LiteralString = """
MATCH (giver:Person)-[r:RECOGNIZED]->(receiver:Person)
WHERE $start <= r.ts < $end AND r.context IS NOT NULL
  AND NOT giver.opted_out AND NOT receiver.opted_out
RETURN r.context AS context, receiver.uuid AS receiver, count(r) AS recognitions
"""

DEFAULTS = {"silo_min_members": 5, "silo_max_exploration": 0.1}
SECONDS_PER_WEEK = 7 * 24 * 3600


class ContextTally:
    """Interaction counts of one context, accumulated arc by arc."""

    def __init__(self, members: set[str]) -> None:
        self.members = members
        self.inside_events = 0
        self.touching_events = 0
        self.crossing_events = 0
        self.inside_arcs = 0
        self.leaving_arcs = 0
        self.events_of: dict[str, int] = defaultdict(int)

    def add(self, source: str, target: str, events: int) -> None:
        source_in, target_in = source in self.members, target in self.members
        self.touching_events += events
        if source_in and target_in:
            self.inside_events += events
            self.inside_arcs += 1
            self.events_of[source] += events
            self.events_of[target] += events
        else:
            self.crossing_events += events
            if source_in:
                self.leaving_arcs += 1


def freeman_in_degree_centralization(members: set[str], arcs: set[tuple[str, str]]) -> float:
    """Sum over members of (max in-degree - in-degree), over its maximum (n - 1)^2."""
    n = len(members)
    if n < 2:
        return 0.0
    in_degree = dict.fromkeys(members, 0)
    for follower, leader in arcs:
        if follower in members and leader in members:
            in_degree[leader] += 1
    top = max(in_degree.values())
    return sum(top - degree for degree in in_degree.values()) / ((n - 1) ** 2)


def _tallies(members: dict[str, set[str]], arcs: Arcs) -> dict[str, ContextTally]:
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
    window: Window, members: dict[str, set[str]], arcs: Arcs, result: FamilyResult
) -> None:
    weeks = max((window.end - window.start) / SECONDS_PER_WEEK, 1e-9)
    for context, tally in _tallies(members, arcs).items():
        size = len(tally.members)
        result.context[context, "size"] = size
        result.context[context, "energy"] = tally.inside_events / size / weeks
        counts = [float(tally.events_of.get(member, 0)) for member in tally.members]
        inequality = measures.gini(counts)
        if inequality is not None:
            result.context[context, "engagement"] = 1 - inequality
        if tally.touching_events:
            result.context[context, "exploration"] = tally.crossing_events / tally.touching_events
        if tally.inside_arcs + tally.leaving_arcs:
            result.context[context, "ei_index"] = (tally.leaving_arcs - tally.inside_arcs) / (
                tally.leaving_arcs + tally.inside_arcs
            )


def _leadership_and_recognition(
    window: Window, members: dict[str, set[str]], result: FamilyResult
) -> None:
    span = {"start": window.start, "end": window.end}
    follows: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in gateway.read(FOLLOWS_BY_CONTEXT, **span):
        follows[row["context"]].add((row["follower"], row["leader"]))
    received: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in gateway.read(RECOGNITIONS_BY_CONTEXT, **span):
        received[row["context"]][row["receiver"]] += row["recognitions"]
    for context, people in members.items():
        result.context[context, "leadership_centralization"] = freeman_in_degree_centralization(
            people, follows.get(context, set())
        )
        counts = [float(received.get(context, {}).get(person, 0)) for person in people]
        equity = measures.gini(counts)
        if equity is not None:
            result.context[context, "recognition_gini"] = equity


def _org_metrics(
    people: list[str], teams: dict[str, set[str]], arcs: Arcs, result: FamilyResult
) -> None:
    team_of: dict[str, set[str]] = defaultdict(set)
    for team, team_members in teams.items():
        for person in team_members:
            team_of[person].add(team)
    external = internal = 0
    for source, target in arcs:
        if not team_of.get(source):
            continue
        if team_of[source] & team_of.get(target, set()):
            internal += 1
        else:
            external += 1
    if external + internal:
        result.org["ei_index"] = (external - internal) / (external + internal)
    graph = measures.undirected_graph(people, arcs.keys())
    if graph.ecount():
        result.org["modularity_of_teams"] = measures.modularity(graph, people, team_of)


def compute(window: Window) -> FamilyResult:
    settings = {**DEFAULTS, **window.params}
    result = FamilyResult()
    rows = gateway.read(MEMBERS)
    members = {row["context"]: set(row["members"]) for row in rows}
    teams = {row["key"]: set(row["members"]) for row in rows if row["kind"] == "team"}
    arcs = load_arcs(window)
    _context_metrics(window, members, arcs, result)
    _leadership_and_recognition(window, members, result)
    people = [row["person"] for row in gateway.read(ACTIVE_PEOPLE)]
    _org_metrics(people, teams, arcs, result)
    for context, people_in in members.items():
        exploration = result.context.get((context, "exploration"))
        if (
            len(people_in) >= settings["silo_min_members"]
            and exploration is not None
            and exploration < settings["silo_max_exploration"]
        ):
            result.findings.append(
                FindingResult(
                    "silo",
                    "warning",
                    (),
                    context=context,
                    detail={"exploration": exploration, "members": len(people_in)},
                    sensitive=False,
                )
            )
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
