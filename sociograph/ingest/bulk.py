"""Fast multi-row INSERT for the bulk write paths.

`bulk_create` spends most of its time building model instances and compiling SQL per batch
(measured: 16 of 33 profiled seconds for 100,000 events). Here the statement is built once from
the model's metadata and rows are plain tuples, converted to database values column by column.
Used only inside services, which also write the outbox entry in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

from django.db import connection, models

Converter = Callable[[Any], Any]


def _sqlite_datetime(value: datetime | None) -> str | None:
    # What Django's SQLite backend stores for an aware datetime: naive UTC text.
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ")


def _sqlite_uuid(value: UUID | str) -> str:
    # SQLite stores a uuid as its 32 hex digits; bulk writers may pass canonical text.
    return value.replace("-", "") if isinstance(value, str) else value.hex


def _converter(field: models.Field[Any, Any]) -> Converter | None:
    """How a Python value of this field becomes a database value; None when it already is one."""
    sqlite = connection.vendor == "sqlite"
    if isinstance(field, models.UUIDField):
        return _sqlite_uuid if sqlite else None
    if isinstance(field, models.DateTimeField) and sqlite:
        return _sqlite_datetime
    if isinstance(field, models.ForeignKey | models.IntegerField | models.FloatField):
        return None
    if isinstance(field, models.CharField | models.TextField):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def _remembering(convert: Converter | None) -> Converter | None:
    """The converter, skipping the work when a value is the very object converted last: a batch
    shares one `created_at` and often one context."""
    if convert is None:
        return None
    last: list[Any] = [object(), None]

    def converted(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return converted


def insert_rows(
    model: type[models.Model],
    field_names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    skip_conflicts_on: str | None = None,
) -> int:
    """Insert the rows; with `skip_conflicts_on` (a unique field), rows that conflict on it are
    skipped instead of failing the batch. Returns how many rows were inserted."""
    fields: list[models.Field[Any, Any]] = [
        model._meta.get_field(name)  # type: ignore[misc]
        for name in field_names
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    if skip_conflicts_on is not None:
        unique = cast(str, model._meta.get_field(skip_conflicts_on).column)  # type: ignore[union-attr]
        sql += f" ON CONFLICT ({quote(unique)}) DO NOTHING"
    converters = [_remembering(convert) for convert in map(_converter, fields)]
    prepared = [
        tuple(
            value if convert is None else convert(value)
            for value, convert in zip(row, converters, strict=True)
        )
        for row in rows
    ]
    if not prepared:
        return 0
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)
        return int(cursor.rowcount)
