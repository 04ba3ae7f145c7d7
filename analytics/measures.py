"""Pure measures used by the pattern families. No Django, no Neo4j: tested on known values and
against networkx (see docs/analytics.md for definitions and sources)."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from itertools import pairwise

import igraph
import numpy as np


def distinct_gaps(times: Sequence[float]) -> list[float]:
    """Gaps between consecutive *distinct* instants: a meeting logged as nine arcs at the same
    second is one event of the person's timeline, not eight zero gaps."""
    return [b - a for a, b in pairwise(sorted(set(times)))]


def _gap_moments(times: Sequence[float]) -> tuple[int, float, float] | None:
    """(number of gaps, mean, population SD) of the gaps between distinct instants; None with
    fewer than three distinct instants (one gap says nothing about its spread)."""
    gaps = distinct_gaps(times)
    if len(gaps) < 2:
        return None
    mean = sum(gaps) / len(gaps)
    sigma = math.sqrt(sum((gap - mean) ** 2 for gap in gaps) / len(gaps))
    return len(gaps), mean, sigma


def burstiness(times: Sequence[float]) -> float | None:
    """B = (sigma - mu) / (sigma + mu) of the gaps between distinct instants (Goh & Barabasi,
    EPL 81, 48002, 2008): -1 regular, 0 Poisson, towards 1 bursty.

    Population standard deviation. Repeated timestamps count once (see `distinct_gaps`). None
    with fewer than three distinct instants.
    """
    moments = _gap_moments(times)
    if moments is None:
        return None
    _, mean, sigma = moments
    return (sigma - mean) / (sigma + mean)


def burstiness_corrected(times: Sequence[float]) -> float | None:
    """Finite-size corrected burstiness (Kim & Jo, Phys. Rev. E 94, 032311, 2016):

        A_n = (sqrt(n+1) r - sqrt(n-1)) / ((sqrt(n+1) - 2) r + sqrt(n-1)),  r = sigma / mu,

    with sigma, mu the population SD and mean of the gaps between distinct instants and n the
    number of those gaps (distinct instants - 1). n counts the values whose spread is measured:
    n gaps with all but one zero give the largest possible r = sqrt(n - 1), and the formula maps
    exactly that to 1 (and r = 0, a regular series, to -1); B's maximum with n gaps is below 1,
    which is the finite-size bias A_n removes. As n grows A_n tends to B = (r - 1) / (r + 1).
    None with fewer than three distinct instants.
    """
    moments = _gap_moments(times)
    if moments is None:
        return None
    n, mean, sigma = moments
    ratio = sigma / mean
    plus, minus = math.sqrt(n + 1), math.sqrt(n - 1)
    return (plus * ratio - minus) / ((plus - 2) * ratio + minus)


def normalized_entropy(counts: Iterable[float]) -> float:
    """Shannon entropy of the distribution of `counts`, divided by log(number of categories).

    0 with fewer than two categories.
    """
    values = [count for count in counts if count > 0]
    if len(values) < 2:
        return 0.0
    total = sum(values)
    entropy = -sum((v / total) * math.log(v / total) for v in values)
    return entropy / math.log(len(values))


def gini(values: Sequence[float]) -> float | None:
    """Gini coefficient of non-negative values (0 = equal); None when empty or all zero."""
    if not values or sum(values) == 0:
        return None
    ordered = sorted(values)
    n = len(ordered)
    weighted = sum((index + 1) * value for index, value in enumerate(ordered))
    return (2 * weighted) / (n * sum(ordered)) - (n + 1) / n


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of the values <= it."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def undirected_graph(nodes: Sequence[str], edges: Iterable[tuple[str, str]]) -> igraph.Graph:
    """Simple undirected graph on `nodes` (self-loops and repeated edges dropped)."""
    index = {node: position for position, node in enumerate(nodes)}
    pairs = {
        (min(index[a], index[b]), max(index[a], index[b]))
        for a, b in edges
        if a != b and a in index and b in index
    }
    return igraph.Graph(n=len(nodes), edges=sorted(pairs), directed=False)


BETWEENNESS_EXACT_BELOW = 20_000  # people; above, betweenness is estimated from pivots
BETWEENNESS_PIVOTS = 2_000


def normalized_betweenness(
    graph: igraph.Graph,
    exact_below: int = BETWEENNESS_EXACT_BELOW,
    pivots: int = BETWEENNESS_PIVOTS,
    seed: int = 0,
) -> list[float]:
    """Betweenness divided by (n-1)(n-2)/2, as networkx normalizes undirected graphs.

    Exact below `exact_below` vertices (Brandes 2001: O(n m)). Above, the shortest paths from
    `pivots` sources drawn uniformly (seeded, so a run is reproducible) are scaled by n / pivots:
    an unbiased estimate (Brandes & Pich 2007), as networkx's `betweenness_centrality(k=...)`.
    """
    n = graph.vcount()
    if n < exact_below or pivots >= n:
        raw = graph.betweenness(directed=False)
    else:
        sources = random.Random(seed).sample(range(n), pivots)  # noqa: S311 - sampling, not security
        sampled = graph.betweenness(directed=False, sources=sources, targets=range(n))
        raw = [value * n / pivots for value in sampled]
    scale = (n - 1) * (n - 2) / 2 if n > 2 else 1.0
    return [value / scale for value in raw]


def burt_constraint(graph: igraph.Graph) -> list[float | None]:
    """Burt's constraint (Burt 1992); None for people without ties."""
    values = graph.constraint()
    return [
        None if degree == 0 else value for value, degree in zip(values, graph.degree(), strict=True)
    ]


def modularity(graph: igraph.Graph, nodes: Sequence[str], team_of: dict[str, set[str]]) -> float:
    """Newman modularity of `graph` partitioned by team. A person in several teams counts in the
    alphabetically first; a person in none is a community of their own."""
    labels: dict[str, int] = {}
    membership = []
    for node in nodes:
        teams = sorted(team_of.get(node, set()))
        label = teams[0] if teams else f"__alone__{node}"
        membership.append(labels.setdefault(label, len(labels)))
    return float(graph.modularity(membership))


CONTAGION_WEIGHTS = (1.0, 0.64, 0.37)  # degrees 1, 2, 3 (Fowler & Christakis 2008)
NEIGHBOURHOOD_CHUNK = 500  # vertices whose distance-d sets are held in memory at once


def affect_exposure(
    graph: igraph.Graph,
    affect: Sequence[float | None],
    weights: Sequence[float] = CONTAGION_WEIGHTS,
) -> list[float | None]:
    """Sum over d of w_d times the mean affect of the people at undirected distance exactly d.

    People without affect are left out of each mean; a distance with nobody carrying affect adds
    nothing; a person with no such distance at all gets None.
    """
    values = np.array([np.nan if a is None else a for a in affect], dtype=float)
    n = graph.vcount()
    exposure = np.zeros(n)
    reached = np.zeros(n, dtype=bool)
    for distance, weight in enumerate(weights, start=1):
        for start in range(0, n, NEIGHBOURHOOD_CHUNK):
            chunk = range(start, min(n, start + NEIGHBOURHOOD_CHUNK))
            rings = graph.neighborhood(vertices=chunk, order=distance, mindist=distance)
            for vertex, ring in zip(chunk, rings, strict=True):
                known = values[ring]
                known = known[~np.isnan(known)]
                if known.size:
                    exposure[vertex] += weight * known.mean()
                    reached[vertex] = True
    return [float(e) if r else None for e, r in zip(exposure, reached, strict=True)]


def recognition_rings(
    given: dict[tuple[str, str], int],
    min_given: int,
    min_share: float,
    min_recognizers: int,
    sizes: tuple[int, int],
) -> list[list[str]]:
    """Groups in which every member gives `min_given`+ recognitions, at least `min_share` of
    them to other members, and is recognized by `min_recognizers`+ members.

    Starting from each weakly connected set of givers, members failing a condition are removed
    until none does (removing someone only makes the conditions harder for the others, so this
    finds the largest qualifying group within the set); groups outside `sizes` are dropped.
    """
    return _ring_search(given, min_given, min_share, min_recognizers, sizes, look_inside=False)


def _weak_components(people: set[str], given: dict[tuple[str, str], int]) -> list[frozenset[str]]:
    order = sorted(people)
    index = {person: position for position, person in enumerate(order)}
    edges = [(index[a], index[b]) for a, b in given if a in index and b in index and a != b]
    graph = igraph.Graph(n=len(order), edges=edges, directed=True)
    return [frozenset(order[v] for v in part) for part in graph.connected_components(mode="weak")]


def _prune(
    group: set[str],
    given: dict[tuple[str, str], int],
    total: dict[str, int],
    min_share: float,
    min_recognizers: int,
) -> set[str]:
    # Adjacency once, so each round costs the group's edges, not the square of its size.
    outgoing: dict[str, list[tuple[str, int]]] = {}
    incoming: dict[str, list[str]] = {}
    for (giver, receiver), count in given.items():
        if giver != receiver and giver in group and receiver in group:
            outgoing.setdefault(giver, []).append((receiver, count))
            incoming.setdefault(receiver, []).append(giver)
    while True:
        failing = {
            person
            for person in group
            if sum(count for other, count in outgoing.get(person, []) if other in group)
            < min_share * total[person]
            or sum(1 for other in incoming.get(person, []) if other in group) < min_recognizers
        }
        if not failing:
            return group
        group = group - failing


def recognition_ring_search(
    given: dict[tuple[str, str], int],
    min_given: int,
    min_share: float,
    min_recognizers: int,
    sizes: tuple[int, int],
) -> list[list[str]]:
    """`recognition_rings`' groups, also looking inside the groups larger than `sizes[1]`.

    Same rules and pruning as `recognition_rings`. A qualifying group above the maximum size is
    split, then each part is pruned and searched again:
    1. into its strongly connected components (a recognition between two rings that is not
       returned does not join them);
    2. if it is one strongly connected component, into its modularity communities (Clauset,
       Newman & Moore, PRE 70, 066111, 2004: greedy agglomeration, deterministic) of the
       undirected graph weighted by recognitions.
    A group with no community structure (one community, e.g. a whole department recognizing
    itself evenly) is a department, not a ring, and is dropped as before. Groups of the same
    people as `recognition_rings` returns are returned unchanged; the result is sorted.
    """
    return _ring_search(given, min_given, min_share, min_recognizers, sizes, look_inside=True)


def _ring_search(
    given: dict[tuple[str, str], int],
    min_given: int,
    min_share: float,
    min_recognizers: int,
    sizes: tuple[int, int],
    look_inside: bool,
) -> list[list[str]]:
    total: dict[str, int] = {}
    for (giver, _), count in given.items():
        total[giver] = total.get(giver, 0) + count
    pending = _weak_components({g for g, n in total.items() if n >= min_given}, given)
    rings: list[list[str]] = []
    while pending:
        group = set(pending.pop())
        kept = _prune(group, given, total, min_share, min_recognizers)
        if kept != group:
            pending.extend(_weak_components(kept, given))  # pruning may split the group
        elif sizes[0] <= len(kept) <= sizes[1]:
            rings.append(sorted(kept))
        elif look_inside and len(kept) > sizes[1]:
            pending.extend(_split_large_group(kept, given))
    return sorted(rings)


def _split_large_group(group: set[str], given: dict[tuple[str, str], int]) -> list[frozenset[str]]:
    """Strongly connected components, else modularity communities; [] when it does not split."""
    order = sorted(group)
    index = {person: position for position, person in enumerate(order)}
    arcs = [
        (index[a], index[b], count)
        for (a, b), count in given.items()
        if a != b and a in index and b in index
    ]
    directed = igraph.Graph(n=len(order), edges=[(a, b) for a, b, _ in arcs], directed=True)
    parts = directed.connected_components(mode="strong")
    if len(parts) == 1:
        undirected = igraph.Graph(n=len(order), edges=[(a, b) for a, b, _ in arcs])
        undirected.es["weight"] = [float(count) for _, _, count in arcs]
        undirected.simplify(combine_edges={"weight": "sum"})
        parts = undirected.community_fastgreedy(weights="weight").as_clustering()
    if len(parts) == 1:
        return []
    return [frozenset(order[v] for v in part) for part in parts]
