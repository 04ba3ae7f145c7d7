"""One mining run at a time: while a run is queued or running, every way of starting another one
is refused, each reporting it its own way (the portal's in tests/portal/test_runs.py, the API's in
tests/api/test_run_start.py)."""

from __future__ import annotations

import io

import pytest
from celery.exceptions import Retry
from celery.signals import task_retry
from django.core.management import CommandError, call_command
from django.test import Client

from analytics.models import MiningRun, RunStatus
from analytics.services import RunAlreadyActive, create_run, start_run
from reports.services import weekly_run
from reports.tasks import WEEKLY_RETRIES, WEEKLY_RETRY_SECONDS, weekly_mining_and_report
from tests.support.admin import messages_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(params=[RunStatus.QUEUED, RunStatus.RUNNING])
def active(request: pytest.FixtureRequest) -> MiningRun:
    run = create_run()
    MiningRun.objects.filter(pk=run.pk).update(status=request.param)
    run.refresh_from_db()
    return run


def refusal(run: MiningRun) -> str:
    return (
        f"Mining run {run.pk} is already {run.status}: "
        "wait for it to finish before starting another."
    )


def test_start_run_is_refused_while_a_run_is_active_and_names_that_run(active: MiningRun) -> None:
    with pytest.raises(RunAlreadyActive) as refused:
        start_run(30, requested_by="hr")
    assert refused.value.active == active
    assert str(refused.value) == refusal(active)
    assert MiningRun.objects.count() == 1


@pytest.mark.parametrize("status", [RunStatus.SUCCEEDED, RunStatus.FAILED])
def test_a_run_starts_once_the_previous_one_finished_and_then_blocks_the_next(status: str) -> None:
    finished = create_run()
    MiningRun.objects.filter(pk=finished.pk).update(status=status)

    run = start_run(30, queue=False, requested_by="hr")
    assert (run.status, run.params) == (RunStatus.QUEUED, {"window_days": 30, "requested_by": "hr"})
    with pytest.raises(RunAlreadyActive) as refused:
        start_run()
    assert refused.value.active == run


@pytest.mark.usefixtures("graph")
def test_the_admin_start_form_is_refused_and_leads_to_the_active_run(
    admin_client: Client, active: MiningRun
) -> None:
    response = admin_client.post(
        "/admin/analytics/miningrun/start/", {"window_days": "30"}, follow=True
    )
    assert response.redirect_chain == [(f"/admin/analytics/miningrun/{active.pk}/change/", 302)]
    assert messages_of(response) == [refusal(active)]
    assert MiningRun.objects.count() == 1


@pytest.mark.parametrize("options", [["--sync"], [], ["--wait", "--timeout=1"]])
def test_the_mine_command_is_refused(active: MiningRun, options: list[str]) -> None:
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("mine", *options, stdout=out)
    assert str(refused.value) == refusal(active)
    assert out.getvalue() == ""
    assert MiningRun.objects.count() == 1


def test_the_weekly_run_waits_for_a_run_started_by_hand(active: MiningRun) -> None:
    with pytest.raises(RunAlreadyActive):
        weekly_run(task_id="weekly-1")
    assert MiningRun.objects.count() == 1
    # The weekly task tries again later; here, with one retry left, the second attempt fails.
    retried: list[Retry] = []

    def note(reason: Retry, **kwargs: object) -> None:
        retried.append(reason)

    task_retry.connect(note, sender=weekly_mining_and_report, weak=False)
    try:
        result = weekly_mining_and_report.apply(retries=WEEKLY_RETRIES - 1)
    finally:
        task_retry.disconnect(note, sender=weekly_mining_and_report)
    assert [(str(retry.exc), retry.when) for retry in retried] == [
        (refusal(active), WEEKLY_RETRY_SECONDS)
    ]
    assert result.state == "FAILURE"
    assert isinstance(result.result, RunAlreadyActive)
    assert MiningRun.objects.count() == 1


def test_demo_history_is_refused_while_a_run_is_active(active: MiningRun) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("demo_history", "--weeks", "2", stdout=io.StringIO())
    assert str(refused.value) == refusal(active)
    assert MiningRun.objects.count() == 1
