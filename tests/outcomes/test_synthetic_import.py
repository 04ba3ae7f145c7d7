"""The synthetic organization with planted outcomes imports cleanly: the generator writes the
format import_outcomes reads, and its departures agree with the people's left_on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from outcomes.models import Outcome, OutcomeKind
from people.models import Person
from tests.support.commands import run

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("variant", ["--outcomes", "--outcomes-null"])
def test_planted_outcomes_import_without_a_rejection(tmp_path: Path, variant: str) -> None:
    run(
        "generate_org",
        "--people",
        "60",
        "--seed",
        "3",
        "--out",
        str(tmp_path),
        "--events-per-person",
        "10",
        variant,
    )
    assert "rejected: 0" in run("import_org", str(tmp_path / "org.csv"))
    imported = run("import_outcomes", str(tmp_path / "outcomes.csv"))
    assert "rejected: 0" in imported
    assert Outcome.objects.filter(kind=OutcomeKind.WELLBEING).exists()
    departed = set(
        Outcome.objects.filter(kind=OutcomeKind.DEPARTURE).values_list("person__external_id", "at")
    )
    left = set(Person.objects.exclude(left_on=None).values_list("external_id", "left_on"))
    assert departed
    assert left <= departed
    truth = json.loads((tmp_path / "outcomes-truth.json").read_text())
    assert truth
