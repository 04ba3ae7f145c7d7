"""import_outcomes: line- and column-level errors, idempotence, --atomic; departures and left_on."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from outcomes.models import Outcome, OutcomeKind
from outcomes.selectors import departures, pulse_answers, team_results
from people.models import Person
from tests.support.commands import run, run_failing
from tests.support.outcomes import outcomes_csv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pulse_org")]

GOOD = [
    "departure,P1,2025-03-01,voluntary,,",
    "departure,P2,2025-03-15,involuntary,,",
    "departure,P3,2025-04-01,,,",
    "wellbeing,P4,2025-02-10,4,1-5,",
    "engagement,P5,2025-02-10,3.5,1-5,team:Alpha",
    "enps,P6,2025-02-10,9,0-10,",
    "team_result,delivery,2025-01-01,0.92,0-1,team:Alpha",
    "team_result,incident rate,2025-01-01,3,,team:Beta",
]


def test_every_kind_is_imported(tmp_path: Path) -> None:
    out = run("import_outcomes", str(outcomes_csv(tmp_path, GOOD)))
    assert "accepted: 8  already present: 0  rejected: 0" in out
    departure = Outcome.objects.get(person__external_id="P1")
    assert (departure.kind, departure.at, departure.voluntary) == (
        "departure",
        date(2025, 3, 1),
        True,
    )
    assert Outcome.objects.get(person__external_id="P3").voluntary is None
    answer = Outcome.objects.get(person__external_id="P5")
    assert (answer.value, answer.scale_min, answer.scale_max) == (3.5, 1.0, 5.0)
    assert answer.context is not None
    assert answer.context.key == "team:Alpha"
    result = Outcome.objects.get(metric="incident rate")
    assert (result.kind, result.person, result.value, result.scale_min) == (
        OutcomeKind.TEAM_RESULT,
        None,
        3.0,
        None,
    )


def test_reimporting_changes_nothing_and_a_new_value_corrects(tmp_path: Path) -> None:
    path = outcomes_csv(tmp_path, GOOD)
    run("import_outcomes", str(path))
    keys = set(Outcome.objects.values_list("outcome_key", flat=True))
    assert "accepted: 0  already present: 8  rejected: 0" in run("import_outcomes", str(path))
    assert set(Outcome.objects.values_list("outcome_key", flat=True)) == keys
    corrected = outcomes_csv(tmp_path, ["wellbeing,P4,2025-02-10,2,1-5,"], "fix.csv")
    assert "accepted: 1  already present: 0" in run("import_outcomes", str(corrected))
    assert Outcome.objects.get(person__external_id="P4").value == 2.0
    assert Outcome.objects.count() == 8


BAD = {
    "conference,P1,2025-01-01,1,1-5,": "kind: 'conference' is not one of",
    "wellbeing,NOBODY,2025-01-01,4,1-5,": "subject: 'NOBODY' is not a known person",
    "wellbeing,P1,2025-01-01,4,1-5,team:Nowhere": "context: 'team:Nowhere' is not a known context",
    "wellbeing,P1,2025-01-01,4,1-5,Alpha": "context: context 'Alpha' is not written kind:name",
    "wellbeing,P1,2025-01-01,6,1-5,": "value: 6 is outside the scale 1-5",
    "wellbeing,P1,2025-01-01,four,1-5,": "value: 'four' is not a number",
    "wellbeing,P1,2025-01-01,4,,": "scale: required for a survey answer",
    "wellbeing,P1,2025-01-01,4,5-1,": "scale: '5-1': the minimum must be below the maximum",
    "wellbeing,P1,2025-01-01,4,one to five,": "scale: 'one to five' is not min-max",
    "enps,P1,2025-01-01,4,1-5,": "scale: an eNPS answer is on the scale 0-10",
    "wellbeing,P1,2025-13-01,4,1-5,": "at: '2025-13-01' is not a date (YYYY-MM-DD)",
    "wellbeing,P1,,4,1-5,": "at: required",
    "departure,P1,2025-01-01,maybe,,": "value: 'maybe' is not voluntary, involuntary or empty",
    "departure,P1,2025-01-01,voluntary,,team:Alpha": "context: a departure has no context",
    "team_result,delivery,2025-01-01,0.9,,": "context: required for a team result",
    "team_result,,2025-01-01,0.9,,team:Alpha": "subject: required for a team result",
    "team_result,delivery,2025-01-01,,,team:Alpha": "value: required",
}


def test_each_rejected_row_names_its_line_and_column(tmp_path: Path) -> None:
    lines = [GOOD[0], *BAD, GOOD[3]]
    out, error = run_failing("import_outcomes", str(outcomes_csv(tmp_path, lines)))
    for line, (_, reason) in enumerate(BAD.items(), start=3):
        assert f"line {line}: {reason}" in out
    assert f"accepted: 2  already present: 0  rejected: {len(BAD)}" in out
    assert "accepted rows were kept" in error
    assert Outcome.objects.count() == 2


def test_the_same_outcome_twice_in_a_file_is_rejected(tmp_path: Path) -> None:
    lines = ["wellbeing,P1,2025-01-01,4,1-5,", "wellbeing,P1,2025-01-01,3,1-5,"]
    out, _ = run_failing("import_outcomes", str(outcomes_csv(tmp_path, lines)))
    assert "line 3: the same outcome as line 2" in out


def test_atomic_keeps_nothing_when_a_row_is_rejected(tmp_path: Path) -> None:
    lines = [*GOOD, "wellbeing,NOBODY,2025-01-01,4,1-5,"]
    out, error = run_failing("import_outcomes", str(outcomes_csv(tmp_path, lines)), "--atomic")
    assert "line 10: subject: 'NOBODY' is not a known person" in out
    assert "nothing was kept (--atomic)" in error
    assert Outcome.objects.count() == 0


def test_a_file_with_wrong_columns_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("kind,subject,at,value\n", encoding="utf-8")
    _, error = run_failing("import_outcomes", str(path))
    assert "missing column(s): scale, context" in error


def test_left_on_is_a_departure_unless_a_departure_row_says_otherwise(tmp_path: Path) -> None:
    Person.objects.filter(external_id__in=["P1", "P2"]).update(left_on=date(2025, 3, 1))
    Person.objects.filter(external_id="P7").update(left_on=date(2025, 5, 1))
    run("import_outcomes", str(outcomes_csv(tmp_path, ["departure,P1,2025-03-02,voluntary,,"])))
    found = {d.external_id: d for d in departures(date(2025, 3, 1), date(2025, 4, 1))}
    assert set(found) == {"P1", "P2"}
    assert (found["P1"].on, found["P1"].voluntary, found["P1"].from_left_on) == (
        date(2025, 3, 2),
        True,
        False,
    )
    assert (found["P2"].on, found["P2"].voluntary, found["P2"].from_left_on) == (
        date(2025, 3, 1),
        None,
        True,
    )
    assert Outcome.objects.filter(kind=OutcomeKind.DEPARTURE).count() == 1  # nothing written


def test_reads_by_period_leave_opted_out_people_out(tmp_path: Path) -> None:
    run("import_outcomes", str(outcomes_csv(tmp_path, GOOD)))
    Person.objects.filter(external_id__in=["P1", "P4"]).update(analytics_opt_out=True)
    march = departures(date(2025, 3, 1), date(2025, 4, 1))
    assert [d.external_id for d in march] == ["P2"]
    february = pulse_answers(date(2025, 2, 1), date(2025, 3, 1))
    assert sorted(a.person.external_id for a in february if a.person) == ["P5", "P6"]
    january = team_results(date(2025, 1, 1), date(2025, 2, 1), metric="delivery")
    assert [r.context.key for r in january if r.context] == ["team:Alpha"]
