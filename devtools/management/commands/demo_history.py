from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from analytics.models import MiningRun, RunStatus
from analytics.services import DEFAULT_WINDOW_DAYS, RunAlreadyActive, execute_run, start_run


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
            self._mine(options["window_days"], as_of=today - timedelta(weeks=weeks_ago))

    def _mine(self, window_days: int, as_of: datetime) -> None:
        try:
            run = start_run(window_days, now=as_of, queue=False)
        except RunAlreadyActive as refused:
            raise CommandError(str(refused)) from None
        run = execute_run(run.pk)
        window = f"{run.window_start:%Y-%m-%d} .. {run.window_end:%Y-%m-%d}"
        self.stdout.write(f"run {run.pk} {run.status}: window {window}")
