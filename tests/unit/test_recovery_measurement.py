"""devtools.backtest_recovery: how well a window's recognitions measure a team's planted equity
(TeamRecognitions, read from generate_org's files without the product) and what a backtest of
the measured metric can then be expected to recover."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from analytics.measures import gini
from devtools.backtest_recovery import Recovery, TeamRecognitions

START, END = datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC)
ORG = """external_id,name,email,title,manager_external_id,contexts,joined_on,left_on
E1,A,a@example.org,Lead,,team:Red;project:X,2020-01-01,
E2,B,b@example.org,Dev,E1,team:Red,2020-01-01,2025-04-10
E3,C,c@example.org,Dev,E1,team:Red;team:Blue,2025-04-10,
E4,D,d@example.org,Dev,E1,team:Red,2020-01-01,2025-02-01
E5,E,e@example.org,Dev,E1,team:Red,2025-06-02,
E6,F,f@example.org,Dev,E1,team:Red,2020-01-01,
"""
HEADER = "kind,source,target,context,at,affect,weight,message,event_id,channel,value_tag\n"


def _recognition(number: int, target: str, context: str, at: str) -> str:
    return f"recognition,E1,{target},{context},{at},0.5,,,ev-{number},,\n"


@pytest.fixture
def recognitions(tmp_path: Path) -> TeamRecognitions:
    (tmp_path / "org.csv").write_text(ORG)
    rows = [
        _recognition(1, "E2", "team:Red", "2025-03-02T10:00:00Z"),
        _recognition(2, "E2", "team:Red", "2025-04-01T10:00:00Z"),
        _recognition(3, "E2", "team:Red", "2025-04-02T10:00:00Z"),
        _recognition(4, "E3", "team:Red", "2025-05-02T10:00:00Z"),
        _recognition(5, "E3", "project:X", "2025-05-03T10:00:00Z"),  # another context
        _recognition(6, "E3", "team:Blue", "2025-05-04T10:00:00Z"),  # another team
        _recognition(7, "E2", "team:Red", "2025-02-27T10:00:00Z"),  # before the window
        _recognition(8, "E6", "team:Red", "2025-06-01T00:00:00Z"),  # at its end: outside
        "interaction,E1,E6,team:Red,2025-04-03T10:00:00Z,0.5,1,,ev-9,chat,\n",
    ]
    (tmp_path / "events.csv").write_text(HEADER + "".join(rows))
    return TeamRecognitions.read(tmp_path)


def test_the_gini_counts_the_members_employed_in_the_window_with_their_zeros(
    recognitions: TeamRecognitions,
) -> None:
    # Red in the window: E1 0, E2 3, E3 1, E6 0 (E4 left before it, E5 joined after it).
    assert recognitions.gini("team:Red", START, END) == pytest.approx(gini([0.0, 3.0, 1.0, 0.0]))
    assert recognitions.gini("team:Blue", START, END) == pytest.approx(0.0)


def test_a_window_without_recognitions_measures_nothing(recognitions: TeamRecognitions) -> None:
    quiet = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC)
    assert recognitions.gini("team:Red", *quiet) != recognitions.gini("team:Red", *quiet)  # NaN


def _recovery(planted: float, interval: list[float], reliability: float | None) -> Recovery:
    return Recovery("e", "wellbeing", "m", "rho", planted, 0.2, interval, 100, reliability)


def test_the_expected_strength_is_the_planted_one_times_the_reliability() -> None:
    measured = _recovery(0.5, [0.15, 0.3], 0.4)
    assert measured.expected == pytest.approx(0.2)
    assert measured.within
    assert not _recovery(0.5, [0.15, 0.3], None).within  # against the planted 0.5
    assert _recovery(0.5, [0.15, 0.3], None).expected == 0.5
