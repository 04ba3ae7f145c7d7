"""How each kind of entity projects into Neo4j. Apps declare their specs; the relay, reconcile
and rebuild use them without knowing any model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, LiteralString

from django.db import models

Row = dict[str, Any]

# Rows read from SQL or written to Neo4j at a time: memory stays flat in the data size.
CHUNK = 5000


@dataclass(frozen=True)
class ProjectionSpec:
    entity: str
    model: type[models.Model]
    # The projected form of the rows of a queryset (the same keys the Neo4j state query returns).
    to_rows: Callable[[models.QuerySet[Any]], Iterable[Row]]
    upsert: LiteralString
    delete: LiteralString
    neo4j_state: LiteralString
    # Relationships MATCH their endpoints and return `written`; nodes do not.
    counts_written: bool
    # Rebuild order: nodes (0) before the relationships that need them (1).
    stage: int


_specs: dict[str, ProjectionSpec] = {}


def register(*specs: ProjectionSpec) -> None:
    for spec in specs:
        _specs[spec.entity] = spec


def spec_for(entity: str) -> ProjectionSpec:
    try:
        return _specs[entity]
    except KeyError:
        raise LookupError(f"no projection is registered for {entity!r}") from None


def all_specs() -> list[ProjectionSpec]:
    return sorted(_specs.values(), key=lambda spec: (spec.stage, spec.entity))


def spec_for_model(model: type[models.Model]) -> ProjectionSpec:
    for spec in _specs.values():
        if spec.model is model:
            return spec
    raise LookupError(f"{model.__name__} has no projection")


def is_projected(model: type[models.Model]) -> bool:
    return any(spec.model is model for spec in _specs.values())


def uuid_text(value: object) -> str | None:
    return None if value is None else str(value)


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
