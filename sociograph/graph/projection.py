"""How each kind of entity projects into Neo4j. Apps declare their specs; the relay, reconcile
and rebuild use them without knowing any model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, LiteralString

from django.db import connection, models

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
    # For relationships: the row keys holding the start and end node uuids.
    endpoints: tuple[str, str] | None = None
    # For relationships written with outbox snapshots: creates the absent ones, returns `created`.
    create: LiteralString | None = None


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


def as_relationship_row(row: Row, endpoints: tuple[str, str]) -> Row:
    """The shape the relationship upserts take: `{uuid, start, end, props}`."""
    start, end = endpoints
    props = {key: value for key, value in row.items() if key not in ("uuid", start, end)}
    return {"uuid": row["uuid"], "start": row[start], "end": row[end], "props": props}


def is_projected(model: type[models.Model]) -> bool:
    return any(spec.model is model for spec in _specs.values())


def uuid_text(value: object) -> str | None:
    """The canonical text of a uuid, from a UUID or from SQLite's 32-digit hex storage."""
    if value is None:
        return None
    if isinstance(value, str) and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value)


def epoch_seconds(value: datetime | str | None) -> int | None:
    """Epoch seconds from an aware datetime, or from SQLite's naive-UTC datetime (object or text).

    A naive value must not go through `timestamp()` as is: that reads it in the process's local
    time zone, which Django sets to TIME_ZONE.
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def json_list(value: list[Any] | str) -> list[str]:
    """A JSON list of strings (as recognition values are validated to be), else ValueError."""
    parsed = value if isinstance(value, list) else json.loads(value)
    if not isinstance(parsed, list) or not all(isinstance(item, str) for item in parsed):
        raise ValueError(f"expected a list of strings, found {parsed!r}")
    return parsed


def raw_values(queryset: models.QuerySet[Any], *fields: str) -> Iterator[tuple[Any, ...]]:
    """Like `values_list(*fields)`, without Django's per-value converters.

    Events are the bulk of what the relay reads; for them the converters (uuid and datetime
    parsing) took about 40% of the relay's Python time (profiled on 100,000 events). Callers
    convert with `uuid_text`, `epoch_seconds` and `json_list`, which accept both the SQLite
    and the PostgreSQL raw forms.
    """
    sql, params = queryset.values_list(*fields).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield from rows


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
