from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from analytics.management.run_command import RunCommand
from analytics.models import MiningRun
from reports.builder import ReportError, write_report


class Command(RunCommand):
    failures = (*RunCommand.failures, ReportError)
    help = (
        "Write DIR/report.html and DIR/report.pdf, the org-health report of a mining run "
        "(nothing is sent or kept in the report history)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--out", type=Path, required=True, help="output directory")

    def handle_run(self, run: MiningRun, options: dict[str, Any]) -> None:
        try:
            files = write_report(run, options["out"])
        except OSError as error:
            raise CommandError(f"cannot write to {options['out']}: {error}") from error
        self.stdout.write(f"run {run.pk}: wrote {files.html} and {files.pdf}")
