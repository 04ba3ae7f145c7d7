"""Communication health of people and the organization, from the interaction graph G.

G is directed: an arc i -> j when i had at least one interaction with j in the window;
self-loops are ignored; people who opted out of analytics are not in G. G keeps the events of
people who left during the window, but only the people present at its end (people.roster) are
the subjects of metrics and findings; a present person without interactions has degree 0 and
partner entropy 0.

Sources: reciprocity as in networkx.reciprocity (Newman, Networks, 2010); betweenness (Freeman
1977; Brandes 2001), normalized as networkx does; constraint (Burt, Structural Holes, 1992);
burstiness over distinct event instants (Goh & Barabasi, EPL 81, 48002, 2008) and its
finite-size correction (Kim & Jo, Phys. Rev. E 94, 032311, 2016); partner entropy (Shannon
1948, normalized).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from typing import LiteralString

from analytics import measures
from analytics.patterns.base import Family, FamilyResult, FindingResult, Window
from analytics.patterns.roster import (
    Arcs,
    events_per_person,
    graph_people,
    load_arcs,
    load_roster,
)
from sociograph.graph import gateway

# Every interaction event of each person, as source or target.
EVENT_TIMES: LiteralString = """
MATCH (p:Person)-[i:INTERACTED]-(other:Person)
WHERE $start <= i.ts < $end AND p <> other AND NOT p.opted_out AND NOT other.opted_out
RETURN p.uuid AS person, collect(i.ts) AS times
"""


def degree_metrics(present: frozenset[str], arcs: Arcs, result: FamilyResult) -> None:
    """Degrees of the people present (0 for isolates); reciprocity where they have out-arcs."""
    out_partners: dict[str, set[str]] = defaultdict(set)
    in_partners: dict[str, set[str]] = defaultdict(set)
    for source, target in arcs:
        out_partners[source].add(target)
        in_partners[target].add(source)
    for person in present:
        outs = out_partners.get(person, set())
        result.person[person, "out_degree"] = len(outs)
        result.person[person, "in_degree"] = len(in_partners.get(person, set()))
        if outs:
            answered = sum(1 for target in outs if (target, person) in arcs)
            result.person[person, "reciprocity"] = answered / len(outs)
    if arcs:
        reciprocated = sum(1 for source, target in arcs if (target, source) in arcs)
        result.org["reciprocity"] = reciprocated / len(arcs)


def partner_entropy(present: frozenset[str], arcs: Arcs, result: FamilyResult) -> None:
    """Evenness of each present person's events over partners (0 for isolates)."""
    events_with: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (source, target), events in arcs.items():
        events_with[source][target] += events
        events_with[target][source] += events
    for person in present:
        partners = events_with.get(person, {})
        result.person[person, "partner_entropy"] = measures.normalized_entropy(partners.values())


def structural_metrics(
    people: list[str], present: frozenset[str], arcs: Arcs, result: FamilyResult
) -> None:
    """Betweenness and constraint on G (all its nodes), kept for the people present."""
    graph = measures.undirected_graph(people, arcs.keys())
    for person, value in zip(people, measures.normalized_betweenness(graph), strict=True):
        if person in present:
            result.person[person, "betweenness"] = value
    for person, constraint in zip(people, measures.burt_constraint(graph), strict=True):
        if constraint is not None and person in present:
            result.person[person, "constraint"] = constraint
    result.graph_size.update(people=len(people), arcs=len(arcs), ties=graph.ecount())


def burstiness_metrics(window: Window, present: frozenset[str], result: FamilyResult) -> None:
    for row in gateway.read(EVENT_TIMES, start=window.start, end=window.end):
        if row["person"] not in present:
            continue
        value = measures.burstiness(row["times"])
        if value is not None:
            result.person[row["person"], "burstiness"] = value
        corrected = measures.burstiness_corrected(row["times"])
        if corrected is not None:
            result.person[row["person"], "burstiness_corrected"] = corrected


DEFAULTS = {
    "broker_top_share": 0.05,
    "narrow_pattern_min_events": 20,
    "narrow_pattern_max_entropy": 0.3,
}


def _values(result: FamilyResult, metric: str) -> dict[str, float]:
    return {person: value for (person, name), value in result.person.items() if name == metric}


def broker_findings(people: Iterable[str], result: FamilyResult, top_share: float) -> None:
    """Top `top_share` of betweenness (and above 0) with below-median constraint."""
    betweenness, constraint = _values(result, "betweenness"), _values(result, "constraint")
    if not betweenness or not constraint:
        return
    cut = measures.percentile(list(betweenness.values()), 1 - top_share)
    median = statistics.median(constraint.values())
    for person in sorted(people):
        score = betweenness.get(person, 0.0)
        if score > 0 and score >= cut and constraint.get(person, median) < median:
            detail = {"betweenness": score, "constraint": constraint[person]}
            result.findings.append(FindingResult("broker", "info", (person,), detail=detail))


def narrow_pattern_findings(
    events: dict[str, int], result: FamilyResult, settings: dict[str, float]
) -> None:
    for person, entropy in _values(result, "partner_entropy").items():
        if (
            events.get(person, 0) >= settings["narrow_pattern_min_events"]
            and entropy < settings["narrow_pattern_max_entropy"]
        ):
            detail = {"events": events[person], "partner_entropy": entropy}
            result.findings.append(
                FindingResult("narrow_pattern", "info", (person,), detail=detail)
            )


def compute(window: Window) -> FamilyResult:
    settings = {**DEFAULTS, **window.params}
    result = FamilyResult()
    present = load_roster(window).present
    arcs = load_arcs(window)
    degree_metrics(present, arcs, result)
    partner_entropy(present, arcs, result)
    structural_metrics(graph_people(window), present, arcs, result)
    burstiness_metrics(window, present, result)
    broker_findings(present, result, settings["broker_top_share"])
    narrow_pattern_findings(events_per_person(window), result, settings)
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
        "burstiness_corrected",
    ),
    context_metrics=(),
    org_metrics=("reciprocity",),
    patterns=("broker", "narrow_pattern"),
    compute=compute,
)
