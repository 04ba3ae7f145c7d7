"""The commands `make demo` relies on: mine --as-of, demo_history and send_report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError

from analytics.models import MiningRun, RunStatus
from reports.models import Report
from sociograph.graph import relay
from tests.support.commands import run
from tests.support.users import user_with_role

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("graph")]


@pytest.fixture
def imported(small_org: Path) -> None:
    run("import_org", str(small_org))
    relay.relay(wait_seconds=30)


@pytest.mark.usefixtures("imported")
def test_mine_as_of_ends_the_window_then() -> None:
    run("mine", "--sync", "--window-days", "14", "--as-of", "2026-10-19")
    mined = MiningRun.objects.get()
    assert mined.status == RunStatus.SUCCEEDED
    assert mined.window_end == datetime(2026, 10, 19, tzinfo=UTC)
    assert mined.window_start == datetime(2026, 10, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("as_of", "reason"),
    [
        ("19/10/2026", "not an ISO-8601"),
        ((datetime.now(UTC) + timedelta(days=2)).isoformat(), "future"),
    ],
)
def test_mine_refuses_a_bad_as_of(as_of: str, reason: str) -> None:
    with pytest.raises(CommandError, match=reason):
        run("mine", "--sync", "--as-of", as_of)
    assert not MiningRun.objects.exists()


@pytest.mark.usefixtures("imported")
def test_demo_history_mines_past_weeks_once() -> None:
    run("demo_history", "--weeks", "3", "--window-days", "30")
    runs = list(MiningRun.objects.order_by("window_end"))
    assert [r.status for r in runs] == [RunStatus.SUCCEEDED] * 3
    gaps = {later.window_end - earlier.window_end for earlier, later in pairwise(runs)}
    assert gaps == {timedelta(weeks=1)}
    assert datetime.now(UTC) - runs[-1].window_end < timedelta(weeks=1, minutes=5)
    assert "no history added" in run("demo_history", "--weeks", "3")
    assert MiningRun.objects.count() == 3


@pytest.mark.usefixtures("imported")
def test_send_report_files_and_mails_once(
    mailoutbox: list[Any], settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    user_with_role(None, "hr", email="hr@example.org", password="pw-hr-demo-1", superuser=True)
    run("mine", "--sync")
    assert "e-mailed to 1" in run("send_report", "--run", "latest")
    report = Report.objects.get()
    assert report.recipients == ["hr@example.org"]
    assert [message.to for message in mailoutbox] == [["hr@example.org"]]
    run("send_report", "--run", "latest")
    assert Report.objects.count() == 1
    assert len(mailoutbox) == 1


def test_send_report_refuses_a_run_that_did_not_succeed() -> None:
    failed = MiningRun.objects.create(
        status=RunStatus.FAILED,
        window_start=datetime(2026, 9, 1, tzinfo=UTC),
        window_end=datetime(2026, 10, 1, tzinfo=UTC),
    )
    with pytest.raises(CommandError, match="only succeeded runs report"):
        run("send_report", "--run", str(failed.pk))
    assert not Report.objects.exists()
