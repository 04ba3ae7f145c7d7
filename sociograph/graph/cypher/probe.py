"""Round-trip queries used by the integration tests and diagnostics to prove writes land."""

from typing import LiteralString

MERGE_PROBE: LiteralString = (
    "MERGE (p:Probe {key: $key}) SET p.text = $text, p.written_at = datetime() "
    "RETURN p.key AS key, p.text AS text"
)
READ_PROBE: LiteralString = "MATCH (p:Probe {key: $key}) RETURN p.text AS text"
COUNT_PROBES: LiteralString = "MATCH (p:Probe) RETURN count(p) AS probes"

INTERACTIONS_BETWEEN: LiteralString = """
MATCH (:Person {external_id: $source})-[i:INTERACTED]->(:Person {external_id: $target})
RETURN i.ts AS ts, i.channel AS channel, i.weight AS weight, i.context AS context
"""
PEOPLE_WITH_EXTERNAL_ID: LiteralString = (
    "MATCH (p:Person {external_id: $external_id}) RETURN count(p) AS people"
)
RELATIONSHIPS_BY_TYPE: LiteralString = (
    "MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS relationships ORDER BY type"
)
DUPLICATED_RELATIONSHIP_UUIDS: LiteralString = """
MATCH ()-[r]->() WHERE r.uuid IS NOT NULL
WITH r.uuid AS uuid, count(*) AS copies WHERE copies > 1
RETURN count(uuid) AS duplicated
"""

# Deliberate damage, for proving that reconciliation finds and repairs drift.
BREAK_ONE_INTERACTION: LiteralString = "MATCH ()-[r:INTERACTED]->() WITH r LIMIT 1 DELETE r"
ADD_STRAY_PERSON: LiteralString = "CREATE (:Person {uuid: $uuid, external_id: 'stray'})"
TAMPER_ONE_RECOGNITION: LiteralString = (
    "MATCH ()-[r:RECOGNIZED]->() WITH r LIMIT 1 SET r.affect = -1.0"
)
PERSON_STATE: LiteralString = """
MATCH (p:Person {external_id: $external_id})
OPTIONAL MATCH (p)-[:REPORTS_TO]->(m:Person)
RETURN p.active AS active, p.left_on AS left_on, m.external_id AS manager
"""
