"""Communication health of people and the organization, from the interaction graph G.

G is directed: an arc i -> j when i had at least one interaction with j in the window;
self-loops are ignored; people who opted out of analytics are not in G.

Sources: reciprocity as in networkx.reciprocity (Newman, Networks, 2010); betweenness (Freeman
1977; Brandes 2001), normalized as networkx does; constraint (Burt, Structural Holes, 1992);
burstiness (Goh & Barabasi, EPL 81, 48002, 2008); partner entropy (Shannon 1948, normalized).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import LiteralString

from analytics import measures
from analytics.patterns.base import Family, FamilyResult, FindingResult, Window
from sociograph.graph import gateway

ACTIVE_PEOPLE: LiteralString = """
MATCH (p:Person) WHERE p.active AND NOT p.opted_out
RETURN p.uuid AS person ORDER BY person
"""

# One row per arc of G with its event count.
ARCS: LiteralString = """
MATCH (a:Person)-[i:INTERACTED]->(b:Person)
WHERE $start <= i.ts < $end AND a <> b AND NOT a.opted_out AND NOT b.opted_out
RETURN a.uuid AS source, b.uuid AS target, count(i) AS events
"""

# Every interaction event of each person, as source or target.
EVENT_TIMES: LiteralString = """
MATCH (p:Person)-[i:INTERACTED]-(other:Person)
WHERE $start <= i.ts < $end AND p <> other AND NOT p.opted_out AND NOT other.opted_out
RETURN p.uuid AS person, collect(i.ts) AS times
"""

Arcs = dict[tuple[str, str], int]


def load_arcs(window: Window) -> Arcs:
    """The arcs of G with their event counts, read once per run execution."""
    if "arcs" not in window.shared:
        rows = gateway.read(ARCS, start=window.start, end=window.end)
        window.shared["arcs"] = {(row["source"], row["target"]): int(row["events"]) for row in rows}
    arcs: Arcs = window.shared["arcs"]
    return arcs


def degree_metrics(arcs: Arcs, result: FamilyResult) -> None:
    out_partners: dict[str, set[str]] = defaultdict(set)
    in_partners: dict[str, set[str]] = defaultdict(set)
    for source, target in arcs:
        out_partners[source].add(target)
        in_partners[target].add(source)
    for person in out_partners.keys() | in_partners.keys():
        outs = out_partners.get(person, set())
        result.person[person, "out_degree"] = len(outs)
        result.person[person, "in_degree"] = len(in_partners.get(person, set()))
        if outs:
            answered = sum(1 for target in outs if (target, person) in arcs)
            result.person[person, "reciprocity"] = answered / len(outs)
    if arcs:
        reciprocated = sum(1 for source, target in arcs if (target, source) in arcs)
        result.org["reciprocity"] = reciprocated / len(arcs)


def partner_entropy(arcs: Arcs, result: FamilyResult) -> None:
    events_with: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (source, target), events in arcs.items():
        events_with[source][target] += events
        events_with[target][source] += events
    for person, partners in events_with.items():
        result.person[person, "partner_entropy"] = measures.normalized_entropy(partners.values())


def structural_metrics(people: list[str], arcs: Arcs, result: FamilyResult) -> None:
    graph = measures.undirected_graph(people, arcs.keys())
    for person, value in zip(people, measures.normalized_betweenness(graph), strict=True):
        result.person[person, "betweenness"] = value
    for person, constraint in zip(people, measures.burt_constraint(graph), strict=True):
        if constraint is not None:
            result.person[person, "constraint"] = constraint
    result.graph_size.update(people=len(people), arcs=len(arcs), ties=graph.ecount())


def burstiness_metrics(window: Window, result: FamilyResult) -> None:
    for row in gateway.read(EVENT_TIMES, start=window.start, end=window.end):
        value = measures.burstiness(row["times"])
        if value is not None:
            result.person[row["person"], "burstiness"] = value


DEFAULTS = {
    "broker_top_share": 0.05,
    "narrow_pattern_min_events": 20,
    "narrow_pattern_max_entropy": 0.3,
}


def _values(result: FamilyResult, metric: str) -> dict[str, float]:
    return {person: value for (person, name), value in result.person.items() if name == metric}


def broker_findings(people: list[str], result: FamilyResult, top_share: float) -> None:
    """Top `top_share` of betweenness (and above 0) with below-median constraint."""
    betweenness, constraint = _values(result, "betweenness"), _values(result, "constraint")
    if not betweenness or not constraint:
        return
    cut = measures.percentile(list(betweenness.values()), 1 - top_share)
    median = statistics.median(constraint.values())
    for person in people:
        score = betweenness.get(person, 0.0)
        if score > 0 and score >= cut and constraint.get(person, median) < median:
            detail = {"betweenness": score, "constraint": constraint[person]}
            result.findings.append(FindingResult("broker", "info", (person,), detail=detail))


def narrow_pattern_findings(arcs: Arcs, result: FamilyResult, settings: dict[str, float]) -> None:
    events: dict[str, int] = defaultdict(int)
    for (source, target), count in arcs.items():
        events[source] += count
        events[target] += count
    for person, entropy in _values(result, "partner_entropy").items():
        if (
            events[person] >= settings["narrow_pattern_min_events"]
            and entropy < settings["narrow_pattern_max_entropy"]
        ):
            detail = {"events": events[person], "partner_entropy": entropy}
            result.findings.append(
                FindingResult("narrow_pattern", "info", (person,), detail=detail)
            )


def compute(window: Window) -> FamilyResult:
    settings = {**DEFAULTS, **window.params}
    result = FamilyResult()
    people = [row["person"] for row in gateway.read(ACTIVE_PEOPLE)]
    arcs = load_arcs(window)
    degree_metrics(arcs, result)
    partner_entropy(arcs, result)
    structural_metrics(people, arcs, result)
    burstiness_metrics(window, result)
    broker_findings(people, result, settings["broker_top_share"])
    narrow_pattern_findings(arcs, result, settings)
    return result


FAMILY = Family(
    name="communication",
    person_metrics=(
        "in_degree",
        "out_degree",
        "reciprocity",
        "partner_entropy",
        "betweenness",
        "constraint",
        "burstiness",
    ),
    context_metrics=(),
    org_metrics=("reciprocity",),
    patterns=("broker", "narrow_pattern"),
    compute=compute,
)
