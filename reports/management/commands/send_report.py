from typing import Any

from django.core.management.base import CommandError

from analytics.management.run_command import RunCommand
from analytics.models import MiningRun, RunStatus
from reports.builder import ReportError
from reports.services import report_and_send


class Command(RunCommand):
    failures = (*RunCommand.failures, ReportError)
    help = (
        "File a run's org-health report in the report history and e-mail it to the HR admins: "
        "what the weekly task does after mining (once per run; a second call sends nothing)."
    )

    def handle_run(self, run: MiningRun, options: dict[str, Any]) -> None:
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(f"run {run.pk} is {run.status}: only succeeded runs report")
        report = report_and_send(run)
        sent = f"e-mailed to {len(report.recipients)}" if report.emailed_at else "not e-mailed"
        self.stdout.write(f"report {report.pk} of run {run.pk}: {sent}. {report.error}".strip())
