"""Whether a text reached the database: intake must store metadata only, never content."""

from __future__ import annotations

from django.db import connection


def tables_holding(text: str) -> list[str]:
    """The tables with a value containing `text` (case-insensitive), any column."""
    wanted = text.lower()
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608  # names from introspection
            if any(wanted in str(value).lower() for row in cursor.fetchall() for value in row):
                found.append(table)
    return found
