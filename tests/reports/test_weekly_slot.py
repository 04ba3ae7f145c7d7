"""The weekly task keys its run by schedule slot: delivered twice (a redelivery after a worker
crash, or a second call the same day) it mines, files and mails once, and it takes up a run a crash
left behind. Celery runs eagerly in this process; mining uses the real Neo4j."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from pytest_django.fixtures import Settings

from analytics.models import MiningRun, RunStatus
from analytics.services import create_run
from reports.models import Report
from reports.services import weekly_run
from reports.tasks import weekly_mining_and_report
from sociograph.celery import app as celery_app
from tests.support.reports import Users

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("graph")]


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Tasks (and the chain the weekly task sends) run in this process, errors raised."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


@pytest.fixture
def projected_org(settings: Settings, tmp_path: Path) -> None:
    settings.SOCIOGRAPH_GRAPH_NUDGE = False
    call_command(
        "generate_org", "--people=30", "--seed=3", f"--out={tmp_path}", stdout=io.StringIO()
    )
    call_command("import_org", str(tmp_path / "org.csv"), stdout=io.StringIO())
    call_command(
        "import_events", str(tmp_path / "events.csv"), stdout=io.StringIO(), stderr=io.StringIO()
    )
    call_command("graph_sync", stdout=io.StringIO())


def today() -> str:
    return timezone.localdate(timezone=timezone.get_default_timezone()).isoformat()


def deliver(task_id: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = weekly_mining_and_report.apply(task_id=task_id).get()
    return result


@pytest.mark.usefixtures("eager_celery", "projected_org")
def test_delivered_twice_for_a_slot_it_mines_files_and_mails_once(
    users: Users, mailoutbox: list[Any]
) -> None:
    first = deliver()
    again = deliver()

    run = MiningRun.objects.get()
    assert first["run"] == again["run"] == run.pk
    assert run.status == RunStatus.SUCCEEDED
    assert run.params["scheduled_for"] == today()
    assert Report.objects.filter(run=run, emailed_at__isnull=False).count() == 1
    assert Report.objects.count() == 1
    assert sorted(message.to[0] for message in mailoutbox) == [
        "hilda@example.org",
        "root@example.org",
    ]


@pytest.mark.usefixtures("eager_celery", "projected_org")
@pytest.mark.parametrize("status", [RunStatus.QUEUED, RunStatus.FAILED])
def test_a_run_a_crash_left_queued_or_that_failed_is_mined_and_reported(
    status: RunStatus, users: Users, mailoutbox: list[Any]
) -> None:
    left = create_run(90, scheduled_for=today())  # as if the worker died right after
    MiningRun.objects.filter(pk=left.pk).update(status=status)

    assert deliver()["run"] == left.pk

    left.refresh_from_db()
    assert left.status == RunStatus.SUCCEEDED
    assert MiningRun.objects.count() == 1
    assert Report.objects.get().run == left
    assert len(mailoutbox) == 2


@pytest.mark.usefixtures("eager_celery")
def test_a_run_being_mined_is_left_to_its_worker(users: Users, mailoutbox: list[Any]) -> None:
    running = create_run(90, scheduled_for=today())
    MiningRun.objects.filter(pk=running.pk).update(status=RunStatus.RUNNING)

    assert deliver() == {"run": running.pk, "scheduled_for": today(), "status": "running"}
    assert MiningRun.objects.get().status == RunStatus.RUNNING
    assert not Report.objects.exists()
    assert mailoutbox == []


@pytest.mark.usefixtures("eager_celery")
def test_a_task_redelivered_on_a_later_day_finds_the_run_it_created() -> None:
    mined = create_run(90, scheduled_for="2026-11-30", task_id="weekly-1")
    MiningRun.objects.filter(pk=mined.pk).update(status=RunStatus.RUNNING)

    assert deliver(task_id="weekly-1")["run"] == mined.pk
    assert MiningRun.objects.count() == 1


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])  # UTC+14 and UTC-12
def test_the_slot_is_the_day_in_the_configured_time_zone(zone: str, settings: Settings) -> None:
    settings.TIME_ZONE = zone
    run = weekly_run()
    assert run.params["scheduled_for"] == datetime.now(ZoneInfo(zone)).date().isoformat()
    assert weekly_run().pk == run.pk
