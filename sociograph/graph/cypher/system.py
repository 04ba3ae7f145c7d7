"""Queries about the server itself."""

from typing import LiteralString

SERVER_COMPONENTS: LiteralString = (
    "CALL dbms.components() YIELD name, versions, edition "
    "RETURN name, versions[0] AS version, edition"
)

COUNT_NODES: LiteralString = "MATCH (n) RETURN count(n) AS nodes"

SHOW_CONSTRAINT_NAMES: LiteralString = "SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names"
SHOW_INDEX_NAMES: LiteralString = "SHOW INDEXES YIELD name RETURN collect(name) AS names"

# Batched so that wiping a large projection never needs one huge transaction: relationships
# first, since one node's DETACH DELETE can take millions of relationships with it.
DELETE_ALL_RELATIONSHIPS: LiteralString = (
    "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS"
)
DELETE_ALL_NODES: LiteralString = (
    "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 20000 ROWS"
)
