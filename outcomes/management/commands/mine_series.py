from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.services import DEFAULT_WINDOW_DAYS, RunAlreadyActive
from outcomes import snapshots


def parse_day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: {text!r} is not an ISO-8601 date") from None


class Command(BaseCommand):
    help = (
        "Mine a series of past windows (every N days over the data's span) and keep each run as a "
        "snapshot; snapshots already stored are reused. Mines here, one run after the other."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every-days", type=int, default=28)
        parser.add_argument("--window-days", type=int, default=DEFAULT_WINDOW_DAYS)
        parser.add_argument(
            "--since", help="first possible snapshot day (default: first event day + the window)"
        )
        parser.add_argument(
            "--until", help="last snapshot day (default: the day after the last event, or today)"
        )
        parser.add_argument("--dry-run", action="store_true", help="List, mine nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["every_days"] < 1 or options["window_days"] < 1:
            raise CommandError("--every-days and --window-days must be at least 1")
        since, until = self._span(options)
        days = snapshots.series(options["every_days"], since, until)
        if not days:
            raise CommandError(f"no snapshot day between {since} and {until}")
        mine = None if options["dry_run"] else snapshots.mine_snapshot
        for day in days:
            stored = snapshots.stored_snapshot(day, options["window_days"])
            if stored is not None:
                self.stdout.write(f"{day}: run {stored.pk} (stored)")
                continue
            if mine is None:
                self.stdout.write(f"{day}: missing")
                continue
            try:
                run = mine(day, options["window_days"])
            except RunAlreadyActive as refused:
                raise CommandError(str(refused)) from None
            self.stdout.write(f"{day}: run {run.pk} ({run.status})")

    def _span(self, options: dict[str, Any]) -> tuple[date, date]:
        events = snapshots.event_span()
        since = parse_day(options["since"], "--since")
        until = parse_day(options["until"], "--until")
        if since is None:
            if events is None:
                raise CommandError("no events: give --since")
            since = events[0] + timedelta(days=options["window_days"])
        if until is None:
            today = datetime.now(UTC).date()
            until = min(events[1] + timedelta(days=1), today) if events else today
        return since, until
