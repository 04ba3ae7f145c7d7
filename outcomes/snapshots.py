"""Feature snapshots: succeeded mining runs of one window length ending on a series of past dates.

A snapshot of day d is a run whose window ends at d 00:00 UTC (its last day is d - 1), give or
take a day, and lasts exactly `window_days`. A series is mined once: runs already stored are
reused, only the missing ones are mined (synchronously, one after the other: runs never
interleave)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Max, Min

from analytics.models import MiningRun, RunStatus
from analytics.services import execute_run, start_run
from recognition.models import Interaction, Recognition

TOLERANCE = timedelta(days=1)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def series(every_days: int, since: date, until: date) -> list[date]:
    """Dates from `until` back to `since` (both inclusive) every `every_days` days, oldest first;
    anchored on `until` so that the newest snapshot is as recent as the data allow."""
    if every_days < 1:
        raise ValueError("every_days must be at least 1")
    found, day = [], until
    while day >= since:
        found.append(day)
        day -= timedelta(days=every_days)
    return found[::-1]


def event_span() -> tuple[date, date] | None:
    """First and last day with an interaction or a recognition, or None without events."""
    bounds = [
        model.objects.aggregate(first=Min("at"), last=Max("at"))
        for model in (Interaction, Recognition)
    ]
    firsts = [found["first"] for found in bounds if found["first"] is not None]
    lasts = [found["last"] for found in bounds if found["last"] is not None]
    if not firsts:
        return None
    return min(firsts).date(), max(lasts).date()


def stored_snapshot(day: date, window_days: int) -> MiningRun | None:
    """The newest succeeded run of that window length ending on `day` (± a day)."""
    end = midnight(day)
    runs = MiningRun.objects.filter(
        status=RunStatus.SUCCEEDED,
        window_end__gte=end - TOLERANCE,
        window_end__lte=end + TOLERANCE,
    ).order_by("-window_end", "-pk")
    length = timedelta(days=window_days)
    return next((run for run in runs if run.window_end - run.window_start == length), None)


def mine_snapshot(day: date, window_days: int) -> MiningRun:
    """Mine the window ending on `day` here and now (RunAlreadyActive if a run is active)."""
    run = start_run(window_days, now=midnight(day), queue=False, snapshot=True)
    return execute_run(run.pk)


def ensure_snapshots(
    days: Iterable[date],
    window_days: int,
    mine: Callable[[date, int], MiningRun] | None = mine_snapshot,
) -> dict[date, MiningRun]:
    """The snapshot of each day: stored, or mined now (`mine=None`: stored ones only)."""
    found: dict[date, MiningRun] = {}
    for day in days:
        run = stored_snapshot(day, window_days)
        if run is None and mine is not None:
            run = mine(day, window_days)
        if run is not None and run.status == RunStatus.SUCCEEDED:
            found[day] = run
    return found
