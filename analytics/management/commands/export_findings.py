from typing import Any

from analytics.management.run_command import RunCommand
from analytics.models import MiningRun
from analytics.selectors import finding_rows
from sociograph.csv_output import csv_writer


class Command(RunCommand):
    help = "Print a run's findings as CSV: pattern,severity,subjects,context,detail."

    def handle_run(self, run: MiningRun, options: dict[str, Any]) -> None:
        writer = csv_writer(self.stdout)
        writer.writerow(["pattern", "severity", "subjects", "context", "detail"])
        writer.writerows(finding_rows(run))
