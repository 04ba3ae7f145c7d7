from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.models import MiningRun
from analytics.selectors import RunNotFound, run_by_reference
from reports.builder import ReportError, write_report


class Command(BaseCommand):
    help = (
        "Write DIR/report.html and DIR/report.pdf, the org-health report of a mining run "
        "(nothing is sent or kept in the report history)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run", default="latest", help="a run id, or latest (default)")
        parser.add_argument("--out", type=Path, required=True, help="output directory")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.handle_run(run_by_reference(options["run"]), options)
        except (RunNotFound, ReportError) as error:
            raise CommandError(str(error)) from error

    def handle_run(self, run: MiningRun, options: dict[str, Any]) -> None:
        try:
            files = write_report(run, options["out"])
        except OSError as error:
            raise CommandError(f"cannot write to {options['out']}: {error}") from error
        self.stdout.write(f"run {run.pk}: wrote {files.html} and {files.pdf}")
