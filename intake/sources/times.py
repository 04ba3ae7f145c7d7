"""Times as sources write them, made aware and in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any


def iso_utc(value: Any) -> datetime:
    """An ISO 8601 time with its offset (Graph's DateTimeOffset, Bonusly's created_at), in UTC;
    ValueError says why not."""
    text = value.strip() if isinstance(value, str) else value
    if text is None or text == "":
        raise ValueError("missing")
    try:
        parsed = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(f"{str(text)[:40]!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{text[:40]!r} has no time zone")
    return parsed.astimezone(UTC)


def as_utc(moment: datetime) -> datetime:
    """Aware, in UTC; a time without a zone (mail's -0000, iCalendar's floating time) is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
