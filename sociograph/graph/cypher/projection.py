"""Upserts and deletes that keep the projection equal to SQL. Every write is keyed by uuid and
idempotent: `$rows` carry the current SQL state of each entity, `$uuids` those gone from SQL.

Relationship upserts MATCH their endpoints and return how many rows they wrote, so the relay can
tell when an endpoint is missing instead of silently dropping the relationship.
"""

from typing import LiteralString

UPSERT_PEOPLE: LiteralString = """
UNWIND $rows AS row
MERGE (p:Person {uuid: row.uuid})
SET p.external_id = row.external_id, p.active = row.active, p.opted_out = row.opted_out,
    p.joined_on = row.joined_on, p.left_on = row.left_on
WITH p, row
CALL (p, row) {
  OPTIONAL MATCH (p)-[old:REPORTS_TO]->(m:Person)
  WITH old, m WHERE old IS NOT NULL AND (row.manager IS NULL OR m.uuid <> row.manager)
  DELETE old
}
WITH p, row WHERE row.manager IS NOT NULL
MERGE (m:Person {uuid: row.manager})
MERGE (p)-[:REPORTS_TO]->(m)
"""

UPSERT_CONTEXTS: LiteralString = """
UNWIND $rows AS row
MERGE (c:Context {uuid: row.uuid})
SET c.kind = row.kind, c.name = row.name, c.key = row.key
WITH c, row
CALL (c, row) {
  OPTIONAL MATCH (c)-[old:PART_OF]->(p:Context)
  WITH old, p WHERE old IS NOT NULL AND (row.parent IS NULL OR p.uuid <> row.parent)
  DELETE old
}
WITH c, row WHERE row.parent IS NOT NULL
MERGE (p:Context {uuid: row.parent})
MERGE (c)-[:PART_OF]->(p)
"""


def _upsert_relationship(
    start: LiteralString, relationship: LiteralString, end: LiteralString
) -> LiteralString:
    """Rows `{uuid, start, end, props}`: create the relationship, or update it in place, or move
    it when its endpoints changed; `props` replaces its properties (null removes one).

    The existing relationship is looked up through the uuid index explicitly: written as a MERGE
    on the pattern, the planner switches to expanding every relationship between the two people
    once the graph holds data, which measured 2.6 times slower on a 1,000,000-event graph. The
    hint pins a seek: with fresh statistics the planner sometimes scanned the whole index instead
    and filtered it (PROFILE: 162 million db hits, 45 s for 8,127 follows instead of 0.3 s).
    """
    return (
        "UNWIND $rows AS row "
        "MATCH (a:" + start + " {uuid: row.start}) "
        "MATCH (b:" + end + " {uuid: row.end}) "
        "OPTIONAL MATCH ()-[old:" + relationship + " {uuid: row.uuid}]->() "
        "USING INDEX SEEK old:" + relationship + "(uuid) "
        "WITH a, b, row, old, "
        "     (old IS NOT NULL AND startNode(old) = a AND endNode(old) = b) AS kept "
        "FOREACH (_ IN CASE WHEN old IS NOT NULL AND NOT kept THEN [1] ELSE [] END | DELETE old) "
        "FOREACH (_ IN CASE WHEN kept THEN [] ELSE [1] END | "
        "  CREATE (a)-[new:" + relationship + " {uuid: row.uuid}]->(b) SET new += row.props) "
        "FOREACH (_ IN CASE WHEN kept THEN [1] ELSE [] END | SET old += row.props) "
        "RETURN count(*) AS written"
    )


def _create_relationships(
    start: LiteralString, relationship: LiteralString, end: LiteralString
) -> LiteralString:
    """Rows as for the upserts, all of them created in SQL by one transaction (an outbox
    snapshot): create those not in the graph yet and return how many were created.

    Fewer than given means a replayed entry or a missing endpoint; the relay then runs the
    upsert on the same rows, which tells the two apart. Without the upsert's FOREACH branches the
    plan needs no Eager steps: 49 instead of 72 us of Neo4j CPU per relationship (20,000-row
    batches into a graph of 450,000 relationships, docs/performance.md).
    """
    return (
        "UNWIND $rows AS row "
        "MATCH (a:" + start + " {uuid: row.start}) "
        "MATCH (b:" + end + " {uuid: row.end}) "
        "WHERE NOT EXISTS { "
        "  MATCH ()-[old:" + relationship + " {uuid: row.uuid}]->() "
        "  USING INDEX SEEK old:" + relationship + "(uuid) } "
        "CREATE (a)-[new:" + relationship + " {uuid: row.uuid}]->(b) SET new += row.props "
        "RETURN count(*) AS created"
    )


UPSERT_MEMBERSHIPS = _upsert_relationship("Person", "MEMBER_OF", "Context")
UPSERT_RECOGNITIONS = _upsert_relationship("Person", "RECOGNIZED", "Person")
UPSERT_FOLLOWS = _upsert_relationship("Person", "FOLLOWS", "Person")
UPSERT_INTERACTIONS = _upsert_relationship("Person", "INTERACTED", "Person")

CREATE_RECOGNITIONS = _create_relationships("Person", "RECOGNIZED", "Person")
CREATE_FOLLOWS = _create_relationships("Person", "FOLLOWS", "Person")
CREATE_INTERACTIONS = _create_relationships("Person", "INTERACTED", "Person")

DELETE_PEOPLE: LiteralString = "UNWIND $uuids AS u MATCH (p:Person {uuid: u}) DETACH DELETE p"
DELETE_CONTEXTS: LiteralString = "UNWIND $uuids AS u MATCH (c:Context {uuid: u}) DETACH DELETE c"


def _delete_relationships(relationship: LiteralString) -> LiteralString:
    return (
        "UNWIND $uuids AS u MATCH ()-[r:" + relationship + " {uuid: u}]->() "
        "USING INDEX SEEK r:" + relationship + "(uuid) DELETE r"
    )


DELETE_MEMBERSHIPS = _delete_relationships("MEMBER_OF")
DELETE_RECOGNITIONS = _delete_relationships("RECOGNIZED")
DELETE_FOLLOWS = _delete_relationships("FOLLOWS")
DELETE_INTERACTIONS = _delete_relationships("INTERACTED")

# Reconciliation reads: the projected state of every entity of one kind, in uuid order.
PEOPLE_STATE: LiteralString = """
MATCH (p:Person)
OPTIONAL MATCH (p)-[:REPORTS_TO]->(m:Person)
RETURN p.uuid AS uuid, p.external_id AS external_id, p.active AS active,
       p.opted_out AS opted_out, m.uuid AS manager, p.joined_on AS joined_on, p.left_on AS left_on
ORDER BY uuid
"""
CONTEXTS_STATE: LiteralString = """
MATCH (c:Context)
OPTIONAL MATCH (c)-[:PART_OF]->(p:Context)
RETURN c.uuid AS uuid, c.kind AS kind, c.name AS name, c.key AS key, p.uuid AS parent
ORDER BY uuid
"""
MEMBERSHIPS_STATE: LiteralString = """
MATCH (p:Person)-[m:MEMBER_OF]->(c:Context)
RETURN m.uuid AS uuid, p.uuid AS person, c.uuid AS context, m.role AS role,
       m.since AS since, m.until AS until
ORDER BY uuid
"""
RECOGNITIONS_STATE: LiteralString = """
MATCH (a:Person)-[r:RECOGNIZED]->(b:Person)
RETURN r.uuid AS uuid, a.uuid AS source, b.uuid AS target, r.ts AS ts, r.context AS context,
       r.affect AS affect, r.values AS values
ORDER BY uuid
"""
FOLLOWS_STATE: LiteralString = """
MATCH (a:Person)-[f:FOLLOWS]->(b:Person)
RETURN f.uuid AS uuid, a.uuid AS source, b.uuid AS target, f.context AS context,
       f.since AS since, f.until AS until
ORDER BY uuid
"""
INTERACTIONS_STATE: LiteralString = """
MATCH (a:Person)-[i:INTERACTED]->(b:Person)
RETURN i.uuid AS uuid, a.uuid AS source, b.uuid AS target, i.ts AS ts, i.context AS context,
       i.channel AS channel, i.weight AS weight, i.affect AS affect
ORDER BY uuid
"""
