from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.models import MiningRun
from analytics.selectors import RunNotFound, change_rows, previous_run, run_by_reference
from sociograph.ingest.csv_output import csv_writer


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


class Command(BaseCommand):
    help = (
        "Print how each metric changed between a run and the run before it, as CSV: "
        "scope,subject,metric,before,now,change (empty where a side has no value)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run", default="latest", help="a run id, or latest (default)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.handle_run(run_by_reference(options["run"]), options)
        except RunNotFound as error:
            raise CommandError(str(error)) from error

    def handle_run(self, run: MiningRun, options: dict[str, Any]) -> None:
        before = previous_run(run)
        if before is None:
            raise CommandError(f"run {run.pk} has no earlier succeeded run to compare with")
        writer = csv_writer(self.stdout)
        writer.writerow(["scope", "subject", "metric", "before", "now", "change"])
        for scope, subject, metric, then, now in change_rows(run, before):
            change = None if then is None or now is None else now - then
            writer.writerow([scope, subject, metric, _cell(then), _cell(now), _cell(change)])
