"""Filing and e-mailing a report, the build_report command, and a broken Chromium (in the
command, and in the scheduled task: logged, raised, and shown in the portal)."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.management import CommandError, call_command
from django.test import Client
from pytest_django.fixtures import Settings

from analytics.models import MiningRun, RunStatus
from reports.builder import ReportError
from reports.models import Report
from reports.services import report_and_send
from reports.tasks import report_run
from tests.support.reports import PlantedRuns, Users, findings_chart_text, pdf_text

pytestmark = [pytest.mark.django_db]


def broken_chromium(folder: Path) -> Path:
    broken = folder / "broken-chromium"
    broken.write_text("#!/bin/sh\necho 'noise' >&2\necho 'cannot open display' >&2\nexit 3\n")
    broken.chmod(0o755)
    return broken


def test_the_report_is_filed_and_mailed_to_each_hr_admin_with_the_pdf_attached(
    planted_runs: PlantedRuns, users: Users, mailoutbox: list[Any], tmp_path: Path
) -> None:
    report = report_and_send(planted_runs.latest)

    assert report.recipients == ["hilda@example.org", "root@example.org"]
    assert report.emailed_at is not None
    assert report.error == ""
    assert sorted(message.to for message in mailoutbox) == [
        ["hilda@example.org"],
        ["root@example.org"],
    ]
    message: EmailMultiAlternatives = mailoutbox[0]
    (name, content, mimetype), *others = message.attachments
    assert others == []
    assert mimetype == "application/pdf"
    assert name.endswith(".pdf")
    attached = tmp_path / "attached.pdf"
    attached.write_bytes(content)
    assert findings_chart_text(planted_runs.latest) in pdf_text(attached)
    report.refresh_from_db()
    with report.html.open("rb") as html:
        assert message.alternatives == [(html.read().decode(), "text/html")]
    with report.pdf.open("rb") as pdf:
        assert pdf.read() == content


def test_a_redelivered_task_neither_files_nor_sends_the_report_twice(
    planted_runs: PlantedRuns, users: Users, mailoutbox: list[Any]
) -> None:
    first = report_run(planted_runs.latest.pk)
    again = report_run(planted_runs.latest.pk)
    assert first == {"run": planted_runs.latest.pk, "report": first["report"], "sent": True}
    assert again == first
    assert Report.objects.count() == 1
    assert len(mailoutbox) == 2


def test_a_run_that_did_not_succeed_gets_no_report(
    planted_runs: PlantedRuns, users: Users, mailoutbox: list[Any]
) -> None:
    MiningRun.objects.filter(pk=planted_runs.latest.pk).update(status=RunStatus.FAILED)
    assert report_run(planted_runs.latest.pk)["report"] is None
    assert not Report.objects.exists()
    assert mailoutbox == []


def test_without_an_hr_address_the_report_is_kept_and_says_why(
    planted_runs: PlantedRuns, mailoutbox: list[Any]
) -> None:
    report = report_and_send(planted_runs.latest)
    assert report.emailed_at is None
    assert report.error == "no HR admin has an e-mail address"
    assert mailoutbox == []
    assert Report.objects.get().pdf.size > 1000


def test_build_report_writes_both_files_and_records_and_sends_nothing(
    planted_runs: PlantedRuns, users: Users, mailoutbox: list[Any], tmp_path: Path
) -> None:
    out = io.StringIO()
    call_command("build_report", "--run", "latest", "--out", str(tmp_path / "r"), stdout=out)
    html, pdf = tmp_path / "r" / "report.html", tmp_path / "r" / "report.pdf"
    assert f"run {planted_runs.latest.pk}: wrote {html} and {pdf}" in out.getvalue()
    assert "Health index over the last runs" in html.read_text()
    text = pdf_text(pdf)
    assert "Org-health report" in text
    assert "Health index over the last runs" in text
    call_command("build_report", f"--run={planted_runs.before.pk}", f"--out={tmp_path / 'b'}")
    assert (tmp_path / "b" / "report.pdf").stat().st_size > 1000
    assert not Report.objects.exists()
    assert mailoutbox == []


def test_build_report_without_a_run_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no succeeded mining run yet"):
        call_command("build_report", "--out", str(tmp_path))
    with pytest.raises(CommandError, match="no mining run '42'"):
        call_command("build_report", "--run", "42", "--out", str(tmp_path))


def test_a_missing_chromium_is_an_error_naming_the_binary(
    planted_runs: PlantedRuns, settings: Settings, tmp_path: Path
) -> None:
    settings.SOCIOGRAPH_CHROMIUM = "/opt/none/chromium"
    with pytest.raises(CommandError, match="'/opt/none/chromium' not found"):
        call_command("build_report", "--out", str(tmp_path))


def test_a_failing_chromium_is_an_error_with_the_tail_of_its_stderr(
    planted_runs: PlantedRuns, settings: Settings, tmp_path: Path
) -> None:
    broken = broken_chromium(tmp_path)
    settings.SOCIOGRAPH_CHROMIUM = str(broken)
    expected = f"{broken} exited with 3 and wrote no file; stderr: noise\ncannot open display"
    with pytest.raises(CommandError) as error:
        call_command("build_report", "--out", str(tmp_path / "out"))
    assert str(error.value) == f"cannot print the PDF: {expected}"


def test_a_report_the_task_cannot_build_is_logged_raised_and_shown_in_the_portal(
    planted_runs: PlantedRuns,
    users: Users,
    settings: Settings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    run, working = planted_runs.latest, settings.SOCIOGRAPH_CHROMIUM
    settings.SOCIOGRAPH_CHROMIUM = str(broken_chromium(tmp_path))
    with pytest.raises(ReportError, match="cannot open display"):
        report_run(run.pk)
    (logged,) = [r for r in caplog.records if r.name == "reports.tasks"]
    assert logged.levelno == logging.ERROR
    assert logged.getMessage() == f"the report of run {run.pk} could not be built"
    assert logged.exc_info is not None  # the traceback goes to the worker's log
    assert not Report.objects.exists()

    portal = Client()
    portal.force_login(users.hr)
    history = portal.get("/portal/reports/").content.decode()
    assert f"The report of mining run {run.pk} could not be built" in history
    assert "cannot open display" in history

    settings.SOCIOGRAPH_CHROMIUM = working
    report_run(run.pk)  # a report filed since: the failure is no news any more
    history = portal.get("/portal/reports/").content.decode()
    assert "could not be built" not in history
