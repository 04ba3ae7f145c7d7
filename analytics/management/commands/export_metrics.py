from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.models import MiningRun
from analytics.release import MAX_DIFFERENCE, MIN_GROUP_SIZE, release_of
from analytics.selectors import RunNotFound, metric_rows, run_by_reference
from sociograph.ingest.csv_output import csv_writer

INCLUDE_WITHHELD_HELP = (
    "Also print the aggregates the release rule withholds (groups under "
    f"{MIN_GROUP_SIZE} people, or differing by 1-{MAX_DIFFERENCE} people from another released "
    "group): for HR admins working on the server"
)


class Command(BaseCommand):
    help = "Print a run's metrics as CSV: scope,subject,metric,value."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run", default="latest", help="a run id, or latest (default)")
        parser.add_argument(
            "--include-withheld",
            "--include-small-groups",
            dest="include_withheld",
            action="store_true",
            help=INCLUDE_WITHHELD_HELP,
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.handle_run(run_by_reference(options["run"]), options)
        except RunNotFound as error:
            raise CommandError(str(error)) from error

    def handle_run(self, run: MiningRun, options: dict[str, Any]) -> None:
        writer = csv_writer(self.stdout)
        writer.writerow(["scope", "subject", "metric", "value"])
        include = options["include_withheld"]
        for scope, subject, metric, value in metric_rows(run, include_withheld=include):
            writer.writerow([scope, subject, metric, f"{value:.6g}"])
        if not include:
            report_withheld(self, run)


def report_withheld(command: BaseCommand, run: MiningRun) -> None:
    """Say on stderr how many groups' aggregates the release rule withheld."""
    release = release_of(run)
    contexts = len(release.withheld_context_ids)
    if contexts or not release.org_released:
        org = "" if release.org_released else "the org metrics and "
        command.stderr.write(
            f"withheld {org}the metrics of {contexts} context(s) by the release rule (groups "
            f"under {MIN_GROUP_SIZE} people or differing by 1-{MAX_DIFFERENCE} people; "
            "--include-withheld to print them)"
        )
