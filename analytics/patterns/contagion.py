"""Emotional contagion over three degrees of influence.

A person's affect is the time-decayed mean affect of the recognitions and interactions they gave
and received in the window that carry an affect: weights exp(-age / tau), age measured back from
the window's end, tau = 30 days by default. `affect_exposure` of i sums over d = 1..3 the weight
w_d = (1, 0.64, 0.37) times the mean affect of the people at undirected distance exactly d in G.

Source: Fowler & Christakis, BMJ 337:a2338 (2008), three degrees of influence. Caveat: homophily
and contagion are generically confounded in observational network data (Shalizi & Thomas,
Sociological Methods & Research 40, 2011): exposure shows where affect clusters, not who caused it.
"""

from __future__ import annotations

from typing import LiteralString

import igraph

from analytics import measures
from analytics.patterns.base import Family, FamilyResult, FindingResult, Window
from analytics.patterns.roster import graph_people, load_arcs, load_roster
from sociograph.graph import gateway

SECONDS_PER_DAY = 86400

PERSON_AFFECT: LiteralString = """
MATCH (a:Person)-[r:RECOGNIZED|INTERACTED]->(b:Person)
WHERE $start <= r.ts < $end AND r.affect IS NOT NULL AND a <> b
  AND NOT a.opted_out AND NOT b.opted_out
WITH a, b, r.affect AS affect, exp(-toFloat($end - r.ts) / $tau) AS weight
UNWIND [a.uuid, b.uuid] AS person
RETURN person, sum(affect * weight) AS weighted, sum(weight) AS weights
"""

DEFAULTS = {
    "contagion_tau_days": 30.0,
    "negative_contagion_max_exposure": -0.3,
    "negative_contagion_min_people": 3,
}


def person_affect(window: Window, tau_days: float) -> dict[str, float]:
    rows = gateway.read(
        PERSON_AFFECT, start=window.start, end=window.end, tau=tau_days * SECONDS_PER_DAY
    )
    return {row["person"]: row["weighted"] / row["weights"] for row in rows if row["weights"] > 0}


def negative_groups(
    graph: igraph.Graph, people: list[str], exposure: dict[str, float], limit: float, size: int
) -> list[list[str]]:
    """Connected sets of `size`+ people in G, each with exposure <= `limit`."""
    low = [index for index, person in enumerate(people) if exposure.get(person, 0.0) <= limit]
    low = [index for index in low if people[index] in exposure]
    groups = graph.induced_subgraph(low).connected_components()
    return [
        sorted(people[low[member]] for member in group) for group in groups if len(group) >= size
    ]


def compute(window: Window) -> FamilyResult:
    settings = {**DEFAULTS, **window.params}
    result = FamilyResult()
    present = load_roster(window).present
    people = graph_people(window)
    graph = measures.undirected_graph(people, load_arcs(window).keys())
    affect = person_affect(window, settings["contagion_tau_days"])
    values = measures.affect_exposure(graph, [affect.get(person) for person in people])
    exposure = {
        person: value
        for person, value in zip(people, values, strict=True)
        if value is not None and person in present
    }
    for person, value in exposure.items():
        result.person[person, "affect_exposure"] = value
    present_affect = [value for person, value in affect.items() if person in present]
    if present_affect:
        result.org["mean_affect"] = sum(present_affect) / len(present_affect)
    for group in negative_groups(
        graph,
        people,
        exposure,
        settings["negative_contagion_max_exposure"],
        settings["negative_contagion_min_people"],
    ):
        result.findings.append(
            FindingResult(
                "negative_contagion", "critical", tuple(group), detail={"people": len(group)}
            )
        )
    return result


FAMILY = Family(
    name="contagion",
    person_metrics=("affect_exposure",),
    context_metrics=(),
    org_metrics=("mean_affect",),
    patterns=("negative_contagion",),
    compute=compute,
)
