"""The weekly mining run and org-health report (scheduled by django-celery-beat)."""

from __future__ import annotations

import logging

from celery import chain, shared_task

from analytics.models import MiningRun, RunStatus
from analytics.services import create_run
from analytics.tasks import mine
from sociograph.reports.services import report_and_send

WEEKLY_TASK = "sociograph.reports.tasks.weekly_mining_and_report"

logger = logging.getLogger(__name__)


@shared_task
def report_run(run_id: int) -> dict[str, object]:
    """File and e-mail the report of a run; a run that did not succeed gets no report."""
    run = MiningRun.objects.get(pk=run_id)
    if run.status != RunStatus.SUCCEEDED:
        logger.warning("run %s is %s: no report", run.pk, run.status)
        return {"run": run.pk, "report": None, "status": run.status}
    report = report_and_send(run)
    return {"run": run.pk, "report": report.pk, "sent": report.emailed_at is not None}


@shared_task(name=WEEKLY_TASK)
def weekly_mining_and_report() -> dict[str, object]:
    """Start a mining run; once it is mined, report it."""
    run = create_run()
    chain(mine.si(run.pk), report_run.si(run.pk)).delay()
    return {"run": run.pk}
