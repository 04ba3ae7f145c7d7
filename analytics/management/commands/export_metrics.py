import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.selectors import (
    MIN_GROUP_SIZE,
    RunNotFound,
    metric_rows,
    run_by_reference,
    small_contexts,
)


class Command(BaseCommand):
    help = "Print a run's metrics as CSV: scope,subject,metric,value."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run", default="latest", help="A run id, or latest")
        parser.add_argument(
            "--include-small-groups",
            action="store_true",
            help=f"Also print aggregates of contexts with fewer than {MIN_GROUP_SIZE} members",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = run_by_reference(options["run"])
        except RunNotFound as error:
            raise CommandError(str(error)) from None
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["scope", "subject", "metric", "value"])
        include = options["include_small_groups"]
        for scope, subject, metric, value in metric_rows(run, include_small_groups=include):
            writer.writerow([scope, subject, metric, f"{value:.6g}"])
        withheld = 0 if include else len(small_contexts(run))
        if withheld:
            self.stderr.write(
                f"withheld the metrics of {withheld} context(s) with fewer than "
                f"{MIN_GROUP_SIZE} members (--include-small-groups to print them)"
            )
