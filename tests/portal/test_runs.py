"""Starting a mining run from the dashboard and following it to the end, with a real worker."""

from __future__ import annotations

import time
from itertools import pairwise
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from analytics.models import MiningRun, RunStatus
from analytics.services import create_run
from tests.support.workers import wait_for_idle_workers

RUN_TIMEOUT_SECONDS = 120
STATUS_ORDER = [RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.SUCCEEDED]


def finished_steps(state: dict[str, Any]) -> set[str]:
    return {name for name, step in state["steps"].items() if step["status"] == "succeeded"}


def message_list(html: str) -> str:
    start = html.index('class="messagelist"')
    return html[start : html.index("</ul>", start)]


def follow_progress(client: Client, run: MiningRun) -> list[dict[str, Any]]:
    """Every state the progress endpoint answered until the run finished."""
    states: list[dict[str, Any]] = []
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        response = client.get(reverse("portal:run-progress", args=[run.pk]))
        assert response.status_code == 200
        states.append(response.json())
        if states[-1]["status"] in (RunStatus.SUCCEEDED, RunStatus.FAILED):
            return states
        time.sleep(0.3)
    pytest.fail(f"run {run.pk} not finished after {RUN_TIMEOUT_SECONDS} s: {states[-1]}")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_run_started_from_the_dashboard_is_mined_by_a_worker(
    projected_org: None, hr: Client, employee: Client, celery_worker: str
) -> None:
    assert hr.get(reverse("portal:start-run")).status_code == 405
    assert employee.post(reverse("portal:start-run")).status_code == 403
    assert not MiningRun.objects.exists()

    response = hr.post(reverse("portal:start-run"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")
    run = MiningRun.objects.get()
    assert employee.get(reverse("portal:run-progress", args=[run.pk])).status_code == 403

    states = follow_progress(hr, run)
    assert states[-1]["status"] == RunStatus.SUCCEEDED, states[-1]
    assert states[-1]["progress"] == 100
    assert set(states[-1]["steps"]) >= {"leadership", "health"}
    assert states[-1]["error"] == ""
    # Observed states only go forward: status, progress and the set of finished steps.
    ranks = [STATUS_ORDER.index(state["status"]) for state in states]
    assert ranks == sorted(ranks), [state["status"] for state in states]
    progress = [state["progress"] for state in states]
    assert progress == sorted(progress), progress
    finished = [finished_steps(state) for state in states]
    assert all(before <= after for before, after in pairwise(finished)), finished
    assert finished[-1] == set(states[-1]["steps"])

    dashboard = hr.get(reverse("portal:dashboard")).text
    assert f"Run {run.pk}:" in dashboard
    assert 'data-run-progress max="100" value="100"' in dashboard
    assert "succeeded (100%)" in dashboard
    assert 'class="chart line-chart"' in dashboard
    wait_for_idle_workers()


@pytest.mark.django_db
@pytest.mark.parametrize("status", [RunStatus.QUEUED, RunStatus.RUNNING])
def test_no_run_starts_while_one_is_queued_or_running(hr: Client, status: str) -> None:
    active = create_run()
    MiningRun.objects.filter(pk=active.pk).update(status=status)
    newer = create_run()  # a newer run that failed: the dashboard still follows the active one
    MiningRun.objects.filter(pk=newer.pk).update(status=RunStatus.FAILED)

    response = hr.post(reverse("portal:start-run"), follow=True)
    assert response.redirect_chain == [(reverse("portal:dashboard"), 302)]
    assert MiningRun.objects.count() == 2
    (message,) = response.context["messages"]
    assert message.level_tag == "warning"
    assert f"Mining run {active.pk} is already {status}" in message.message
    assert message.message in message_list(response.text)
    assert f"Run {active.pk}:" in response.text
    assert f'data-status="{status}"' in response.text
