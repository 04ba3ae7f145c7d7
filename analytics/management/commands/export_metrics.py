import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.selectors import RunNotFound, metric_rows, run_by_reference


class Command(BaseCommand):
    help = "Print a run's metrics as CSV: scope,subject,metric,value."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run", default="latest", help="A run id, or latest")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = run_by_reference(options["run"])
        except RunNotFound as error:
            raise CommandError(str(error)) from None
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["scope", "subject", "metric", "value"])
        for scope, subject, metric, value in metric_rows(run):
            writer.writerow([scope, subject, metric, f"{value:.6g}"])
