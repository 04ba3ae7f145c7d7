from typing import Any

from django.core.management.base import CommandParser

from analytics.management.run_command import RunCommand
from analytics.models import MiningRun
from analytics.release import release_of
from analytics.selectors import metric_rows
from sociograph.ingest.csv_output import csv_writer

INCLUDE_WITHHELD_HELP = (
    "Also print the aggregates the release rule withholds (groups under 5 people, or differing "
    "by 1-4 people from another released group): for HR admins working on the server"
)


class Command(RunCommand):
    help = "Print a run's metrics as CSV: scope,subject,metric,value."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--include-withheld",
            "--include-small-groups",
            dest="include_withheld",
            action="store_true",
            help=INCLUDE_WITHHELD_HELP,
        )

    def handle_run(self, run: MiningRun, options: dict[str, Any]) -> None:
        writer = csv_writer(self.stdout)
        writer.writerow(["scope", "subject", "metric", "value"])
        include = options["include_withheld"]
        for scope, subject, metric, value in metric_rows(run, include_withheld=include):
            writer.writerow([scope, subject, metric, f"{value:.6g}"])
        if not include:
            report_withheld(self, run)


def report_withheld(command: RunCommand, run: MiningRun) -> None:
    """Say on stderr how many groups' aggregates the release rule withheld."""
    release = release_of(run)
    contexts = len(release.withheld_context_ids)
    if contexts or not release.org_released:
        org = "" if release.org_released else "the org metrics and "
        command.stderr.write(
            f"withheld {org}the metrics of {contexts} context(s) by the release rule (groups "
            "under 5 people or differing by 1-4 people; --include-withheld to print them)"
        )
