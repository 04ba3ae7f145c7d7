"""The arithmetic of membership periods and employment dates (no database): whether two periods
share a day, how a period is named in error messages, whether a person is active."""

from __future__ import annotations

from datetime import date

from people.roster import period_overlaps


def periods_overlap(
    since: date | None, until: date | None, other_since: date | None, other_until: date | None
) -> bool:
    """Two inclusive periods (open ends when None) share at least one day."""
    return period_overlaps(since, until, other_since or date.min, other_until or date.max)


def describe_period(since: date | None, until: date | None) -> str:
    start = f"since {since.isoformat()}" if since else "with no start"
    end = f"until {until.isoformat()}" if until else "with no end"
    return f"the period {start} {end}"


def derived_is_active(left_on: date | None, is_active: bool, today: date) -> bool:
    """Not active from `left_on` on, active before it; without `left_on`, as given (a departure
    without a date stays possible)."""
    return is_active if left_on is None else left_on > today


def dates_problem(joined_on: date | None, left_on: date | None) -> str | None:
    """Why these employment dates cannot be stored, or None."""
    if joined_on is not None and left_on is not None and left_on <= joined_on:
        return (
            f"left_on: {left_on.isoformat()} is not after joined_on {joined_on.isoformat()} "
            "(left_on is the first day no longer employed)"
        )
    return None


def period_problem(since: date | None, until: date | None) -> str | None:
    if since is not None and until is not None and until < since:
        return f"until: {until.isoformat()} is before since {since.isoformat()}"
    return None


def parse_day(column: str, text: str) -> date | None:
    """An ISO date cell (YYYY-MM-DD), None when empty; a ValueError naming the column."""
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{column}: {text!r} is not a date (YYYY-MM-DD)") from None
