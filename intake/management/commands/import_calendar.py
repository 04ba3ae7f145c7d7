"""import_calendar FILE.ics|DIR: who met whom, from iCalendar files (docs/intake.md,
"Calendars")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from analytics.services import DEFAULT_WINDOW_DAYS
from intake.command import IntakeCommand, add_internal_domains
from intake.records import IntakeItem
from intake.sources.calendar import CalendarRules, read_calendars


class Command(IntakeCommand):
    help = (
        "Import who met whom (organizer to accepted attendees) from iCalendar files, recurring "
        "meetings expanded within a window; no summary, description or location is read."
    )
    origin = "calendar"
    path_help = "An .ics file, or a folder of them (subfolders included)"

    def add_source_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since",
            type=date.fromisoformat,
            help=f"First day of the window, YYYY-MM-DD (default: {DEFAULT_WINDOW_DAYS} days "
            "before --until)",
        )
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            help="Last day of the window, included, YYYY-MM-DD (default: today, UTC)",
        )
        add_internal_domains(parser)

    def items(self, path: Path, options: dict[str, Any]) -> Iterator[IntakeItem]:
        return read_calendars(path, self._rules(options))

    def _rules(self, options: dict[str, Any]) -> CalendarRules:
        until: date = options["until"] or timezone.now().date()
        since: date = options["since"] or until - timedelta(days=DEFAULT_WINDOW_DAYS)
        if since > until:
            raise CommandError(f"--since {since} is after --until {until}")
        return CalendarRules(since, until, options["internal_domains"])
