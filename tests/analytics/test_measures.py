"""The pure measures, on graphs with known answers and against networkx."""

import math
import random

import igraph
import networkx as nx
import pytest

from analytics import measures


def test_burstiness_of_the_documented_example() -> None:
    assert measures.burstiness([0, 1, 3, 8, 12]) == pytest.approx(-0.3097, abs=1e-4)


def test_burstiness_of_a_regular_and_a_bursty_sequence() -> None:
    assert measures.burstiness([0, 10, 20, 30]) == -1.0
    bursty = [0, 1, 2, 3, 1000, 1001, 1002, 5000]
    assert measures.burstiness(bursty) is not None
    assert measures.burstiness(bursty) > 0  # type: ignore[operator]


def test_burstiness_needs_three_events() -> None:
    assert measures.burstiness([5, 9]) is None


def test_normalized_entropy() -> None:
    assert measures.normalized_entropy([5, 5, 5, 5]) == pytest.approx(1.0)
    assert measures.normalized_entropy([7]) == 0.0
    skewed = measures.normalized_entropy([97, 1, 1, 1])
    expected = -(0.97 * math.log(0.97) + 3 * 0.01 * math.log(0.01)) / math.log(4)
    assert skewed == pytest.approx(expected)


def test_gini() -> None:
    assert measures.gini([3, 3, 3]) == 0.0
    assert measures.gini([0, 0, 0, 4]) == pytest.approx(0.75)
    assert measures.gini([]) is None
    assert measures.gini([0, 0]) is None


def test_burt_constraint_known_values() -> None:
    star = measures.undirected_graph(list("cabde"), [("c", x) for x in "abde"])
    assert measures.burt_constraint(star) == pytest.approx([0.25, 1.0, 1.0, 1.0, 1.0])
    k4 = measures.undirected_graph(list("abcd"), [(x, y) for x in "abcd" for y in "abcd"])
    assert measures.burt_constraint(k4) == pytest.approx([75 / 81] * 4)


def test_isolated_people_have_no_constraint() -> None:
    graph = measures.undirected_graph(["a", "b", "c"], [("a", "b")])
    assert measures.burt_constraint(graph)[2] is None


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_betweenness_and_constraint_match_networkx(seed: int) -> None:
    reference = nx.gnm_random_graph(80, 240, seed=seed)
    nodes = [str(node) for node in reference.nodes()]
    graph = measures.undirected_graph(nodes, [(str(a), str(b)) for a, b in reference.edges()])
    betweenness = nx.betweenness_centrality(reference, normalized=True)
    constraint = nx.constraint(reference)
    ours_b = measures.normalized_betweenness(graph)
    ours_c = measures.burt_constraint(graph)
    for node in reference.nodes():
        assert ours_b[node] == pytest.approx(betweenness[node], abs=1e-12)
        if reference.degree(node):
            assert ours_c[node] == pytest.approx(constraint[node], abs=1e-12)


def test_nearest_rank_percentile() -> None:
    values = [0, 0, 0, 0, 2, 3, 3, 6]
    assert measures.percentile(values, 0.75) == 3
    assert measures.percentile(values, 1.0) == 6
    assert measures.percentile(values, 0.01) == 0


def test_affect_exposure_on_a_path() -> None:
    # a - b - c - d - e: exposure of a = 1*aff(b) + 0.64*aff(c) + 0.37*aff(d); e is 4 away.
    path = measures.undirected_graph(
        list("abcde"), [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e")]
    )
    affect = [0.5, -1.0, 0.25, None, 1.0]
    exposure = measures.affect_exposure(path, affect)
    assert exposure[0] == pytest.approx(-1.0 + 0.64 * 0.25)
    assert exposure[2] == pytest.approx(1.0 * (-1.0) + 0.64 * (0.5 + 1.0) / 2)
    isolated = measures.undirected_graph(["x", "y"], [])
    assert measures.affect_exposure(isolated, [0.3, 0.4]) == [None, None]


@pytest.mark.parametrize("seed", [4, 5])
def test_affect_exposure_matches_a_networkx_computation(seed: int) -> None:
    import random

    reference = nx.gnm_random_graph(60, 90, seed=seed)
    rng = random.Random(seed)
    affect = [None if rng.random() < 0.3 else rng.uniform(-1, 1) for _ in reference.nodes()]
    graph = measures.undirected_graph(
        [str(node) for node in reference.nodes()],
        [(str(a), str(b)) for a, b in reference.edges()],
    )
    ours = measures.affect_exposure(graph, affect)
    for node in reference.nodes():
        lengths = nx.single_source_shortest_path_length(reference, node, cutoff=3)
        total, reached = 0.0, False
        for distance, weight in zip((1, 2, 3), (1.0, 0.64, 0.37), strict=True):
            ring = [
                affect[j] for j, d in lengths.items() if d == distance and affect[j] is not None
            ]
            if ring:
                total += weight * sum(ring) / len(ring)
                reached = True
        if reached:
            assert ours[node] == pytest.approx(total)
        else:
            assert ours[node] is None


def ring_of(members: list[str], each: int = 3) -> dict[tuple[str, str], int]:
    """Every member recognizes each other member `each` times."""
    return {(a, b): each for a in members for b in members if a != b}


RING_RULES = {"min_given": 3, "min_share": 0.8, "min_recognizers": 2, "sizes": (3, 12)}


def test_a_closed_ring_is_found() -> None:
    given = ring_of(["a", "b", "c"], each=1)
    given[("a", "b")] = 2  # a gives 3, b and c give 2: too few for b and c
    assert measures.recognition_rings(given, **RING_RULES) == []  # type: ignore[arg-type]
    assert measures.recognition_rings(ring_of(["a", "b", "c"]), **RING_RULES) == [  # type: ignore[arg-type]
        ["a", "b", "c"]
    ]


def test_outsiders_and_open_givers_are_pruned() -> None:
    given = ring_of(["a", "b", "c"])
    given[("e", "a")] = 5  # e recognizes a a lot but nobody recognizes e
    given[("d", "a")] = 3  # d gives mostly outside the group and is recognized by nobody
    given[("d", "x")] = 20
    assert measures.recognition_rings(given, **RING_RULES) == [["a", "b", "c"]]  # type: ignore[arg-type]


def test_a_whole_department_recognizing_itself_is_not_a_ring() -> None:
    members = [f"p{i}" for i in range(13)]
    assert measures.recognition_rings(ring_of(members), **RING_RULES) == []  # type: ignore[arg-type]


def test_betweenness_above_the_exact_limit_is_a_seeded_unbiased_pivot_estimate() -> None:
    random.seed(3)  # igraph draws from Python's generator: a fixed graph
    graph = igraph.Graph.Barabasi(n=2000, m=3)
    exact = measures.normalized_betweenness(graph)
    estimate = measures.normalized_betweenness(graph, exact_below=1000, pivots=500)
    assert estimate == measures.normalized_betweenness(graph, exact_below=1000, pivots=500)
    assert estimate != exact
    assert sum(estimate) / sum(exact) == pytest.approx(1.0, rel=0.05)
    hubs = sorted(range(2000), key=lambda v: -exact[v])[:10]
    assert all(estimate[v] == pytest.approx(exact[v], rel=0.35) for v in hubs)
    every_source = measures.normalized_betweenness(graph, exact_below=1000, pivots=2000)
    assert every_source == pytest.approx(exact)
