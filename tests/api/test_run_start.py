"""POST /api/v1/runs/: 202 with the run, or 409 while another run is queued or running."""

from __future__ import annotations

import pytest

from analytics.models import MiningRun, RunStatus
from tests.support.api import Org

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [RunStatus.QUEUED, RunStatus.RUNNING])
def test_a_second_run_is_refused_with_409_until_the_first_finishes(org: Org, status: str) -> None:
    hr = org.client("hr_admin")
    first = hr.post("/api/v1/runs/", {"window_days": 30}, format="json")
    assert first.status_code == 202, first.content
    run = MiningRun.objects.get()
    assert first["Location"].endswith(f"/api/v1/runs/{run.pk}/")
    MiningRun.objects.filter(pk=run.pk).update(status=status)

    second = hr.post("/api/v1/runs/", {"window_days": 30}, format="json")
    assert second.status_code == 409
    assert second.json() == {
        "detail": (
            f"Mining run {run.pk} is already {status}: "
            "wait for it to finish before starting another."
        ),
        "code": "conflict",
    }
    assert MiningRun.objects.count() == 1

    MiningRun.objects.filter(pk=run.pk).update(status=RunStatus.SUCCEEDED)
    third = hr.post("/api/v1/runs/", {}, format="json")
    assert third.status_code == 202, third.content
    assert third.json()["params"]["window_days"] == 90
