from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.management.commands.export_metrics import INCLUDE_WITHHELD_HELP
from analytics.models import MiningRun
from analytics.selectors import RunNotFound, finding_rows, run_by_reference
from sociograph.ingest.csv_output import csv_writer


class Command(BaseCommand):
    help = (
        "Print a run's findings as CSV: pattern,severity,subjects,context,detail (group findings "
        "of a context the release rule withholds are left out)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run", default="latest", help="a run id, or latest (default)")
        parser.add_argument("--include-withheld", action="store_true", help=INCLUDE_WITHHELD_HELP)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.handle_run(run_by_reference(options["run"]), options)
        except RunNotFound as error:
            raise CommandError(str(error)) from error

    def handle_run(self, run: MiningRun, options: dict[str, Any]) -> None:
        writer = csv_writer(self.stdout)
        writer.writerow(["pattern", "severity", "subjects", "context", "detail"])
        writer.writerows(finding_rows(run, include_withheld=options["include_withheld"]))
