"""negative_contagion's null model: partner-excluded exposure against brute force, and the
permutation test on random, planted and near-miss organizations."""

import random
from collections.abc import Callable

import igraph
import networkx as nx
import numpy as np
import pytest

from analytics import measures, nullmodels

EventAffect = Callable[[int, np.random.Generator], float]


def team_org(seed: int, people: int = 200, teams: int = 20) -> tuple[igraph.Graph, np.ndarray]:
    """Random org: person i in team i % teams; ties with p 0.5 inside a team, 0.01 across."""
    rng = np.random.default_rng(seed)
    team = np.arange(people) % teams
    upper = np.triu(np.ones((people, people), dtype=bool), 1)
    odds = np.where(team[:, None] == team[None, :], 0.5, 0.01)
    pairs = np.argwhere(upper & (rng.random((people, people)) < odds))
    return igraph.Graph(n=people, edges=pairs.tolist()), team


def affect_events(
    graph: igraph.Graph, event_affect: EventAffect, seed: int
) -> list[tuple[int, int, float, float]]:
    """1 + Poisson(2) events per tie, (i, j, affect, decay weight); the giver is a random end."""
    rng = np.random.default_rng([seed, 1])
    events = []
    for i, j in graph.get_edgelist():
        for _ in range(1 + rng.poisson(2)):
            giver = i if rng.random() < 0.5 else j
            affect = float(np.clip(event_affect(giver, rng), -1, 1))
            events.append((i, j, affect, float(rng.uniform(0.2, 1.0))))
    return events


def sums_of(n: int, events: list[tuple[int, int, float, float]]) -> nullmodels.AffectSums:
    weighted, weights = [0.0] * n, [0.0] * n
    pairs: dict[tuple[int, int], tuple[float, float]] = {}
    for i, j, affect, weight in events:
        for person in (i, j):
            weighted[person] += weight * affect
            weights[person] += weight
        s, w = pairs.get((min(i, j), max(i, j)), (0.0, 0.0))
        pairs[min(i, j), max(i, j)] = (s + weight * affect, w + weight)
    return nullmodels.AffectSums(weighted, weights, pairs)


def random_affect(_: int, rng: np.random.Generator) -> float:
    return float(rng.normal(-0.2, 0.3))


def planted(negative: set[int]) -> EventAffect:
    def affect(giver: int, rng: np.random.Generator) -> float:
        return float(rng.normal(-0.9, 0.05)) if giver in negative else random_affect(giver, rng)

    return affect


def brute_force_exposure(
    n: int, edges: list[tuple[int, int]], events: list[tuple[int, int, float, float]]
) -> list[float | None]:
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(edges)

    def affect_of(j: int, without: int | None = None) -> float | None:
        own = [(a, w) for x, y, a, w in events if j in (x, y) and without not in (x, y)]
        total = sum(w for _, w in own)
        return sum(a * w for a, w in own) / total if total > 0 else None

    exposure: list[float | None] = []
    for i in range(n):
        distances = nx.single_source_shortest_path_length(graph, i, cutoff=3)
        value, reached = 0.0, False
        for d, weight in zip((1, 2, 3), measures.CONTAGION_WEIGHTS, strict=True):
            ring = [affect_of(j, i if d == 1 else None) for j, dj in distances.items() if dj == d]
            known = [a for a in ring if a is not None]
            if known:
                value += weight * sum(known) / len(known)
                reached = True
        exposure.append(value if reached else None)
    return exposure


@pytest.mark.parametrize("seed", range(3))
def test_partner_excluded_exposure_matches_brute_force(seed: int) -> None:
    random.seed(seed)  # igraph draws from Python's generator
    graph = igraph.Graph.Erdos_Renyi(n=40, m=70)
    graph.add_vertices(1)  # an isolated person
    events = affect_events(graph, random_affect, seed)
    events += [(0, 1, 0.5, 1.0)] if graph.are_adjacent(0, 1) else []
    ours = nullmodels.partner_excluded_exposure(graph, sums_of(graph.vcount(), events))
    expected = brute_force_exposure(graph.vcount(), graph.get_edgelist(), events)
    assert ours[-1] is None
    for mine, theirs in zip(ours, expected, strict=True):
        assert (mine is None) == (theirs is None)
        if mine is not None:
            assert mine == pytest.approx(theirs)


def test_a_partner_whose_only_events_are_with_me_adds_nothing_at_distance_one() -> None:
    graph = igraph.Graph(n=3, edges=[(0, 1), (1, 2)])
    events = [(0, 1, -1.0, 1.0), (1, 2, 0.5, 1.0)]
    exposure = nullmodels.partner_excluded_exposure(graph, sums_of(3, events))
    # 0 sees 1 through 1's event with 2 only (0.5); 2 at distance 2 with plain affect 0.5.
    assert exposure[0] == pytest.approx(0.5 + 0.64 * 0.5)
    # 1 sees 0 with nothing left and 2 with nothing left: no distance-1 term at all.
    assert exposure[1] is None


def test_the_sampled_rings_are_exact_below_the_cap() -> None:
    graph, _ = team_org(0)
    sums = sums_of(graph.vcount(), affect_events(graph, random_affect, 0))
    affect = sums.affect()
    operators = nullmodels.ExposureRings.build(graph, ~np.isnan(affect), cap=None)
    first = operators.rings[0]
    capped = operators.exposure(affect, nullmodels.partner_affect(sums, first.rows, first.cols))
    exact = nullmodels.partner_excluded_exposure(graph, sums)
    expected = [np.nan if e is None else e for e in exact]
    assert capped.tolist() == pytest.approx(expected, nan_ok=True)


def test_random_affect_in_a_mildly_negative_org_fires_at_most_by_chance() -> None:
    """Random event affect (mean -0.2, sd 0.3) on 20 random orgs. The old absolute threshold
    flags over half of each org; the test may fire by chance in 1 % of orgs (its level; 6 of
    300 seeds measured), so here: at most one of the 20 (P(2+ of 20) = 1.7 % at level 1 %).
    Seed 2 is that one (p = 1/201)."""
    fired = []
    for seed in range(20):
        graph, _ = team_org(seed)
        sums = sums_of(graph.vcount(), affect_events(graph, random_affect, seed))
        old_rule = measures.affect_exposure(graph, sums.affect().tolist())
        assert sum(1 for e in old_rule if e is not None and e <= -0.3) > 100
        groups = nullmodels.negative_contagion_groups(graph, sums, seed=seed)
        fired += [seed for group in groups if group.fires]
    assert len(fired) <= 1


@pytest.mark.parametrize("seed", range(20))
def test_a_planted_negative_cluster_fires(seed: int) -> None:
    graph, _ = team_org(seed)
    cluster = [0, 20, 40, 60, 80, 100]  # six members of team 0, made a clique
    graph.add_edges([(a, b) for a in cluster for b in cluster if a < b])
    graph.simplify()
    sums = sums_of(graph.vcount(), affect_events(graph, planted(set(cluster)), seed))
    fired = [g for g in nullmodels.negative_contagion_groups(graph, sums, seed=seed) if g.fires]
    assert len(fired) == 1
    assert set(cluster) <= set(fired[0].members)
    assert fired[0].p_value < 0.01
    assert fired[0].effect_size <= -3.0
    assert fired[0].severity in {"warning", "critical"}


@pytest.mark.parametrize("seed", range(20))
def test_near_miss_the_same_negative_people_scattered_over_teams(seed: int) -> None:
    graph, _ = team_org(seed)
    scattered = {0, 21, 42, 63, 84, 105}  # six teams, not a connected cluster
    sums = sums_of(graph.vcount(), affect_events(graph, planted(scattered), seed))
    groups = nullmodels.negative_contagion_groups(graph, sums, seed=seed)
    assert not [group for group in groups if group.fires]


def test_the_permutation_test_is_reproducible_with_a_seed() -> None:
    graph, _ = team_org(3)
    cluster = [3, 23, 43, 63, 83, 103]
    graph.add_edges([(a, b) for a in cluster for b in cluster if a < b])
    graph.simplify()
    sums = sums_of(graph.vcount(), affect_events(graph, planted(set(cluster)), 3))
    first = nullmodels.negative_contagion_groups(graph, sums, seed=5, permutations=50)
    again = nullmodels.negative_contagion_groups(graph, sums, seed=5, permutations=50)
    assert first == again
    assert first


def test_severity_cut_offs() -> None:
    assert nullmodels.contagion_severity(-4.5) == "critical"
    assert nullmodels.contagion_severity(-3.2) == "warning"
    assert nullmodels.contagion_severity(-2.1) == "info"
