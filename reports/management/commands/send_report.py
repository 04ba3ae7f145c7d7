from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.models import MiningRun, RunStatus
from analytics.selectors import RunNotFound, run_by_reference
from reports.builder import ReportError
from reports.services import report_and_send


class Command(BaseCommand):
    help = (
        "File a run's org-health report in the report history and e-mail it to the HR admins: "
        "what the weekly task does after mining (once per run; a second call sends nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run", default="latest", help="a run id, or latest (default)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.handle_run(run_by_reference(options["run"]), options)
        except (RunNotFound, ReportError) as error:
            raise CommandError(str(error)) from error

    def handle_run(self, run: MiningRun, options: dict[str, Any]) -> None:
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(f"run {run.pk} is {run.status}: only succeeded runs report")
        report = report_and_send(run)
        sent = f"e-mailed to {len(report.recipients)}" if report.emailed_at else "not e-mailed"
        self.stdout.write(f"report {report.pk} of run {run.pk}: {sent}. {report.error}".strip())
