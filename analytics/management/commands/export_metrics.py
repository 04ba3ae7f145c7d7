from typing import Any

from django.core.management.base import CommandParser

from analytics.management.run_command import RunCommand
from analytics.models import MiningRun
from analytics.selectors import (
    MIN_GROUP_SIZE,
    metric_rows,
    small_contexts,
)
from sociograph.csv_output import csv_writer


class Command(RunCommand):
    help = "Print a run's metrics as CSV: scope,subject,metric,value."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--include-small-groups",
            action="store_true",
            help=f"Also print aggregates of contexts with fewer than {MIN_GROUP_SIZE} members",
        )

    def handle_run(self, run: MiningRun, options: dict[str, Any]) -> None:
        writer = csv_writer(self.stdout)
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
