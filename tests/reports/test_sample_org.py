"""A report on a generated organization of 150 people, mined twice (a week apart) against the
real Neo4j: the PDF's sections, charts and explanations, no person-level data, small groups
withheld, the e-mail to the HR admins."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from analytics import overview
from analytics.models import ContextMetric, MiningRun, RunStatus
from analytics.release import MIN_GROUP_SIZE
from analytics.services import create_run, execute_run
from people.models import Person
from reports.explanations import explanation_of
from reports.services import report_and_send
from tests.support.reports import Users, findings_chart_text, pdf_text

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("graph")]

SECTIONS = (
    "Health index",
    "Most important changes since the previous report",
    "Findings by pattern",
    "What the findings mean",
    "Contexts",
)


@pytest.fixture(scope="module")
def org_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report-org")
    call_command(
        "generate_org", "--people=150", "--seed=6", f"--out={folder}", stdout=io.StringIO()
    )
    return folder


@pytest.fixture
def mined_twice(org_files: Path) -> MiningRun:
    """The organization imported and projected; a run as of a week ago, then one now."""
    call_command("import_org", str(org_files / "org.csv"), stdout=io.StringIO())
    call_command(
        "import_events", str(org_files / "events.csv"), stdout=io.StringIO(), stderr=io.StringIO()
    )
    call_command("graph_sync", stdout=io.StringIO())
    week_ago = execute_run(create_run(90, now=timezone.now() - timedelta(days=7)).pk)
    assert week_ago.status == RunStatus.SUCCEEDED
    call_command("mine", "--sync", "--window-days=90", stdout=io.StringIO())
    return MiningRun.objects.filter(status=RunStatus.SUCCEEDED).latest("finished_at")


def words(text: str) -> str:
    return " ".join(text.split())


def test_the_weekly_report_of_a_sample_organization(
    mined_twice: MiningRun, users: Users, mailoutbox: list[Any], tmp_path: Path
) -> None:
    run = mined_twice
    report = report_and_send(run)

    text = pdf_text(Path(report.pdf.path))
    for heading in (*SECTIONS, "Health index over the last runs"):
        assert heading in text, heading
    counts = overview.finding_counts(run)
    assert len(counts) >= 5  # a realistic organization shows many patterns
    assert findings_chart_text(run) in text  # the bar chart: each pattern's bar and count
    for pattern, count in counts:
        explanation = explanation_of(pattern)
        assert f"{explanation.title} ({count})" in text
        assert words(explanation.meaning) in text
        assert words(explanation.action) in text

    html = Path(report.html.path).read_text(encoding="utf-8")
    assert len(re.findall(r"<circle", html)) == 3 * 2  # three health lines over the two runs
    changes = re.search(r"since the previous report</h2>\s*<table>(.*?)</table>", html, re.S)
    assert changes is not None
    assert changes.group(1).count("<tr>") == 1 + 3  # header and the three largest changes

    people = list(Person.objects.values_list("name", "external_id", "email"))
    assert len(people) == 150
    for name, external_id, email in people:
        for identifying in (name, email):
            assert identifying not in html
            assert identifying not in text
        assert not re.search(rf"\b{external_id}\b", html)
        assert not re.search(rf"\b{external_id}\b", text)

    small = ContextMetric.objects.filter(run=run, metric="size", value__lt=MIN_GROUP_SIZE)
    assert small.exists()  # the sample has small groups, so the next lines test something
    for context in small.select_related("context"):
        row = re.search(rf"<tr class=\"withheld\"><td>{context.context.key}</td>(.*?)</tr>", html)
        assert row is not None, context.context.key
        assert set(re.findall(r"<td>([^<]*)</td>", row.group(1))) == {"withheld"}

    assert sorted(message.to[0] for message in mailoutbox) == report.recipients
    assert report.recipients == ["hilda@example.org", "root@example.org"]
    (name, content, mimetype), *_ = mailoutbox[0].attachments
    assert mimetype == "application/pdf"
    assert content == Path(report.pdf.path).read_bytes()
