from typing import Any

from django.core.management.base import CommandParser

from analytics.management.commands.export_metrics import INCLUDE_WITHHELD_HELP
from analytics.management.run_command import RunCommand
from analytics.models import MiningRun
from analytics.selectors import finding_rows
from sociograph.ingest.csv_output import csv_writer


class Command(RunCommand):
    help = (
        "Print a run's findings as CSV: pattern,severity,subjects,context,detail (group findings "
        "of a context the release rule withholds are left out)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--include-withheld", action="store_true", help=INCLUDE_WITHHELD_HELP)

    def handle_run(self, run: MiningRun, options: dict[str, Any]) -> None:
        writer = csv_writer(self.stdout)
        writer.writerow(["pattern", "severity", "subjects", "context", "detail"])
        writer.writerows(finding_rows(run, include_withheld=options["include_withheld"]))
