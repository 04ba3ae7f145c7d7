"""The base of the commands that act on one mining run (--run: an id, or latest by default)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.models import MiningRun
from analytics.selectors import RunNotFound, run_by_reference


class RunCommand(BaseCommand):
    """Finds the run and hands it to handle_run; an unknown run, or one of `failures`, ends the
    command with its message."""

    failures: ClassVar[tuple[type[Exception], ...]] = (RunNotFound,)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run", default="latest", help="a run id, or latest (default)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.handle_run(run_by_reference(options["run"]), options)
        except self.failures as error:
            raise CommandError(str(error)) from error

    def handle_run(self, run: MiningRun, options: dict[str, Any]) -> None:
        raise NotImplementedError
