"""Recognition equity and the people it misses.

Sources: Gini (1912) for inequality of recognition received; "invisible work" (Star & Strauss,
CSCW 8, 1999) for contributors who are active but never recognized; why isolation matters
(Holt-Lunstad, Smith & Layton, PLoS Medicine 7, e1000316, 2010). `recognition_ring` is
Sociograph's operational definition of a closed group recognizing mostly itself; no published
source is claimed for its thresholds. The search looks inside groups above the maximum size, and a
ring fires only when its internal recognitions exceed what the same search finds in seeded
degree-preserving rewirings of the recognition graph (analytics.nullmodels; p-value in detail).
Subjects are the people present at the window's end
(people.roster); recognitions that departed people gave or received while present still count in
the others' totals, but a ring is made of present people only.
"""

from __future__ import annotations

from collections import defaultdict
from typing import LiteralString

from analytics import measures, nullmodels
from analytics.patterns.base import Family, FamilyResult, FindingResult, Window
from analytics.patterns.roster import events_per_person, load_roster
from sociograph.graph import gateway

RECOGNITIONS: LiteralString = """
MATCH (giver:Person)-[r:RECOGNIZED]->(receiver:Person)
WHERE $start <= r.ts < $end AND giver <> receiver
  AND NOT giver.opted_out AND NOT receiver.opted_out
RETURN giver.uuid AS giver, receiver.uuid AS receiver, count(r) AS recognitions
"""

DEFAULTS = {
    "invisible_contributor_percentile": 0.75,
    "ring_min_given": 3,
    "ring_min_share": 0.8,
    "ring_min_recognizers": 2,
    "ring_min_size": 3,
    "ring_max_size": 12,
    "ring_rewirings": nullmodels.DEFAULT_PERMUTATIONS,
    "ring_alpha": nullmodels.DEFAULT_ALPHA,
    "ring_seed": 0,
}


def ring_findings(
    pairs: dict[tuple[str, str], int], settings: dict[str, float], result: FamilyResult
) -> None:
    rules = nullmodels.RingRules(
        min_given=int(settings["ring_min_given"]),
        min_share=settings["ring_min_share"],
        min_recognizers=int(settings["ring_min_recognizers"]),
        sizes=(int(settings["ring_min_size"]), int(settings["ring_max_size"])),
    )
    tests = nullmodels.recognition_ring_tests(
        pairs,
        rules,
        rewirings=int(settings["ring_rewirings"]),
        alpha=float(settings["ring_alpha"]),
        seed=int(settings["ring_seed"]),
    )
    for ring in tests:
        if ring.fires:
            detail = {
                "people": len(ring.members),
                "internal_recognitions": ring.internal,
                "expected": ring.expected,
                "p_value": ring.p_value,
                "rewirings": int(settings["ring_rewirings"]),
            }
            result.findings.append(
                FindingResult("recognition_ring", "warning", tuple(ring.members), detail=detail)
            )


def compute(window: Window) -> FamilyResult:
    settings = {**DEFAULTS, **window.params}
    span = {"start": window.start, "end": window.end}
    result = FamilyResult()
    present = load_roster(window).present
    people = sorted(present)
    received: dict[str, int] = defaultdict(int)
    given: dict[str, int] = defaultdict(int)
    pairs: dict[tuple[str, str], int] = {}
    for row in gateway.read(RECOGNITIONS, **span):
        received[row["receiver"]] += row["recognitions"]
        given[row["giver"]] += row["recognitions"]
        if row["giver"] in present and row["receiver"] in present:
            pairs[row["giver"], row["receiver"]] = row["recognitions"]
    ring_findings(dict(sorted(pairs.items())), settings, result)  # Neo4j's order varies
    events = events_per_person(window)  # interaction events with the person at either end
    for person in people:
        result.person[person, "recognition_received"] = received.get(person, 0)
        result.person[person, "recognition_given"] = given.get(person, 0)
    if people:
        counts = [float(received.get(person, 0)) for person in people]
        equity = measures.gini(counts)
        if equity is not None:
            result.org["recognition_gini"] = equity
        result.org["never_recognized_share"] = sum(1 for c in counts if c == 0) / len(people)
        result.org["people"] = len(people)
    threshold = (
        measures.percentile(
            [float(events.get(p, 0)) for p in people], settings["invisible_contributor_percentile"]
        )
        if people
        else 0.0
    )
    for person in people:
        if not received.get(person):
            if not events.get(person):
                result.findings.append(FindingResult("isolation", "warning", (person,)))
            elif events[person] >= threshold:
                result.findings.append(
                    FindingResult(
                        "invisible_contributor",
                        "info",
                        (person,),
                        detail={"events": events[person], "threshold": threshold},
                    )
                )
    return result


FAMILY = Family(
    name="recognition",
    person_metrics=("recognition_received", "recognition_given"),
    context_metrics=(),
    org_metrics=("recognition_gini", "never_recognized_share", "people"),
    patterns=("isolation", "invisible_contributor", "recognition_ring"),
    compute=compute,
)
