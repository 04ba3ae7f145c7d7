"""Survey aggregates are decided once per kind and month and frozen: answers imported after a
month was first read cannot be isolated by comparing two reads; HR re-releases a month under the
differencing rule (outcomes.pulse_release)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.release import isolates
from outcomes.models import Outcome, PulseRelease
from outcomes.pulse_release import (
    HELD,
    MONTH_NOT_OVER,
    RELEASED,
    WITHHELD,
    decide,
    pulse_aggregates,
)
from outcomes.selectors import PulseAggregate, released_figures
from tests.support.commands import run, run_failing
from tests.support.outcomes import ALPHA, BETA, GAMMA, answers, outcomes_csv

pytestmark = pytest.mark.django_db
Clients = Callable[[str], APIClient]
URL = "/api/v1/outcomes/aggregates/"
JUNE = {"kind": "wellbeing", "month": "2025-06"}
FIGURES = ("people", "answers", "mean")


def _import(directory: Path, lines: list[str]) -> None:
    run("import_outcomes", str(outcomes_csv(directory, lines, f"outcomes-{len(lines)}.csv")))


def _rows(client: APIClient) -> dict[str, dict[str, Any]]:
    response = client.get(URL, JUNE)
    assert response.status_code == 200, response.content
    return {row["subject"]: row for row in response.json()["results"]}


def _june() -> dict[str, PulseAggregate]:
    return {figure.label: figure for figure in pulse_aggregates("wellbeing", "2025-06")}


def _figures(groups: dict[str, PulseAggregate]) -> dict[str, tuple[Any, ...] | str]:
    """label -> (people, answers, mean) when released, else the reason."""
    return {
        label: group.withheld or (group.people, group.answers, group.mean)
        for label, group in groups.items()
    }


def _ever_released() -> list[PulseAggregate]:
    release = PulseRelease.objects.get(kind="wellbeing", month="2025-06-01")
    return released_figures(release)


def _assert_no_pair_isolates(figures: list[PulseAggregate]) -> None:
    for one, other in combinations(figures, 2):
        assert not isolates(one.person_difference(other)), (one.label, other.label)


def test_a_late_answer_changes_no_figure_a_manager_has_read(
    client_as: Clients, tmp_path: Path
) -> None:
    _import(
        tmp_path,
        [
            *answers("wellbeing", ALPHA[:5], "2025-06-10", value=4),
            *answers("wellbeing", BETA, "2025-06-11", value=2),
        ],
    )
    first = _rows(client_as("manager"))
    assert {subject: [row[key] for key in FIGURES] for subject, row in first.items()} == {
        "org": [10, 10, 3.0],
        "team:Alpha": [5, 5, 4.0],
        "community:Guild": [5, 5, 4.0],  # the same five people as Alpha: both released
    }
    _import(tmp_path, answers("wellbeing", ALPHA[5:], "2025-06-20", value=1))  # P6, late

    second = _rows(client_as("manager"))
    # Recomputed, Alpha would read 6 answers, mean 3.5, and 6 * 3.5 - 5 * 4.0 = 1 is P6's answer.
    assert second == first
    for role in ("employee", "integration"):
        assert client_as(role).get(URL, JUNE).status_code == 403
    hr_figures = _rows(client_as("hr_admin"))
    assert [hr_figures["team:Alpha"][key] for key in FIGURES] == [5, 5, 4.0]
    late = client_as("hr_admin").get("/api/v1/outcomes/", {"kind": "wellbeing", "person": "P6"})
    assert [row["value"] for row in late.json()["results"]] == [1.0]  # not lost: HR reads it


def test_re_releasing_holds_a_late_answer_that_would_be_isolated(
    pulse_org: None, tmp_path: Path
) -> None:
    _import(tmp_path, answers("wellbeing", ALPHA[:5], "2025-06-10", value=4))
    before = _figures(_june())
    _import(tmp_path, answers("wellbeing", ALPHA[5:], "2025-06-20", value=1))

    output = run("release_pulse_month", "2025-06", "--kind", "wellbeing")

    day = f"{timezone.localdate():%Y-%m-%d}"
    assert output.splitlines() == [
        f"wellbeing 2025-06 org: held (6 people): differs by 1 person from its figure released "
        f"on {day}",
        f"wellbeing 2025-06 team:Alpha: held (6 people): differs by 1 person from its figure "
        f"released on {day}",
        "wellbeing 2025-06 community:Guild: kept (5 people)",
    ]
    five = (5, 5, 4.0)
    assert _figures(_june()) == before == {"org": five, "team:Alpha": five, "community:Guild": five}


def test_a_corrected_answer_is_a_changed_answer(pulse_org: None, tmp_path: Path) -> None:
    _import(tmp_path, answers("wellbeing", ALPHA, "2025-06-10", value=4))
    before = _figures(_june())
    _import(tmp_path, answers("wellbeing", ALPHA[:1], "2025-06-10", value=1))  # P1 corrects
    assert Outcome.objects.get(person__external_id="P1").revision == 1

    output = run("release_pulse_month", "2025-06", "--kind", "wellbeing")

    assert "team:Alpha: held (6 people): differs by 1 person from its figure" in output
    after = _figures(_june())
    assert after["org"] == after["team:Alpha"] == before["team:Alpha"] == (6, 6, 4.0)
    assert before["community:Guild"] == "differs by 1 person from org"
    # Re-decided against the released org (P1-P6, P1 before the correction): P1 and P6.
    assert after["community:Guild"] == "differs by 2 people from org"


def test_a_group_withheld_at_first_is_released_later_only_under_the_rule(
    pulse_org: None, tmp_path: Path
) -> None:
    # Alpha without P5: the org and Alpha count the same five people; Guild (P1-P4) has four.
    _import(tmp_path, answers("wellbeing", [*ALPHA[:4], ALPHA[5]], "2025-06-10", value=4))
    assert _figures(_june()) == {
        "org": (5, 5, 4.0),
        "team:Alpha": (5, 5, 4.0),
        "community:Guild": "fewer than 5 people",
    }
    _import(tmp_path, answers("wellbeing", ALPHA[4:5], "2025-06-20", value=2))  # P5, late

    run("release_pulse_month", "2025-06", "--kind", "wellbeing")

    # Guild now has five people, but they differ from the released org (P1-P4, P6) by P5 and P6:
    # releasing it would give 5 * 4.0 - (4 * 4 + P5) = 4 - P5, hence P5's answer.
    assert _figures(_june()) == {
        "org": (5, 5, 4.0),
        "team:Alpha": (5, 5, 4.0),
        "community:Guild": "differs by 2 people from org",
    }
    _assert_no_pair_isolates(_ever_released())


def test_a_grown_group_is_withheld_when_a_combination_with_held_figures_isolates_people(
    pulse_org: None, tmp_path: Path
) -> None:
    _import(
        tmp_path,
        [
            *answers("wellbeing", ALPHA, "2025-06-10", value=4),
            *answers("wellbeing", BETA[:3], "2025-06-10", value=2),
            *answers("wellbeing", GAMMA, "2025-06-10", value=3),
        ],
    )
    assert _figures(_june())["team:Beta"] == "fewer than 5 people"
    _import(tmp_path, answers("wellbeing", BETA[3:], "2025-06-20", value=1))  # P10, P11 late

    output = run("release_pulse_month", "2025-06", "--kind", "wellbeing")

    assert "org: held (13 people): differs by 2 people from its figure released" in output
    figures = _figures(_june())
    assert figures["org"] == (11, 11, pytest.approx(36 / 11))  # 6 * 4 + 3 * 2 + 2 * 3
    # Beta (P7-P11) is 5+ people apart from every released figure, but Beta - (org - Alpha)
    # = P10 + P11 - P12 - P13: four people's answers.
    assert figures["team:Beta"] == "with other released figures, would single out 4 people"
    assert figures["team:Alpha"] == (6, 6, 4.0)
    assert figures["team:Gamma"] == "fewer than 5 people"
    _assert_no_pair_isolates(_ever_released())


def test_a_figure_released_again_once_five_more_people_answered(
    client_as: Clients, tmp_path: Path
) -> None:
    _import(tmp_path, answers("wellbeing", ALPHA, "2025-06-10", value=4))
    first = _rows(client_as("manager"))
    assert [first["org"][key] for key in FIGURES] == [6, 6, 4.0]
    _import(tmp_path, answers("wellbeing", BETA, "2025-06-20", value=2))  # five late answers

    run("release_pulse_month", "2025-06")

    second = _rows(client_as("manager"))
    assert [second["org"][key] for key in FIGURES] == [11, 11, pytest.approx(34 / 11)]
    # The two reads differ by five people's answers (and Beta, 5 people, is released alike).
    assert second["org"]["people"] - first["org"]["people"] == 5
    assert second["team:Alpha"] == first["team:Alpha"]
    assert _figures(_june())["team:Beta"] == (5, 5, 2.0)
    released = _ever_released()
    assert [(figure.label, figure.people, figure.current) for figure in released] == [
        ("org", 6, False),
        ("team:Alpha", 6, True),
        ("org", 11, True),
        ("team:Beta", 5, True),
    ]
    _assert_no_pair_isolates(released)


def test_a_month_that_is_not_over_releases_nothing_and_stores_nothing(
    client_as: Clients, tmp_path: Path
) -> None:
    today = timezone.localdate()
    month = f"{today:%Y-%m}"
    _import(tmp_path, answers("wellbeing", ALPHA, f"{today.replace(day=1):%Y-%m-%d}", value=4))

    rows = client_as("manager").get(URL, {"kind": "wellbeing", "month": month}).json()["results"]

    assert {row["subject"]: (row["withheld"], row["mean"]) for row in rows} == {
        "org": (True, None),
        "team:Alpha": (True, None),
        "community:Guild": (True, None),
    }
    assert {row["reason"] for row in rows} == {MONTH_NOT_OVER}
    assert not PulseRelease.objects.exists()
    _, error = run_failing("release_pulse_month", month)
    assert error == f"month: {month} is not over: its answers are released once it is"


def test_a_read_that_releases_nothing_freezes_nothing(pulse_org: None, tmp_path: Path) -> None:
    assert pulse_aggregates("wellbeing", "2025-06") == []  # read before the import
    _import(tmp_path, answers("wellbeing", GAMMA, "2025-06-10", value=3))
    assert _figures(_june()) == {"org": "fewer than 5 people", "team:Gamma": "fewer than 5 people"}
    run("release_pulse_month", "2025-06", "--kind", "wellbeing")
    assert not PulseRelease.objects.exists()  # nothing released, nothing to subtract from

    _import(tmp_path, answers("wellbeing", ALPHA, "2025-06-20", value=4))

    assert _figures(_june()) == {
        "org": (8, 8, 3.75),
        "team:Alpha": "differs by 2 people from org",
        "community:Guild": "differs by 3 people from org",
        "team:Gamma": "fewer than 5 people",
    }
    assert PulseRelease.objects.count() == 1


def _figure(key: str, people: range, stored: bool = False, current: bool = True) -> PulseAggregate:
    """A figure over `people` (one answer each); `stored`: released before, else computed now."""
    counted = frozenset((person, 100 + person, 0) for person in people)
    decided_at = timezone.now() if stored else None
    count = len(people)
    return PulseAggregate(
        key, key, count, count, 3.0, (1, 5), 0.5, "", counted, decided_at, current
    )


def test_a_new_figure_is_compared_with_superseded_ones_too() -> None:
    old_org = _figure("org", range(1, 7), stored=True, current=False)  # since superseded
    org = _figure("org", range(1, 12), stored=True)
    candidate = _figure("team", range(1, 6))  # P1-P5: 6 apart from org, 1 from the old org
    grown = _figure("org", range(1, 17))  # five more than the current org, ten more than the old

    decisions = decide([grown, candidate], {"org": org}, [old_org, org])

    assert [(d.outcome, d.reason) for d in decisions] == [
        (RELEASED, ""),
        (WITHHELD, f"differs by 1 person from org as released on {timezone.localdate():%Y-%m-%d}"),
    ]
    late = _figure("org", range(1, 13))  # one more than the current org
    assert [d.outcome for d in decide([late], {"org": org}, [old_org, org])] == [HELD]


def test_disjoint_teams_and_the_org_that_sums_them_are_all_released() -> None:
    teams = [_figure(f"team{n}", range(10 * n, 10 * n + 5 + n)) for n in range(1, 5)]
    org = _figure("org", range(0))
    org = replace(org, counted=frozenset().union(*(team.counted for team in teams)), people=26)

    decisions = decide([org, *teams], {}, [])

    assert [d.outcome for d in decisions] == [RELEASED] * 5


def test_people_singled_out_before_do_not_block_an_unrelated_release() -> None:
    # Released before: org - Alpha = P12, P13 (say, under the pair rule alone).
    old_org = _figure("org", range(1, 14), stored=True)
    alpha = _figure("alpha", range(1, 12), stored=True)
    grown = _figure("org", range(1, 24))  # ten late answers: P14-P23
    newcomers = _figure("new", range(14, 24))

    decisions = decide([grown, newcomers], {"org": old_org}, [old_org, alpha])

    assert [(d.outcome, d.reason) for d in decisions] == [(RELEASED, ""), (RELEASED, "")]


def test_a_new_combination_is_refused_with_the_old_leak_ignored() -> None:
    old_org = _figure("org", range(1, 14), stored=True)
    alpha = _figure("alpha", range(1, 12), stored=True)  # org - alpha = P12, P13 already
    grown = _figure("org", range(1, 24))
    late = _figure("late", range(14, 22))  # grown - old org - late = P22, P23: new

    decisions = decide([grown, late], {"org": old_org}, [old_org, alpha])

    assert [(d.outcome, d.reason) for d in decisions] == [
        (RELEASED, ""),
        (WITHHELD, "with other released figures, would single out 2 people"),
    ]
