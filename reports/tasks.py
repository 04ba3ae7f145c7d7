"""The weekly mining run and org-health report (scheduled by django-celery-beat)."""

from __future__ import annotations

import logging

from celery import Task, chain, shared_task

from analytics.models import MiningRun, RunStatus
from analytics.services import RunAlreadyActive
from analytics.tasks import mine
from reports.builder import ReportError
from reports.services import record_report_failure, report_and_send, weekly_run

WEEKLY_TASK = "sociograph.reports.tasks.weekly_mining_and_report"
# While a run started by hand is queued or running, the weekly run waits: tried again every
# ten minutes for up to a day.
WEEKLY_RETRY_SECONDS, WEEKLY_RETRIES = 600, 144

logger = logging.getLogger(__name__)


@shared_task(name="sociograph.reports.tasks.report_run")
def report_run(run_id: int) -> dict[str, object]:
    """File and e-mail the report of a run; a run that did not succeed gets no report."""
    run = MiningRun.objects.get(pk=run_id)
    if run.status != RunStatus.SUCCEEDED:
        logger.warning("run %s is %s: no report", run.pk, run.status)
        return {"run": run.pk, "report": None, "status": run.status}
    try:
        report = report_and_send(run)
    except ReportError as error:
        logger.exception("the report of run %s could not be built", run.pk)
        record_report_failure(run, error)
        raise  # so that Celery records the task as failed
    return {"run": run.pk, "report": report.pk, "sent": report.emailed_at is not None}


@shared_task(name=WEEKLY_TASK, bind=True, max_retries=WEEKLY_RETRIES)
def weekly_mining_and_report(self: Task) -> dict[str, object]:
    """Mine this schedule slot's run and report it. A redelivered or repeated task takes up the
    slot's run where it stands instead of starting another one."""
    try:
        run = weekly_run(task_id=self.request.id)
    except RunAlreadyActive as refused:
        raise self.retry(exc=refused, countdown=WEEKLY_RETRY_SECONDS) from None
    if run.status == RunStatus.SUCCEEDED:
        report_run.delay(run.pk)  # files and sends only what is missing
    elif run.status in (RunStatus.QUEUED, RunStatus.FAILED):
        chain(mine.si(run.pk), report_run.si(run.pk)).delay()
    # RUNNING: a worker mines it, and its own chain reports it.
    return {"run": run.pk, "scheduled_for": run.params["scheduled_for"], "status": run.status}
