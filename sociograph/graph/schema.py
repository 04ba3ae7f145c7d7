"""Applies the projection's constraints and indexes."""

from __future__ import annotations

from dataclasses import dataclass

from sociograph.graph import gateway
from sociograph.graph.cypher import system
from sociograph.graph.cypher.schema import SCHEMA


@dataclass(frozen=True)
class SchemaOutcome:
    name: str
    kind: str
    created: bool


def existing_schema_names() -> set[str]:
    constraints = gateway.run_once(system.SHOW_CONSTRAINT_NAMES)[0]["names"]
    indexes = gateway.run_once(system.SHOW_INDEX_NAMES)[0]["names"]
    return set(constraints) | set(indexes)


def apply_schema() -> list[SchemaOutcome]:
    """Create what is missing; report, per item, whether this call created it."""
    before = existing_schema_names()
    for item in SCHEMA:
        gateway.run_once(item.statement)
    return [SchemaOutcome(item.name, item.kind, item.name not in before) for item in SCHEMA]
