"""recognition_ring: the search inside large groups, and the rewiring test."""

import numpy as np
import pytest

from analytics import measures, nullmodels

RULES = nullmodels.RingRules()
Given = dict[tuple[str, str], int]


def ring_of(members: list[str], each: int = 3) -> Given:
    """Every member recognizes each other member `each` times."""
    return {(a, b): each for a in members for b in members if a != b}


def people(count: int, prefix: str = "p") -> list[str]:
    return [f"{prefix}{k:03d}" for k in range(count)]


def random_recognitions(givers: list[str], among: list[str], each: int, seed: int) -> Given:
    """Each giver recognizes `each` distinct others drawn uniformly from `among`."""
    rng = np.random.default_rng(seed)
    given: Given = {}
    for giver in givers:
        others = [p for p in among if p != giver]
        for k in rng.choice(len(others), each, replace=False).tolist():
            given[giver, others[k]] = given.get((giver, others[k]), 0) + 1
    return given


def circle(members: list[str], reach: int = 3) -> Given:
    """Member k recognizes the next `reach` members around the circle once each."""
    size = len(members)
    return {
        (members[k], members[(k + step) % size]): 1
        for k in range(size)
        for step in range(1, reach + 1)
    }


def merged(*parts: Given) -> Given:
    total: Given = {}
    for part in parts:
        for pair, count in part.items():
            total[pair] = total.get(pair, 0) + count
    return total


def test_two_rings_joined_by_one_recognition_are_two_rings() -> None:
    first, second = people(7, "a"), people(7, "b")
    given = merged(ring_of(first), ring_of(second), {(first[0], second[0]): 1})
    assert measures.recognition_rings(given, 3, 0.8, 2, (3, 12)) == []  # the old search
    assert RULES.search(given) == [first, second]


def test_two_rings_joined_both_ways_split_by_communities() -> None:
    first, second = people(7, "a"), people(7, "b")
    given = merged(
        ring_of(first), ring_of(second), {(first[0], second[0]): 1, (second[0], first[0]): 1}
    )
    assert RULES.search(given) == [first, second]


def test_a_whole_department_recognizing_itself_evenly_is_still_not_a_ring() -> None:
    assert RULES.search(ring_of(people(13))) == []


def test_small_groups_are_those_of_the_old_search() -> None:
    everyone = people(60)
    given = merged(random_recognitions(everyone, everyone, 3, 1), ring_of(everyone[:4]))
    assert RULES.search(given) == measures.recognition_rings(given, 3, 0.8, 2, (3, 12))


def test_expected_internal_recognitions_by_hand() -> None:
    given = {("a", "b"): 2, ("b", "a"): 1, ("c", "a"): 1}
    internal, expected = nullmodels.ring_excess(["a", "b"], given)
    # out: a 2, b 1, c 1; in: a 2, b 2; R = 4: (3 * 4 - (2 * 2 + 1 * 2)) / 4
    assert internal == 3
    assert expected == pytest.approx(1.5)


def test_rewiring_keeps_everyone_s_given_and_received_counts() -> None:
    everyone = people(30)
    given = merged(random_recognitions(everyone, everyone, 4, 2), ring_of(everyone[:5]))
    rewired = nullmodels.rewired_recognitions(given, np.random.default_rng(0))

    def tallies(graph: Given, side: int) -> dict[str, int]:
        result: dict[str, int] = {}
        for pair, count in graph.items():
            result[pair[side]] = result.get(pair[side], 0) + count
        return result

    assert tallies(rewired, 0) == tallies(given, 0)
    assert tallies(rewired, 1) == tallies(given, 1)
    assert all(giver != receiver for giver, receiver in rewired)
    assert rewired != given


@pytest.mark.parametrize("count", [10, 100])
def test_random_recognition_makes_no_ring(count: int) -> None:
    """10 or 100 people giving 3 random recognitions each, 20 seeds: the old search calls some
    of these collusion rings (3 of the 20 orgs of 10); none passes the rewiring test."""
    old_rings = 0
    for seed in range(20):
        everyone = people(count)
        given = random_recognitions(everyone, everyone, 3, seed)
        old_rings += len(measures.recognition_rings(given, 3, 0.8, 2, (3, 12)))
        assert not [
            ring for ring in nullmodels.recognition_ring_tests(given, seed=seed) if ring.fires
        ]
    if count == 10:
        assert old_rings >= 3


@pytest.mark.parametrize("seed", range(20))
def test_a_planted_ring_among_random_recognizers_is_found(seed: int) -> None:
    everyone = people(100)
    ring = everyone[:5]
    given = merged(circle(ring), random_recognitions(everyone[5:], everyone, 3, seed))
    tests = nullmodels.recognition_ring_tests(given, seed=seed)
    assert [t.members for t in tests if t.fires] == [tuple(ring)]
    assert tests[0].p_value < 0.01


@pytest.mark.parametrize("seed", range(5))
def test_two_joined_rings_among_random_recognizers_both_fire(seed: int) -> None:
    everyone = people(100)
    first, second = everyone[:7], everyone[7:14]
    given = merged(
        ring_of(first, 1),
        ring_of(second, 1),
        {(first[0], second[0]): 1},
        random_recognitions(everyone[14:], everyone, 3, seed),
    )
    tests = nullmodels.recognition_ring_tests(given, seed=seed)
    assert [t.members for t in tests if t.fires] == [tuple(first), tuple(second)]


@pytest.mark.parametrize("seed", range(5))
def test_near_miss_ring_members_give_half_outside(seed: int) -> None:
    everyone = people(100)
    ring = everyone[:5]
    given = merged(
        circle(ring),
        random_recognitions(ring, everyone[5:], 3, seed + 100),
        random_recognitions(everyone[5:], everyone, 3, seed),
    )
    assert nullmodels.recognition_ring_tests(given, seed=seed) == []


def test_the_rewiring_test_is_reproducible_with_a_seed() -> None:
    everyone = people(10)
    given = random_recognitions(everyone, everyone, 3, 4)
    first = nullmodels.recognition_ring_tests(given, seed=9, rewirings=50)
    assert first == nullmodels.recognition_ring_tests(given, seed=9, rewirings=50)
