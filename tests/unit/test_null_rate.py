"""devtools/null_rate.py and `manage.py null_rate`: backtest designs rebuilt from generated files,
to count chance findings on many null organizations (docs/outcomes.md, "False findings on null
organizations")."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from django.core.management.base import CommandError

from devtools.management.commands.null_rate import seed_range
from devtools.null_rate import (
    DAYS,
    END,
    EVENTS_PER_PERSON,
    EVERY_DAYS,
    GAP_DAYS,
    UNTIL,
    WINDOW_DAYS,
    Files,
    person_design,
    snapshots,
    team_design,
)
from devtools.synthetic import GeneratorConfig
from devtools.synthetic_outcomes import OutcomeConfig, generate_with_outcomes
from tests.support.commands import run

START = END - timedelta(days=DAYS)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    directory = tmp_path_factory.mktemp("null")
    config = GeneratorConfig(
        people=200, seed=5, end=END, days=DAYS, events_per_person=EVENTS_PER_PERSON
    )
    generate_with_outcomes(config, OutcomeConfig(planted=False), directory)
    return Files.read(directory, START)


def test_snapshots_run_back_from_the_last_while_their_window_lies_in_the_events() -> None:
    found = snapshots(START)
    assert found[-1].day == UNTIL
    assert all(b.day - a.day == timedelta(days=EVERY_DAYS) for a, b in itertools.pairwise(found))
    for snapshot in found:
        assert snapshot.window_start >= START
        assert snapshot.window_end == datetime.combine(
            snapshot.day - timedelta(days=GAP_DAYS), datetime.min.time(), UTC
        )
        assert snapshot.window_end - snapshot.window_start == timedelta(days=WINDOW_DAYS)
    assert found[0].window_start - timedelta(days=EVERY_DAYS) < START


def test_departure_rows_are_the_people_employed_through_the_gap_and_the_snapshot(
    files: Files,
) -> None:
    design = person_design(files, "departure")
    assert design.binary
    for row in range(0, len(design.target), 97):
        person = files.people[design.subject[row]]
        day = date.fromordinal(int(design.snapshot_day[row]))
        assert person.employed_on(day)
        assert person.employed_on(day - timedelta(days=GAP_DAYS))
        left_in_horizon = person.left_on is not None and day < person.left_on <= day + timedelta(
            days=90
        )
        assert design.target[row] == float(left_in_horizon)
    assert 0 < design.target.sum() < len(design.target)


def test_team_rows_carry_the_windowed_gini_and_the_horizons_mean_delivery(files: Files) -> None:
    design = team_design(files)
    first = snapshots(START)[0]
    rows = np.flatnonzero(design.snapshot_day == first.day.toordinal())
    teams = sorted({person.team for person in files.people})
    for row in rows[:5]:
        team = teams[design.subject[row]]
        gini = files.recognitions.gini(team, first.window_start, first.window_end)
        assert design.features[row, 0] == pytest.approx(gini, nan_ok=True)
        values = [v for day, v in files.delivery[team] if first.in_horizon(day)]
        assert design.target[row] == pytest.approx(np.mean(values))


def test_the_command_counts_detections_per_effect() -> None:
    found = json.loads(
        run("null_rate", "--seeds", "2", "--people", "200", "--resamples", "50", "--json")
    )
    assert found["seeds"] == 1
    assert set(found["detected"]) == {f["effect"] for f in found["findings"]}
    assert len(found["findings"]) == 3
    for finding in found["findings"]:
        assert finding["detected"] == (found["detected"][finding["effect"]] == 1)


def test_planted_effects_are_found_by_the_same_rebuild() -> None:
    """The rebuild is not blind: on a planted organization it finds the delivery effect."""
    found = json.loads(
        run("null_rate", "--seeds", "1", "--planted", "--resamples", "100", "--json")
    )
    delivery = next(f for f in found["findings"] if f["effect"].endswith("delivery"))
    assert delivery["detected"], delivery


@pytest.mark.parametrize("text", ["x", "5-2", "1-y"])
def test_seed_ranges_are_checked(text: str) -> None:
    with pytest.raises(CommandError, match="--seeds"):
        seed_range(text)


def test_a_seed_range_includes_both_ends() -> None:
    assert list(seed_range("3-5")) == [3, 4, 5]
    assert list(seed_range("7")) == [7]
