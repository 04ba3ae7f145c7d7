from typing import Any

from django.core.management.base import CommandError

from analytics.management.run_command import RunCommand
from analytics.models import MiningRun
from analytics.selectors import change_rows, previous_run
from sociograph.ingest.csv_output import csv_writer


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


class Command(RunCommand):
    help = (
        "Print how each metric changed between a run and the run before it, as CSV: "
        "scope,subject,metric,before,now,change (empty where a side has no value)."
    )

    def handle_run(self, run: MiningRun, options: dict[str, Any]) -> None:
        before = previous_run(run)
        if before is None:
            raise CommandError(f"run {run.pk} has no earlier succeeded run to compare with")
        writer = csv_writer(self.stdout)
        writer.writerow(["scope", "subject", "metric", "before", "now", "change"])
        for scope, subject, metric, then, now in change_rows(run, before):
            change = None if then is None or now is None else now - then
            writer.writerow([scope, subject, metric, _cell(then), _cell(now), _cell(change)])
