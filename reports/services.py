"""File an org-health report (Report row with its HTML and PDF) and e-mail it to the HR admins."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import timezone

from analytics.models import MiningRun
from analytics.overview import run_label
from analytics.services import DEFAULT_WINDOW_DAYS, start_run
from reports.builder import ReportError, write_report
from reports.models import Report
from reports.selectors import REPORT_FAILURE_KEY, hr_recipients, scheduled_run

logger = logging.getLogger(__name__)


def create_report(run: MiningRun) -> Report:
    """Build the report of a succeeded run and keep it in the history (nothing is sent)."""
    with tempfile.TemporaryDirectory(prefix="sociograph-report-") as folder:
        files = write_report(run, Path(folder))
        stem = f"org-health-run-{run.pk}-{timezone.now():%Y%m%d-%H%M%S}"
        report = Report(run=run)
        report.html.save(f"{stem}.html", ContentFile(files.html.read_bytes()), save=False)
        report.pdf.save(f"{stem}.pdf", ContentFile(files.pdf.read_bytes()), save=False)
    report.save()
    return report


def _message(report: Report, recipient: str) -> EmailMultiAlternatives:
    label = run_label(report.run)
    message = EmailMultiAlternatives(
        subject=f"Sociograph org-health report {label}",
        body=(
            f"The org-health report of mining run {report.run_id} ({label}) is attached as a PDF."
            "\nIt is also kept in the Sociograph portal's report history."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
    )
    with report.html.open("rb") as html:
        message.attach_alternative(html.read().decode("utf-8"), "text/html")
    with report.pdf.open("rb") as pdf:
        message.attach(f"org-health-{label}.pdf", pdf.read(), "application/pdf")
    return message


def send_report(report: Report) -> Report:
    """E-mail the report to every HR admin with an address, one message each; record the outcome
    on the report (a failure is recorded, not raised: the report stays in the history)."""
    recipients = hr_recipients()
    report.recipients, report.error = recipients, ""
    if not recipients:
        report.error = "no HR admin has an e-mail address"
    else:
        try:
            get_connection().send_messages([_message(report, to) for to in recipients])
            report.emailed_at = timezone.now()
        except OSError as error:  # smtplib's errors and connection failures are OSErrors
            report.error = f"could not send the e-mail: {type(error).__name__}: {error}"
            logger.warning("report %s: %s", report.pk, report.error)
    report.save(update_fields=["recipients", "emailed_at", "error"])
    return report


def report_and_send(run: MiningRun) -> Report:
    """The scheduled path: file the run's report once (a redelivered task reuses it), then send
    it unless it was sent already."""
    report = Report.objects.filter(run=run).order_by("-id").first() or create_report(run)
    return report if report.emailed_at else send_report(report)


def weekly_run(task_id: str | None = None) -> MiningRun:
    """The run of the current schedule slot (today in settings.TIME_ZONE), created when missing.

    A task redelivered after a worker crash finds the run it created by its task id, even on a
    later day. Creating one obeys the one-active-run rule (analytics.services.RunAlreadyActive);
    the run is returned unqueued: the weekly task chains its mining and its report."""
    slot = timezone.localdate(timezone=timezone.get_default_timezone()).isoformat()
    return scheduled_run(slot, task_id) or start_run(
        DEFAULT_WINDOW_DAYS, queue=False, scheduled_for=slot, task_id=task_id
    )


def record_report_failure(run: MiningRun, error: ReportError) -> None:
    """Keep the latest failure to build a report where the portal's report history shows it
    (in the cache: a notice, not a record; the worker's log has the traceback)."""
    failure = {"run": run.pk, "at": timezone.now().isoformat(), "error": str(error)}
    cache.set(REPORT_FAILURE_KEY, failure, timeout=None)
