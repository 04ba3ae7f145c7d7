"""Earned leadership: whom people choose to follow, per context, against the formal hierarchy.

A follow is in force during the window when it started before the window's end and did not end
before its start. People who opted out of analytics are left out on both ends.

Sources: leadership as a relationship granted by followers (Uhl-Bien, Leadership Quarterly 17,
2006; DeRue & Ashford, AMR 35, 2010); "attention blindness" and several leaders per person, one
per context, is Sociograph's operating definition (see docs/analytics.md).
"""

from __future__ import annotations

from typing import LiteralString

from analytics.patterns.base import Family, FamilyResult, FindingResult, Window
from sociograph.graph import gateway

LEADER_COUNTS: LiteralString = """
MATCH (follower:Person)-[r:FOLLOWS]->(leader:Person)
WHERE r.since < $end AND (r.until IS NULL OR r.until >= $start) AND follower.active
  AND follower <> leader AND NOT follower.opted_out AND NOT leader.opted_out
RETURN follower.uuid AS person, count(DISTINCT leader) AS leader_count
"""

# A person without direct reports whom `$min_followers` or more distinct people follow.
INFORMAL_LEADERS: LiteralString = """
MATCH (follower:Person)-[r:FOLLOWS]->(leader:Person)
WHERE r.since < $end AND (r.until IS NULL OR r.until >= $start)
  AND follower <> leader AND NOT follower.opted_out AND NOT leader.opted_out
  AND NOT EXISTS { MATCH (:Person)-[:REPORTS_TO]->(leader) }
WITH leader, count(DISTINCT follower) AS followers
WHERE followers >= $min_followers
RETURN leader.uuid AS person, followers
"""

# A person with direct reports none of whom follows them or recognized them in the window.
UNRECOGNIZED_FORMAL_LEADERS: LiteralString = """
MATCH (report:Person)-[:REPORTS_TO]->(manager:Person)
WHERE NOT manager.opted_out AND NOT report.opted_out
WITH manager, collect(report) AS reports
WHERE NONE(report IN reports WHERE
    EXISTS { MATCH (report)-[r:FOLLOWS]->(manager)
             WHERE r.since < $end AND (r.until IS NULL OR r.until >= $start) }
    OR EXISTS { MATCH (report)-[g:RECOGNIZED]->(manager) WHERE $start <= g.ts < $end })
RETURN manager.uuid AS person, size(reports) AS reports
"""

# A context in which one person receives at least `$min_share` of the follows made there,
# from at least `$min_followers` distinct followers.
SINGLE_POINT_LEADERS: LiteralString = """
MATCH (follower:Person)-[r:FOLLOWS]->(leader:Person)
WHERE r.since < $end AND (r.until IS NULL OR r.until >= $start)
  AND follower <> leader AND NOT follower.opted_out AND NOT leader.opted_out
WITH r.context AS context, leader, count(r) AS follows, count(DISTINCT follower) AS followers
WITH context, sum(follows) AS total, collect({leader: leader.uuid, follows: follows,
     followers: followers}) AS leaders
UNWIND leaders AS top
WITH context, total, top
WHERE top.followers >= $min_followers AND toFloat(top.follows) / total >= $min_share
RETURN context, top.leader AS person, top.follows AS follows, total, top.followers AS followers
"""

DEFAULTS = {
    "informal_leader_min_followers": 3,
    "single_point_min_share": 0.8,
    "single_point_min_followers": 3,
}


def compute(window: Window) -> FamilyResult:
    settings = {**DEFAULTS, **window.params}
    span = {"start": window.start, "end": window.end}
    result = FamilyResult()
    for row in gateway.read(LEADER_COUNTS, **span):
        result.person[row["person"], "leader_count"] = row["leader_count"]
        if row["leader_count"] == 1:
            result.findings.append(
                FindingResult(
                    "attention_blindness",
                    "warning",
                    (row["person"],),
                )
            )
    min_followers = settings["informal_leader_min_followers"]
    for row in gateway.read(INFORMAL_LEADERS, min_followers=min_followers, **span):
        result.findings.append(
            FindingResult(
                "informal_leader", "info", (row["person"],), detail={"followers": row["followers"]}
            )
        )
    for row in gateway.read(UNRECOGNIZED_FORMAL_LEADERS, **span):
        result.findings.append(
            FindingResult(
                "unrecognized_formal_leader",
                "warning",
                (row["person"],),
                detail={"direct_reports": row["reports"]},
            )
        )
    single_point = {
        "min_share": settings["single_point_min_share"],
        "min_followers": settings["single_point_min_followers"],
    }
    for row in gateway.read(SINGLE_POINT_LEADERS, **single_point, **span):
        result.findings.append(
            FindingResult(
                "single_point_leader",
                "warning",
                (row["person"],),
                context=row["context"],
                detail={
                    "share": row["follows"] / row["total"],
                    "followers": row["followers"],
                },
            )
        )
    return result


FAMILY = Family(
    name="leadership",
    person_metrics=("leader_count",),
    context_metrics=(),
    org_metrics=(),
    patterns=(
        "attention_blindness",
        "informal_leader",
        "unrecognized_formal_leader",
        "single_point_leader",
    ),
    compute=compute,
)
