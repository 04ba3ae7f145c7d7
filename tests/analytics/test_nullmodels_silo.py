"""silo: exploration against its random-mixing expectation."""

import math

import numpy as np
import pytest

from analytics import nullmodels

Events = list[tuple[int, int]]


def random_events(people: list[int], count: int, rng: np.random.Generator) -> Events:
    """`count` events, each between two distinct people drawn uniformly from `people`."""
    pairs = [rng.choice(people, 2, replace=False).tolist() for _ in range(count)]
    return [(a, b) for a, b in pairs]


def tally(events: Events, members: set[int]) -> tuple[int, int, list[int]]:
    """(inside events, crossing events, each member's events) as the contexts family counts."""
    inside = sum(1 for a, b in events if a in members and b in members)
    crossing = sum(1 for a, b in events if (a in members) != (b in members))
    per_member = dict.fromkeys(members, 0)
    for a, b in events:
        for person in (a, b):
            if person in per_member:
                per_member[person] += 1
    return inside, crossing, list(per_member.values())


def silo_of(events: Events, members: set[int]) -> nullmodels.SiloTest:
    inside, crossing, per_member = tally(events, members)
    return nullmodels.silo_test(inside, crossing, per_member, len(events))


def test_binomial_cdf_against_the_sum_of_terms() -> None:
    for trials, p in [(10, 0.3), (57, 0.9), (200, 0.02)]:
        for k in range(trials + 1):
            exact = sum(math.comb(trials, j) * p**j * (1 - p) ** (trials - j) for j in range(k + 1))
            assert nullmodels.binomial_cdf(k, trials, p) == pytest.approx(
                exact, rel=1e-9, abs=1e-300
            )


def test_equal_activity_gives_the_uniform_mixing_closed_form() -> None:
    n, big_n, each = 9, 100, 40  # everyone has 40 event ends: 2000 events
    q = (n - 1) / (big_n - 1)
    closed_form = (1 - q) / (1 - q + q / 2)
    assert nullmodels.expected_exploration([each] * n, big_n * each // 2) == pytest.approx(
        closed_form
    )


def test_expected_exploration_against_a_configuration_model_simulation() -> None:
    rng = np.random.default_rng(0)
    activity = rng.integers(1, 60, 80)
    members = set(range(30))
    stubs = np.repeat(np.arange(80), activity)
    if stubs.size % 2:
        stubs = stubs[1:]
    shares = []
    for _ in range(400):
        ends = rng.permutation(stubs).reshape(-1, 2)
        events = [(int(a), int(b)) for a, b in ends if a != b]
        inside, crossing, _ = tally(events, members)
        shares.append((crossing, inside))
    mean_crossing = sum(c for c, _ in shares) / len(shares)
    mean_inside = sum(i for _, i in shares) / len(shares)
    degree = np.bincount(stubs, minlength=80)
    expected = nullmodels.expected_exploration(degree[:30].tolist(), stubs.size // 2)
    assert expected == pytest.approx(mean_crossing / (mean_crossing + mean_inside), abs=0.01)


@pytest.mark.parametrize("share", [0.9, 0.97])
def test_a_context_holding_most_of_the_org_under_random_mixing_is_no_silo(share: float) -> None:
    old_rule_fired = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        people = list(range(100))
        events = random_events(people, 3000, rng)
        members = set(people[: round(share * 100)])
        result = silo_of(events, members)
        old_rule_fired += result.observed < 0.1
        assert not result.is_silo
        assert result.observed == pytest.approx(result.expected, abs=0.03)
    assert old_rule_fired == (20 if share == 0.97 else 0)


@pytest.mark.parametrize("seed", range(20))
def test_a_closed_team_is_a_silo(seed: int) -> None:
    rng = np.random.default_rng(seed)
    team, rest = list(range(8)), list(range(8, 100))
    events = random_events(team, 150, rng) + random_events(rest, 2000, rng)
    result = silo_of(events, set(team))
    assert result.observed == 0.0
    assert result.expected > 0.9
    assert result.is_silo
    assert result.p_value < 1e-12


def activity_events(activity: list[int], count: int, rng: np.random.Generator) -> Events:
    """Random mixing in proportion to activity: each event's ends drawn in proportion to
    `activity`, the second among the people other than the first."""
    weights = np.asarray(activity, dtype=float)
    events = []
    for _ in range(count):
        first = int(rng.choice(weights.size, p=weights / weights.sum()))
        others = weights.copy()
        others[first] = 0
        events.append((first, int(rng.choice(weights.size, p=others / others.sum()))))
    return events


@pytest.mark.parametrize("seed", range(20))
def test_near_miss_a_small_context_of_the_most_active_people(seed: int) -> None:
    """5 people carrying most of a 12-person org's events, mixing at random: they mostly meet
    each other, so exploration is low (the old rule fires on most seeds), but no lower than
    random mixing gives."""
    events = activity_events([100] * 5 + [5] * 7, 300, np.random.default_rng(seed))
    result = silo_of(events, set(range(5)))
    assert result.expected < 0.2
    assert not result.is_silo


def test_near_miss_a_closed_team_with_some_exploration() -> None:
    rng = np.random.default_rng(3)
    team, rest = list(range(8)), list(range(8, 100))
    outward = [(int(rng.integers(8)), int(rng.integers(8, 100))) for _ in range(20)]
    events = random_events(team, 150, rng) + outward + random_events(rest, 2000, rng)
    result = silo_of(events, set(team))
    assert result.observed == pytest.approx(20 / 170)
    assert result.p_value < 1e-12
    assert not result.is_silo  # exploration above 0.1
