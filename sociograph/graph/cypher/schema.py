"""Constraints and indexes of the projection. Each statement is idempotent (IF NOT EXISTS).

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
