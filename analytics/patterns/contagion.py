"""Emotional contagion over three degrees of influence.

A person's affect is the time-decayed mean affect of the recognitions and interactions they
gave in the window that carry an affect (what they expressed): weights exp(-age / tau), age
measured back from the window's end, tau = 30 days by default. `affect_exposure` of i sums over
d = 1..3 the weight w_d = (1, 0.64, 0.37) times the mean affect of the people at undirected
distance exactly d in G; at distance 1, a partner's affect as i sees it leaves out the events
the partner gave i.

A group of people with low exposure is a `negative_contagion` finding only when a seeded
permutation test of affect over the same graph says such a group is unlikely by chance
(analytics.nullmodels, p-value in the detail) and its effect is large; severity follows the
effect size, not the org's mood.

Source: Fowler & Christakis, BMJ 337:a2338 (2008), three degrees of influence. Caveat: homophily
and contagion are generically confounded in observational network data (Shalizi & Thomas,
Sociological Methods & Research 40, 2011): exposure shows where affect clusters, not who caused it.
"""

from __future__ import annotations

import math
from typing import Any, LiteralString

import igraph

from analytics import measures, nullmodels
from analytics.patterns.base import Family, FamilyResult, FindingResult, Window
from analytics.patterns.roster import graph_people, load_arcs, load_roster
from sociograph.graph import gateway

SECONDS_PER_DAY = 86400

# Time-decayed affect sums per arc. A person's affect is what they expressed (the events they
# gave): read from both ends, each event would make its two people alike by construction.
ARC_AFFECT: LiteralString = """
MATCH (a:Person)-[r:RECOGNIZED|INTERACTED]->(b:Person)
WHERE $start <= r.ts < $end AND r.affect IS NOT NULL AND a <> b
  AND NOT a.opted_out AND NOT b.opted_out
WITH a, b, r.affect AS affect, exp(-toFloat($end - r.ts) / $tau) AS weight
RETURN a.uuid AS source, b.uuid AS target, sum(affect * weight) AS weighted,
       sum(weight) AS weights
"""

DEFAULTS = {
    "contagion_tau_days": 30.0,
    "negative_contagion_min_people": 3,
    "negative_contagion_min_effect": 3.0,
    "negative_contagion_permutations": nullmodels.DEFAULT_PERMUTATIONS,
    "negative_contagion_alpha": nullmodels.DEFAULT_ALPHA,
    "negative_contagion_seed": 0,
}


def affect_sums(window: Window, people: list[str], tau_days: float) -> nullmodels.AffectSums:
    """Per person of G (the events they gave) and per ordered pair (giver, receiver), in G's
    order; what i sees of a partner j leaves out the events j gave i."""
    index = {person: position for position, person in enumerate(people)}
    weighted, weights = [0.0] * len(people), [0.0] * len(people)
    pairs: dict[tuple[int, int], tuple[float, float]] = {}
    tau = tau_days * SECONDS_PER_DAY
    for row in gateway.read(ARC_AFFECT, start=window.start, end=window.end, tau=tau):
        source, target = index.get(row["source"]), index.get(row["target"])
        if source is None or target is None:
            continue  # someone employed on no day of the window
        weighted[source] += row["weighted"]
        weights[source] += row["weights"]
        before = pairs.get((source, target), (0.0, 0.0))
        pairs[source, target] = (before[0] + row["weighted"], before[1] + row["weights"])
    return nullmodels.AffectSums(weighted, weights, pairs, directed=True)


def contagion_findings(
    graph: igraph.Graph,
    people: list[str],
    present: frozenset[str],
    sums: nullmodels.AffectSums,
    settings: dict[str, Any],
) -> list[FindingResult]:
    """Groups whose low exposure is beyond what permuting affect over G produces, and large:
    at least `negative_contagion_min_effect` robust SDs below the org (a warning; critical from
    4): a significant but slight dip is not a claim worth making about named people."""
    min_people = int(settings["negative_contagion_min_people"])
    groups = nullmodels.negative_contagion_groups(
        graph,
        sums,
        min_people=min_people,
        permutations=int(settings["negative_contagion_permutations"]),
        alpha=float(settings["negative_contagion_alpha"]),
        seed=int(settings["negative_contagion_seed"]),
    )
    findings = []
    for group in groups:
        members = tuple(sorted(people[m] for m in group.members if people[m] in present))
        material = group.effect_size <= -float(settings["negative_contagion_min_effect"])
        if not (group.fires and material) or len(members) < min_people:
            continue
        detail = {
            "people": len(members),
            "p_value": group.p_value,
            "effect_size": group.effect_size,
            "exposure_gap": group.gap,
            "permutations": int(settings["negative_contagion_permutations"]),
        }
        findings.append(FindingResult("negative_contagion", group.severity, members, detail=detail))
    return findings


def compute(window: Window) -> FamilyResult:
    settings = {**DEFAULTS, **window.params}
    result = FamilyResult()
    present = load_roster(window).present
    people = graph_people(window)
    graph = measures.undirected_graph(people, load_arcs(window).keys())
    sums = affect_sums(window, people, settings["contagion_tau_days"])
    values = nullmodels.partner_excluded_exposure(graph, sums)
    affect = {
        person: float(value)
        for person, value in zip(people, sums.affect(), strict=True)
        if not math.isnan(value)
    }
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
    result.findings.extend(contagion_findings(graph, people, present, sums, settings))
    return result


FAMILY = Family(
    name="contagion",
    person_metrics=("affect_exposure",),
    context_metrics=(),
    org_metrics=("mean_affect",),
    patterns=("negative_contagion",),
    compute=compute,
)
