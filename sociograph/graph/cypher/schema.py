"""Constraints and indexes of the projection. Each statement is idempotent (IF NOT EXISTS).

Relationship uuids get range indexes, not uniqueness constraints: the single, serialized relay
MERGEs them (so they stay unique), and the index is measurably cheaper to maintain (see
docs/graph-model.md).

Schema statements cannot take parameters for labels or names, so these are fixed strings.
"""

from dataclasses import dataclass
from typing import LiteralString


@dataclass(frozen=True)
class SchemaItem:
    name: str
    kind: str  # "constraint" or "index"
    statement: LiteralString


SCHEMA: tuple[SchemaItem, ...] = (
    SchemaItem(
        "person_uuid",
        "constraint",
        "CREATE CONSTRAINT person_uuid IF NOT EXISTS FOR (p:Person) REQUIRE p.uuid IS UNIQUE",
    ),
    SchemaItem(
        "context_uuid",
        "constraint",
        "CREATE CONSTRAINT context_uuid IF NOT EXISTS FOR (c:Context) REQUIRE c.uuid IS UNIQUE",
    ),
    SchemaItem(
        "member_of_uuid",
        "index",
        "CREATE INDEX member_of_uuid IF NOT EXISTS FOR ()-[r:MEMBER_OF]-() ON (r.uuid)",
    ),
    SchemaItem(
        "recognized_uuid",
        "index",
        "CREATE INDEX recognized_uuid IF NOT EXISTS FOR ()-[r:RECOGNIZED]-() ON (r.uuid)",
    ),
    SchemaItem(
        "follows_uuid",
        "index",
        "CREATE INDEX follows_uuid IF NOT EXISTS FOR ()-[r:FOLLOWS]-() ON (r.uuid)",
    ),
    SchemaItem(
        "interacted_uuid",
        "index",
        "CREATE INDEX interacted_uuid IF NOT EXISTS FOR ()-[r:INTERACTED]-() ON (r.uuid)",
    ),
    SchemaItem(
        "interacted_ts",
        "index",
        "CREATE INDEX interacted_ts IF NOT EXISTS FOR ()-[r:INTERACTED]-() ON (r.ts)",
    ),
    SchemaItem(
        "person_external_id",
        "index",
        "CREATE INDEX person_external_id IF NOT EXISTS FOR (p:Person) ON (p.external_id)",
    ),
    SchemaItem(
        "context_kind_name",
        "index",
        "CREATE INDEX context_kind_name IF NOT EXISTS FOR (c:Context) ON (c.kind, c.name)",
    ),
)
