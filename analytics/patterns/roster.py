"""The window's organization and its interaction graph G, read once per run execution: who was
employed, in which context, which follows were in force at the window's end, and the arcs of G.
The rule of who counts is `people.roster`'s; every family reads it from here.
"""

from __future__ import annotations

from collections import defaultdict
from typing import LiteralString

from analytics.patterns.base import Window
from people.roster import Roster, build_roster
from sociograph.graph import gateway

PEOPLE: LiteralString = """
MATCH (p:Person)
RETURN p.uuid AS uuid, p.external_id AS external_id, p.active AS active,
       p.opted_out AS opted_out, p.joined_on AS joined_on, p.left_on AS left_on
"""

MEMBERSHIPS: LiteralString = """
MATCH (p:Person)-[m:MEMBER_OF]->(c:Context)
RETURN p.uuid AS person, c.uuid AS context, c.kind AS kind, c.key AS key, m.role AS role,
       m.since AS since, m.until AS until
"""

# Follows in force at the window's end (the last instant before `$end`), one row per distinct
# follower, leader and context: duplicate records of one follow count once.
FOLLOWS_AT_END: LiteralString = """
MATCH (follower:Person)-[r:FOLLOWS]->(leader:Person)
WHERE r.since < $end AND (r.until IS NULL OR r.until >= $end) AND follower <> leader
RETURN DISTINCT follower.uuid AS follower, leader.uuid AS leader, r.context AS context
"""

# One row per arc of G with its event count. Departed people's arcs stay: the events they took
# part in while present count for the others (people employed on no day of the window, such as
# a departure without a date, are left out by load_arcs).
ARCS: LiteralString = """
MATCH (a:Person)-[i:INTERACTED]->(b:Person)
WHERE $start <= i.ts < $end AND a <> b AND NOT a.opted_out AND NOT b.opted_out
RETURN a.uuid AS source, b.uuid AS target, count(i) AS events
"""

Arcs = dict[tuple[str, str], int]
Follow = tuple[str, str, str | None]  # follower, leader, context uuid (None: org-wide)


def load_roster(window: Window) -> Roster:
    if "roster" not in window.shared:
        people = gateway.read(PEOPLE)
        memberships = gateway.read(MEMBERSHIPS)
        # uuids are drawn at random when a person is created, so two imports of the same data
        # sort them differently: the order of G's nodes follows the external id instead.
        window.shared["node_order"] = {
            row["uuid"]: (row.get("external_id") or "", row["uuid"]) for row in people
        }
        window.shared["roster"] = build_roster(people, memberships, window.start, window.end)
    roster: Roster = window.shared["roster"]
    return roster


def load_arcs(window: Window) -> Arcs:
    """The arcs of G with their event counts, between people employed during the window, read
    once per run execution."""
    if "arcs" not in window.shared:
        employed = load_roster(window).employed
        rows = gateway.read(ARCS, start=window.start, end=window.end)
        window.shared["arcs"] = {
            (row["source"], row["target"]): int(row["events"])
            for row in rows
            if row["source"] in employed and row["target"] in employed
        }
    arcs: Arcs = window.shared["arcs"]
    return arcs


def events_per_person(window: Window) -> dict[str, int]:
    """Each person's interaction events in G (either end), counted once per run execution."""
    if "events_per_person" not in window.shared:
        events: dict[str, int] = defaultdict(int)
        for (source, target), count in load_arcs(window).items():
            events[source] += count
            events[target] += count
        window.shared["events_per_person"] = dict(events)
    counted: dict[str, int] = window.shared["events_per_person"]
    return counted


def graph_people(window: Window) -> list[str]:
    """The nodes of G in a stable order: the people present at the window's end, and the others
    employed during the window who took part in one of its interactions.

    Ordered by external id (then uuid), not by uuid alone: uuids are random per import, and the
    seeded draws of the null models (ring sampling, permutations) and the order of floating sums
    follow this order, so the same data imported twice must give the same order."""
    people = set(load_roster(window).present)
    for source, target in load_arcs(window):
        people.update((source, target))
    order: dict[str, tuple[str, str]] = window.shared.get("node_order", {})
    return sorted(people, key=lambda person: order.get(person, ("", person)))


def follows_at_end(window: Window) -> list[Follow]:
    """Follows in force at the window's end between two people present then."""
    if "follows_at_end" not in window.shared:
        present = load_roster(window).present
        window.shared["follows_at_end"] = [
            (row["follower"], row["leader"], row["context"])
            for row in gateway.read(FOLLOWS_AT_END, end=window.end)
            if row["follower"] in present and row["leader"] in present
        ]
    follows: list[Follow] = window.shared["follows_at_end"]
    return follows
