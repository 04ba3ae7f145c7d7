import time
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.models import MiningRun, RunStatus
from analytics.services import (
    DEFAULT_WINDOW_DAYS,
    RunAlreadyActive,
    execute_run,
    progress,
    start_run,
)

FINISHED = {RunStatus.SUCCEEDED, RunStatus.FAILED}


class Command(BaseCommand):
    help = "Start a mining run over the last N days of events (a Celery worker runs it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--window-days", type=int, default=DEFAULT_WINDOW_DAYS)
        parser.add_argument("--sync", action="store_true", help="Run here, not in a worker")
        parser.add_argument("--wait", action="store_true", help="Follow the worker's progress")
        parser.add_argument("--timeout", type=float, default=3600)
        parser.add_argument(
            "--as-of",
            help="end of the window, ISO-8601 date or time (default: now); replays past weeks",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["window_days"] < 1:
            raise CommandError("--window-days must be at least 1")
        as_of = self._as_of(options["as_of"])
        try:
            run = start_run(options["window_days"], now=as_of, queue=not options["sync"])
        except RunAlreadyActive as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(
            f"run {run.pk}: window {run.window_start:%Y-%m-%d} .. {run.window_end:%Y-%m-%d}"
        )
        if options["sync"]:
            run = execute_run(run.pk)
        else:
            if not options["wait"]:
                self.stdout.write(f"run {run.pk} queued")
                return
            run = self._follow(run, options["timeout"])
        self._finish(run)

    def _as_of(self, text: str | None) -> datetime | None:
        if text is None:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise CommandError(f"--as-of: {text!r} is not an ISO-8601 date or time") from None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if moment > datetime.now(UTC):
            raise CommandError(f"--as-of: {text} is in the future")
        return moment

    def _follow(self, run: MiningRun, timeout: float) -> MiningRun:
        deadline, shown = time.monotonic() + timeout, -1.0
        while run.status not in FINISHED:
            if time.monotonic() > deadline:
                raise CommandError(f"run {run.pk} not finished after {timeout:.0f} s")
            time.sleep(0.5)
            run.refresh_from_db()
            if progress(run) != shown:
                shown = progress(run)
                self.stdout.write(f"run {run.pk}: {run.status}, {shown:.0%}")
        return run

    def _finish(self, run: MiningRun) -> None:
        for name, step in run.steps.items():
            self.stdout.write(f"  {name}: {step.get('status')} {step.get('seconds', '')}")
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(f"run {run.pk} {run.status}: {run.error}")
        self.stdout.write(f"run {run.pk} succeeded")
