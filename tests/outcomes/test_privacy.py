"""Survey answers below hr_admin: aggregates only, under the release rule (fewer than 5 people
withheld; no two released aggregates of a month differ by 1-4 people, and no combination of them
singles out 1-4 people)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from analytics.release import isolates, span_leaks
from outcomes.pulse_release import pulse_aggregates
from people.models import Person
from tests.support.commands import run
from tests.support.outcomes import ALPHA, BETA, GAMMA, answers, outcomes_csv

pytestmark = pytest.mark.django_db
Clients = Callable[[str], APIClient]
URL = "/api/v1/outcomes/aggregates/"
JUNE = {"kind": "wellbeing", "month": "2025-06"}


@pytest.fixture
def june_answers(pulse_org: None, tmp_path: Path) -> None:
    """Everyone of Alpha, Beta and Gamma answers once in June (Alpha 4, the others 2)."""
    lines = [
        *answers("wellbeing", ALPHA, "2025-06-10", value=4),
        *answers("wellbeing", BETA + GAMMA, "2025-06-11", value=2),
        *answers("wellbeing", ALPHA, "2025-07-01", value=1),  # July: not counted
    ]
    run("import_outcomes", str(outcomes_csv(tmp_path, lines)))


def _by_subject(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.content
    return {row["subject"]: row for row in response.json()["results"]}


@pytest.mark.usefixtures("june_answers")
def test_small_groups_and_near_duplicates_are_withheld() -> None:
    groups = {group.label: group for group in pulse_aggregates("wellbeing", "2025-06")}
    assert {label: group.people for label, group in groups.items()} == {
        "org": 13,
        "team:Alpha": 6,
        "community:Guild": 5,
        "team:Beta": 5,
        "team:Gamma": 2,
    }
    assert {label: group.withheld for label, group in groups.items()} == {
        "org": "",
        "team:Alpha": "",
        "community:Guild": "differs by 1 person from team:Alpha",
        # org - Alpha - Beta would be Gamma's two answers: the smaller of Alpha and Beta goes.
        "team:Beta": "with other released figures, would single out 2 people",
        "team:Gamma": "fewer than 5 people",
    }


@pytest.mark.usefixtures("june_answers")
def test_no_two_released_aggregates_can_be_subtracted_to_isolate_people() -> None:
    released = [g for g in pulse_aggregates("wellbeing", "2025-06") if not g.withheld]
    assert [figure.label for figure in released] == ["org", "team:Alpha"]
    for one, other in combinations(released, 2):
        assert not isolates(one.person_difference(other)), (one.label, other.label)
    assert span_leaks([figure.counted for figure in released], lambda item: item[0]) == set()


@pytest.mark.usefixtures("pulse_org")
def test_the_org_minus_one_person_is_withheld(tmp_path: Path) -> None:
    run(
        "import_outcomes",
        str(outcomes_csv(tmp_path, answers("enps", ALPHA, "2025-06-10", 8, "0-10"))),
    )
    groups = {g.label: g.withheld for g in pulse_aggregates("enps", "2025-06")}
    # The org and Alpha count the same six people: equal figures isolate nobody.
    assert groups == {
        "org": "",
        "team:Alpha": "",
        "community:Guild": "differs by 1 person from org",
    }


@pytest.mark.usefixtures("june_answers")
def test_people_who_opted_out_count_in_no_aggregate() -> None:
    Person.objects.filter(external_id="P7").update(analytics_opt_out=True)
    groups = {g.label: g for g in pulse_aggregates("wellbeing", "2025-06")}
    assert groups["org"].people == 12
    assert groups["team:Beta"].withheld == "fewer than 5 people"


@pytest.mark.usefixtures("june_answers")
def test_hr_admins_see_every_group_with_its_figures(client_as: Clients) -> None:
    rows = _by_subject(client_as("hr_admin").get(URL, JUNE))
    assert set(rows) == {"org", "team:Alpha", "community:Guild", "team:Beta", "team:Gamma"}
    assert rows["team:Alpha"] | {"mean_normalized": 0} == {
        "subject": "team:Alpha",
        "kind": "wellbeing",
        "month": "2025-06",
        "people": 6,
        "answers": 6,
        "mean": 4.0,
        "scale": "1-5",
        "mean_normalized": 0,
        "withheld": False,
        "reason": "",
    }
    assert rows["team:Alpha"]["mean_normalized"] == pytest.approx(0.75)
    assert rows["team:Gamma"]["withheld"] is True
    assert rows["team:Gamma"]["people"] == 2


@pytest.mark.usefixtures("june_answers")
def test_managers_see_released_figures_of_their_scope_only(client_as: Clients) -> None:
    rows = _by_subject(client_as("manager").get(URL, JUNE))
    assert set(rows) == {"org", "team:Alpha", "community:Guild"}  # 5+ reports in each
    assert rows["org"]["people"] == 13
    assert rows["team:Alpha"]["mean"] == 4.0
    guild = rows["community:Guild"]
    assert guild["withheld"] is True
    assert guild["reason"] == "differs by 1 person from team:Alpha"
    assert [guild[key] for key in ("people", "answers", "mean", "scale", "mean_normalized")] == [
        None
    ] * 5
    one = _by_subject(client_as("manager").get(URL, {**JUNE, "context": "team:Alpha"}))
    assert set(one) == {"team:Alpha"}
    assert _by_subject(client_as("manager").get(URL, {**JUNE, "context": "team:Beta"})) == {}


@pytest.mark.usefixtures("june_answers")
@pytest.mark.parametrize("role", ["employee", "integration"])
def test_employees_and_integrations_read_no_aggregate(client_as: Clients, role: str) -> None:
    assert client_as(role).get(URL, JUNE).status_code == 403


@pytest.mark.usefixtures("pulse_org")
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"month": "2025-06"}, "kind"),
        ({"kind": "departure", "month": "2025-06"}, "kind"),
        ({"kind": "wellbeing"}, "month"),
        ({"kind": "wellbeing", "month": "2025-13"}, "month"),
        ({"kind": "wellbeing", "month": "2025-06-01"}, "month"),
        ({**JUNE, "context": "Alpha"}, "context"),
    ],
)
def test_bad_parameters_are_400(client_as: Clients, params: dict[str, str], field: str) -> None:
    answer = client_as("manager").get(URL, params)
    assert answer.status_code == 400
    assert field in answer.json()
