from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from analytics.models import MiningRun, RunStatus
from analytics.services import DEFAULT_WINDOW_DAYS


class Command(BaseCommand):
    help = (
        "Give the demo a history: when no run has succeeded yet, mine the weeks before today "
        "in-process (one run per week), so the dashboard and the first report show trends."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--weeks", type=int, default=3)
        parser.add_argument("--window-days", type=int, default=DEFAULT_WINDOW_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        if MiningRun.objects.filter(status=RunStatus.SUCCEEDED).exists():
            self.stdout.write("runs exist already: no history added")
            return
        today = timezone.now()
        for weeks_ago in range(options["weeks"], 0, -1):
            as_of = today - timedelta(weeks=weeks_ago)
            call_command(
                "mine",
                sync=True,
                window_days=options["window_days"],
                as_of=as_of.isoformat(),
                stdout=self.stdout,
            )
