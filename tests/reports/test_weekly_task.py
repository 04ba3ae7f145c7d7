"""The scheduled task through a real Celery worker: a mining run, then its report filed and sent;
delivered again for the same slot, it neither mines nor files nor sends again."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings

from analytics.models import MiningRun, RunStatus
from reports.models import Report
from reports.tasks import weekly_mining_and_report
from sociograph.graph import relay
from sociograph.settings import test as test_settings
from tests.support.reports import Users, findings_chart_text, pdf_text
from tests.support.workers import wait_for_idle_workers

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("graph"),
]

TIMEOUT_SECONDS = 240
WORKER_MEDIA_ROOT = test_settings.MEDIA_ROOT  # the session's worker runs on the test settings


def test_the_weekly_task_mines_then_files_and_mails_the_report(
    celery_worker: str, users: Users, settings: Settings, tmp_path: Path
) -> None:
    wait_for_idle_workers()
    settings.SOCIOGRAPH_GRAPH_NUDGE = False  # relayed here, not by the session's worker
    call_command(
        "generate_org", "--people=60", "--seed=2", f"--out={tmp_path}", stdout=io.StringIO()
    )
    call_command("import_org", str(tmp_path / "org.csv"), stdout=io.StringIO())
    call_command(
        "import_events", str(tmp_path / "events.csv"), stdout=io.StringIO(), stderr=io.StringIO()
    )
    relay.relay(wait_seconds=60)

    started = weekly_mining_and_report.delay().get(timeout=60)
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not Report.objects.filter(run_id=started["run"], emailed_at__isnull=False).exists():
        assert time.monotonic() < deadline, "no report sent in time"
        time.sleep(1)

    run = MiningRun.objects.get(pk=started["run"])
    assert run.status == RunStatus.SUCCEEDED
    report = Report.objects.get()
    assert report.recipients == ["hilda@example.org", "root@example.org"]
    assert report.error == ""
    worker_media = Path(WORKER_MEDIA_ROOT)  # the worker's, not this test's temporary one
    pdf, html = worker_media / str(report.pdf.name), worker_media / str(report.html.name)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert findings_chart_text(run) in pdf_text(pdf)

    again = weekly_mining_and_report.delay().get(timeout=60)  # same day: same slot
    assert again == {
        "run": run.pk,
        "scheduled_for": started["scheduled_for"],
        "status": "succeeded",
    }
    wait_for_idle_workers()
    assert MiningRun.objects.get() == run
    assert Report.objects.get() == report
    assert Report.objects.get().emailed_at == report.emailed_at  # not sent again
    pdf.unlink()
    html.unlink()
    wait_for_idle_workers()
