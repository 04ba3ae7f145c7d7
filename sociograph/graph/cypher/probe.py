"""Round-trip queries used by the integration tests and diagnostics to prove writes land."""

from typing import LiteralString

MERGE_PROBE: LiteralString = (
    "MERGE (p:Probe {key: $key}) SET p.text = $text, p.written_at = datetime() "
    "RETURN p.key AS key, p.text AS text"
)
READ_PROBE: LiteralString = "MATCH (p:Probe {key: $key}) RETURN p.text AS text"
COUNT_PROBES: LiteralString = "MATCH (p:Probe) RETURN count(p) AS probes"
