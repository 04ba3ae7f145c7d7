"""Null models for the group findings: a finding about named people fires only when chance is an
unlikely explanation. Pure functions (no Django, no Neo4j), seeded, tested against brute force
and closed forms in tests/analytics/test_nullmodels_*.py.

- `negative_contagion_groups`: low affect exposure, relative to the organization, clustered on
  the interaction graph beyond what a permutation of affect over the same people gives
  (max-statistic permutation test: Nichols & Holmes, Human Brain Mapping 15, 2002; cluster mass:
  Bullmore et al., IEEE Trans. Med. Imaging 18, 1999).
- `recognition_ring_tests`: recognition rings denser than in degree-preserving rewirings of the
  recognition graph (directed configuration model; modularity null: Leicht & Newman, PRL 100,
  118703, 2008), again with the max statistic over the same search.
- `silo_test`: a context's exploration against its expectation under random mixing
  (configuration model: each event end pairs with another end at random).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import igraph
import numpy as np

from analytics import measures

Pair = tuple[int, int]
DEFAULT_PERMUTATIONS = 200
DEFAULT_ALPHA = 0.01
RING_CAP = 200  # people per distance-2/3 ring kept for the test statistic (see `ExposureRings`)
NEIGHBOURHOOD_CHUNK = 500


# ---------------------------------------------------------------------------------------------
# Affect exposure with the events two partners share left out


@dataclass(frozen=True)
class AffectSums:
    """Time-decayed affect of the people, in the vertex order of G.

    `weighted[i]` = sum of w * affect over i's events that carry an affect (either end),
    `weights[i]` = sum of w over them (0 for a person without affect), and `pairs[(i, j)]`
    (i < j) = the same two sums over the events between i and j only.
    """

    weighted: Sequence[float]
    weights: Sequence[float]
    pairs: Mapping[Pair, tuple[float, float]]
    # True: the sums are of the affect each person expressed (events they gave), and
    # `pairs[(j, i)]` holds the events j gave i, which are what i's view of j leaves out.
    directed: bool = False

    def affect(self) -> np.ndarray:
        """(sum w * affect) / (sum w) per person; NaN without affect."""
        weighted = np.asarray(self.weighted, dtype=float)
        weights = np.asarray(self.weights, dtype=float)
        affect = np.full(weighted.size, np.nan)
        has = weights > 0
        affect[has] = weighted[has] / weights[has]
        return affect


def partner_affect(sums: AffectSums, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Affect of cols[k] as seen by rows[k]: cols[k]'s events minus those shared with rows[k].

    (S_j - s_ij) / (W_j - w_ij); NaN when nothing is left (all of j's affect is shared with i).
    """
    weighted = np.asarray(sums.weighted, dtype=float)[cols].copy()
    weights = np.asarray(sums.weights, dtype=float)[cols].copy()
    for k, (i, j) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
        shared = sums.pairs.get((j, i) if sums.directed else (min(i, j), max(i, j)))
        if shared is not None:
            weighted[k] -= shared[0]
            weights[k] -= shared[1]
    result = np.full(weights.size, np.nan)
    left = weights > 1e-12 * np.maximum(1.0, np.asarray(sums.weights, dtype=float)[cols])
    result[left] = weighted[left] / weights[left]
    return result


@dataclass(frozen=True)
class Ring:
    """Sparse operator of one distance: entry k says cols[k] is at that distance from rows[k]."""

    rows: np.ndarray
    cols: np.ndarray
    size: int

    def sums_and_counts(self, entry_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row, the sum and the number of the non-NaN `entry_values` (one per entry)."""
        known = ~np.isnan(entry_values)
        sums = np.bincount(self.rows[known], entry_values[known], minlength=self.size)
        counts = np.bincount(self.rows[known], minlength=self.size)
        return sums, counts


def _ring_chunks(
    graph: igraph.Graph,
    distance: int,
    carries: np.ndarray,
    cap: int | None,
    rng: np.random.Generator,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(rows, cols) of the people carrying affect at distance exactly `distance`, chunk by chunk;
    a ring larger than `cap` is replaced by `cap` of its members drawn without replacement."""
    n = graph.vcount()
    for start in range(0, n, NEIGHBOURHOOD_CHUNK):
        chunk = range(start, min(n, start + NEIGHBOURHOOD_CHUNK))
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        for vertex, ring in zip(
            chunk,
            graph.neighborhood(vertices=chunk, order=distance, mindist=distance),
            strict=True,
        ):
            members = np.asarray(ring, dtype=np.int64)
            members = members[carries[members]] if members.size else members
            if cap is not None and members.size > cap:
                members = rng.choice(members, cap, replace=False)
            rows.append(np.full(members.size, vertex, dtype=np.int64))
            cols.append(members)
        if rows:
            yield np.concatenate(rows), np.concatenate(cols)


def _ring(
    graph: igraph.Graph, distance: int, carries: np.ndarray, cap: int | None, seed: int
) -> Ring:
    rng = np.random.default_rng([seed, distance])
    chunks = list(_ring_chunks(graph, distance, carries, cap, rng))
    empty = np.zeros(0, dtype=np.int64)
    rows = np.concatenate([r for r, _ in chunks]) if chunks else empty
    cols = np.concatenate([c for _, c in chunks]) if chunks else empty
    return Ring(rows, cols, graph.vcount())


def partner_excluded_exposure(
    graph: igraph.Graph,
    sums: AffectSums,
    weights: Sequence[float] = measures.CONTAGION_WEIGHTS,
) -> list[float | None]:
    """Affect exposure of each person, partners' affect taken without the events they share.

        exposure_i = sum_d w_d * mean_{j at distance exactly d from i} a_j(d, i),

    w = (1, 0.64, 0.37) (Fowler & Christakis, BMJ 337:a2338, 2008). For d = 1, a_j(1, i) is j's
    affect from j's events minus those between i and j (`partner_affect`): an event counts for
    both its ends, so without this two partners' affects are correlated by construction. For
    d >= 2, a_j is j's plain affect. People without affect (or, at d = 1, with nothing left) are
    left out of each mean; a distance with nobody adds nothing; None with no distance at all.
    Exact (every ring in full), as `measures.affect_exposure`; the same with the exclusion.
    """
    affect = sums.affect()
    carries = ~np.isnan(affect)
    n = graph.vcount()
    exposure, reached = np.zeros(n), np.zeros(n, dtype=bool)
    first = _first_ring(graph, carries)
    parts = [first.sums_and_counts(partner_affect(sums, first.rows, first.cols))]
    rng = np.random.default_rng(0)  # unused without a cap
    for distance in range(2, len(weights) + 1):
        total, count = np.zeros(n), np.zeros(n)
        for rows, cols in _ring_chunks(graph, distance, carries, None, rng):
            total += np.bincount(rows, affect[cols], minlength=n)
            count += np.bincount(rows, minlength=n)
        parts.append((total, count))
    for weight, (total, count) in zip(weights, parts, strict=True):
        has = count > 0
        exposure[has] += weight * total[has] / count[has]
        reached |= has
    return [float(e) if r else None for e, r in zip(exposure, reached, strict=True)]


def _first_ring(graph: igraph.Graph, carries: np.ndarray) -> Ring:
    edges = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    keep = carries[cols]
    return Ring(rows[keep], cols[keep], graph.vcount())


# ---------------------------------------------------------------------------------------------
# negative_contagion: groups of low exposure, tested by permuting affect


@dataclass(frozen=True)
class ExposureRings:
    """The distance-d operators of G, built once and reused by every permutation.

    Distance 1 is exact. A distance-2 or -3 ring larger than `cap` is represented by `cap` of its
    members drawn at random (seeded) once, for the observed data and every permutation alike: the
    test statistic is then a fixed function of the affect vector, so the permutation test stays
    exact, and each ring mean is an unbiased estimate of the full ring's mean (standard error
    about sd(affect) / sqrt(cap) x the weight 0.64 or 0.37). This caps each permutation at
    n x (degree + 2 cap) entries: 10,000 people with ~400 people at distance 2 and ~5,000 at
    distance 3 would otherwise need ~54 million entries per permutation.
    """

    rings: tuple[Ring, ...]
    weights: tuple[float, ...]

    @classmethod
    def build(
        cls,
        graph: igraph.Graph,
        carries: np.ndarray,
        weights: Sequence[float] = measures.CONTAGION_WEIGHTS,
        cap: int | None = RING_CAP,
        seed: int = 0,
    ) -> ExposureRings:
        rings = [_first_ring(graph, carries)]
        rings += [_ring(graph, d, carries, cap, seed) for d in range(2, len(weights) + 1)]
        return cls(tuple(rings), tuple(weights))

    def exposure(self, affect: np.ndarray, first_values: np.ndarray | None = None) -> np.ndarray:
        """sum_d w_d x ring mean of `affect`; NaN where no ring has anyone. `first_values`
        replaces affect[cols] at distance 1 (the partner-excluded affects of the data)."""
        size = self.rings[0].size
        exposure, reached = np.zeros(size), np.zeros(size, dtype=bool)
        for distance, (ring, weight) in enumerate(zip(self.rings, self.weights, strict=True)):
            values = first_values if distance == 0 and first_values is not None else None
            total, count = ring.sums_and_counts(affect[ring.cols] if values is None else values)
            has = count > 0
            exposure[has] += weight * total[has] / count[has]
            reached |= has
        exposure[~reached] = np.nan
        return exposure


@dataclass(frozen=True)
class ContagionGroup:
    """A connected set of people with low exposure, and how unlikely it is by chance.

    `effect_size`: (mean exposure of the members - org median exposure) / org robust SD of
    exposure (negative: below the org). `gap`: the same difference in exposure units.
    `p_value`: share of permutations (plus the observed one) whose largest group mass reaches this
    group's mass. `fires`: p < alpha and gap <= -min_gap (see `negative_contagion_groups`).
    """

    members: tuple[int, ...]
    mass: float
    effect_size: float
    gap: float
    p_value: float
    severity: str
    fires: bool


@dataclass(frozen=True)
class _Candidate:
    members: tuple[int, ...]
    mass: float
    effect_size: float
    gap: float


MAD_TO_SD = 1.4826  # median absolute deviation x this = SD for a normal distribution


def robust_center_and_scale(values: np.ndarray) -> tuple[float, float]:
    """Median and scaled median absolute deviation of the non-NaN values (Hampel 1974): the
    org's typical exposure and spread, not pulled by the very cluster being looked for (an SD
    would grow with it and hide it). Falls back to the SD when over half the values are equal."""
    known = values[~np.isnan(values)]
    if not known.size:
        return 0.0, 0.0
    center = float(np.median(known))
    scale = MAD_TO_SD * float(np.median(np.abs(known - center)))
    return center, scale if scale > 0 else float(known.std())


def _standardized(exposure: np.ndarray) -> tuple[np.ndarray, float, float]:
    center, scale = robust_center_and_scale(exposure)
    if scale == 0:
        return np.zeros_like(exposure), center, scale
    return (exposure - center) / scale, center, scale


def low_exposure_groups(
    graph: igraph.Graph, exposure: np.ndarray, min_people: int, low_z: float
) -> list[_Candidate]:
    """Connected sets (in G) of `min_people`+ people with z = (exposure - org median) / org
    robust SD (`robust_center_and_scale`) <= -`low_z`: a rule relative to the org, never on the
    mood level itself. Mass = sum of (-z - low_z) over the members (supra-threshold cluster
    mass): the depth below the threshold counts, not how many people barely cross it."""
    z, _, spread = _standardized(exposure)
    low = np.flatnonzero(np.nan_to_num(z, nan=0.0) <= -low_z) if spread > 0 else np.zeros(0, int)
    if low.size < min_people:
        return []
    groups = []
    for part in graph.induced_subgraph(low.tolist()).connected_components():
        if len(part) >= min_people:
            members = low[part]
            group_z = z[members]
            groups.append(
                _Candidate(
                    tuple(int(m) for m in members),
                    float((-group_z - low_z).sum()),
                    float(group_z.mean()),
                    float(group_z.mean() * spread),
                )
            )
    return groups


CRITICAL_EFFECT = -4.0  # robust SDs below the org median
WARNING_EFFECT = -3.0


def contagion_severity(effect_size: float) -> str:
    """critical when the group's mean exposure is >= 4 robust SDs below the org median, warning
    from 3, info below (every member is already >= `low_z` = 2 below). For scale: in a normal
    org 1 person in 31,000 sits 4 SDs below the median and 1 in 740 sits 3 below. Relative to
    the org by construction: a mildly negative org mood moves the median, not the effect size."""
    if effect_size <= CRITICAL_EFFECT:
        return "critical"
    if effect_size <= WARNING_EFFECT:
        return "warning"
    return "info"


def negative_contagion_groups(
    graph: igraph.Graph,
    sums: AffectSums,
    *,
    min_people: int = 3,
    low_z: float = 2.0,
    min_gap: float = 0.1,
    permutations: int = DEFAULT_PERMUTATIONS,
    alpha: float = DEFAULT_ALPHA,
    seed: int = 0,
    ring_cap: int | None = RING_CAP,
    weights: Sequence[float] = measures.CONTAGION_WEIGHTS,
) -> list[ContagionGroup]:
    """Groups of low affect exposure with a permutation p-value; `fires` when p < `alpha` and the
    group's mean exposure is at least `min_gap` (exposure units) below the org mean.

    Observed: exposure with partners' shared events left out at distance 1 (`partner_affect`),
    rings capped as in `ExposureRings`; groups from `low_exposure_groups`. Null: the people's
    affects are permuted among the people who carry one (seeded), exposure is recomputed on the
    same operators (at distance 1 from the permuted plain affect: a permuted partner shares no
    events with i, so there is nothing to leave out) and the same search keeps its largest mass.
    p = (1 + #{permutations with max mass >= the group's mass}) / (1 + permutations): the max
    statistic controls the chance of any false group over the whole search (family-wise).
    Standardizing each world by its own mean and SD keeps the comparison on one scale.
    Sorted by p-value then size; members are vertex indices of G.
    """
    affect = sums.affect()
    carries = ~np.isnan(affect)
    operators = ExposureRings.build(graph, carries, weights, ring_cap, seed)
    first = operators.rings[0]
    observed = operators.exposure(affect, partner_affect(sums, first.rows, first.cols))
    candidates = low_exposure_groups(graph, observed, min_people, low_z)
    if not candidates:
        return []
    null_max = _permutation_maxima(graph, operators, affect, min_people, low_z, permutations, seed)
    groups = [
        _tested_group(candidate, null_max, alpha, min_gap, permutations) for candidate in candidates
    ]
    return sorted(groups, key=lambda g: (g.p_value, -len(g.members), g.members))


def _permutation_maxima(
    graph: igraph.Graph,
    operators: ExposureRings,
    affect: np.ndarray,
    min_people: int,
    low_z: float,
    permutations: int,
    seed: int,
) -> np.ndarray:
    rng = np.random.default_rng([seed, 0])
    carriers = np.flatnonzero(~np.isnan(affect))
    maxima = np.full(permutations, -np.inf)
    shuffled = affect.copy()
    for k in range(permutations):
        shuffled[carriers] = affect[rng.permutation(carriers)]
        groups = low_exposure_groups(graph, operators.exposure(shuffled), min_people, low_z)
        if groups:
            maxima[k] = max(group.mass for group in groups)
    return maxima


def _tested_group(
    candidate: _Candidate, null_max: np.ndarray, alpha: float, min_gap: float, permutations: int
) -> ContagionGroup:
    p_value = (1 + int((null_max >= candidate.mass).sum())) / (1 + permutations)
    return ContagionGroup(
        members=candidate.members,
        mass=candidate.mass,
        effect_size=candidate.effect_size,
        gap=candidate.gap,
        p_value=p_value,
        severity=contagion_severity(candidate.effect_size),
        fires=p_value < alpha and candidate.gap <= -min_gap,
    )


# ---------------------------------------------------------------------------------------------
# recognition_ring: rings against degree-preserving rewirings


@dataclass(frozen=True)
class RingRules:
    """The rules of `measures.recognition_ring_search` (defaults as in patterns/recognition)."""

    min_given: int = 3
    min_share: float = 0.8
    min_recognizers: int = 2
    sizes: tuple[int, int] = (3, 12)

    def search(self, given: dict[tuple[str, str], int]) -> list[list[str]]:
        return measures.recognition_ring_search(
            given, self.min_given, self.min_share, self.min_recognizers, self.sizes
        )


@dataclass(frozen=True)
class RingTest:
    """A ring, its internal recognitions, their expectation, and the rewiring p-value.

    `excess` = internal - expected (the test statistic). `fires`: p < alpha.
    """

    members: tuple[str, ...]
    internal: int
    expected: float
    excess: float
    p_value: float
    fires: bool


def ring_excess(group: Sequence[str], given: Mapping[tuple[str, str], int]) -> tuple[int, float]:
    """Recognitions between members, and their expectation when every recognition goes to a
    receiver drawn in proportion to received recognitions (directed configuration model, the
    null of directed modularity: Leicht & Newman, PRL 100, 118703, 2008):

        expected = (out_g * in_g - sum_{i in g} out_i * in_i) / R,

    out/in: recognitions given/received over the whole graph, R: all recognitions, the sum
    leaving out a member recognizing themself."""
    members = set(group)
    total = sum(given.values())
    out: dict[str, int] = {}
    into: dict[str, int] = {}
    internal = 0
    for (giver, receiver), count in given.items():
        out[giver] = out.get(giver, 0) + count
        into[receiver] = into.get(receiver, 0) + count
        if giver in members and receiver in members:
            internal += count
    out_g = sum(out.get(m, 0) for m in members)
    in_g = sum(into.get(m, 0) for m in members)
    self_pairs = sum(out.get(m, 0) * into.get(m, 0) for m in members)
    return internal, (out_g * in_g - self_pairs) / total if total else 0.0


def rewired_recognitions(
    given: Mapping[tuple[str, str], int], rng: np.random.Generator
) -> dict[tuple[str, str], int]:
    """A random recognition graph where everyone gives and receives exactly as many recognitions
    as in `given`: each recognition's receiver slot is shuffled (stub matching of the directed
    configuration model; repeated pairs allowed, as repeated recognitions are). Self-recognitions
    created by the shuffle are swapped with random other slots until none is left; if a person
    holds so many slots that it cannot be avoided (after 100 rounds), the remaining ones are
    dropped."""
    people = sorted({p for pair in given for p in pair})
    index = {person: k for k, person in enumerate(people)}
    counts = np.array(list(given.values()), dtype=np.int64)
    givers = np.repeat([index[g] for g, _ in given], counts)
    receivers = rng.permutation(np.repeat([index[r] for _, r in given], counts))
    for _ in range(100):
        loops = np.flatnonzero(givers == receivers)
        if not loops.size:
            break
        partners = rng.integers(0, receivers.size, loops.size)
        receivers[loops], receivers[partners] = receivers[partners], receivers[loops].copy()
    keep = givers != receivers
    codes, tallies = np.unique(givers[keep] * len(people) + receivers[keep], return_counts=True)
    return {
        (people[c // len(people)], people[c % len(people)]): int(t)
        for c, t in zip(codes.tolist(), tallies.tolist(), strict=True)
    }


def recognition_ring_tests(
    given: dict[tuple[str, str], int],
    rules: RingRules | None = None,
    *,
    rewirings: int = DEFAULT_PERMUTATIONS,
    alpha: float = DEFAULT_ALPHA,
    seed: int = 0,
) -> list[RingTest]:
    """The rings of `measures.recognition_ring_search`, each with a p-value against
    degree-preserving rewirings of the recognition graph.

    Statistic: the ring's excess of internal recognitions over the configuration-model
    expectation (`ring_excess`). Each of `rewirings` seeded rewirings (`rewired_recognitions`)
    is searched with the same rules and keeps its largest excess (none found: no ring can beat
    it); p = (1 + #{rewirings whose largest excess >= the ring's}) / (1 + rewirings).
    Why the max over the same search rather than the ring's own density under rewiring: the ring
    was chosen because it is dense, so its own members' density in random graphs is the wrong
    reference (among 10 people recognizing at random the search always finds some dense six);
    the max statistic asks how often chance alone produces any ring this strong anywhere, which
    bounds the chance of any false ring at alpha (Westfall & Young 1993). Sorted by members.
    """
    rules = rules or RingRules()
    rings = rules.search(given)
    if not rings:
        return []
    rng = np.random.default_rng(seed)
    null_max = np.full(rewirings, -np.inf)
    for k in range(rewirings):
        rewired = rewired_recognitions(given, rng)
        excesses = [_excess(ring, rewired) for ring in rules.search(rewired)]
        if excesses:
            null_max[k] = max(excesses)
    tests = []
    for ring in rings:
        internal, expected = ring_excess(ring, given)
        p_value = (1 + int((null_max >= internal - expected).sum())) / (1 + rewirings)
        tests.append(
            RingTest(tuple(ring), internal, expected, internal - expected, p_value, p_value < alpha)
        )
    return tests


def _excess(group: Sequence[str], given: Mapping[tuple[str, str], int]) -> float:
    internal, expected = ring_excess(group, given)
    return internal - expected


# ---------------------------------------------------------------------------------------------
# silo: exploration against random mixing


SILO_MAX_EXPLORATION = 0.1


@dataclass(frozen=True)
class SiloTest:
    """A context's exploration, its random-mixing expectation, and the one-sided p-value."""

    observed: float
    expected: float
    p_value: float
    is_silo: bool


def expected_exploration(member_events: Sequence[int], total_events: int) -> float:
    """Expected exploration of a context if every interaction event paired its two ends at random
    (configuration model: an event end meets another end with probability proportional to that
    person's events; Molloy & Reed 1995, the null of Newman's modularity).

    With k_i the events of member i (either end), K = sum of k_i and 2E the event ends of the org
    (E = `total_events`), an end of member i meets another member with probability
    q_i = (K - k_i) / (2E - k_i) (nobody meets themself). Expected ends meeting members:
    M = sum k_i q_i, each inside event using two of them; expected crossing events X = K - M and
    inside events I = M / 2, so exploration = X / (X + I). With everyone equally active this is
    the uniform-mixing value: q = (n - 1) / (N - 1).
    """
    events = np.asarray(member_events, dtype=float)
    ends = 2.0 * total_events
    member_ends = events.sum()
    if member_ends == 0:
        return 0.0
    meeting = np.divide(
        member_ends - events, ends - events, out=np.zeros_like(events), where=ends > events
    )
    inside_ends = float((events * meeting).sum())
    crossing = member_ends - inside_ends
    inside = inside_ends / 2
    return crossing / (crossing + inside) if crossing + inside > 0 else 0.0


def binomial_cdf(successes: int, trials: int, probability: float) -> float:
    """P(Binomial(trials, probability) <= successes), summed in log space (exact to rounding)."""
    if successes >= trials or probability <= 0.0:
        return 1.0
    if successes < 0:
        return 0.0
    if probability >= 1.0:
        return 0.0
    k = np.arange(1, successes + 1, dtype=float)
    steps = np.log(trials - k + 1) - np.log(k) + math.log(probability) - math.log1p(-probability)
    log_pmf = trials * math.log1p(-probability) + np.concatenate([[0.0], np.cumsum(steps)])
    top = float(log_pmf.max())
    return min(1.0, math.exp(top) * float(np.exp(log_pmf - top).sum()))


def silo_test(
    inside_events: int,
    crossing_events: int,
    member_events: Sequence[int],
    total_events: int,
    max_exploration: float = SILO_MAX_EXPLORATION,
    alpha: float = DEFAULT_ALPHA,
) -> SiloTest:
    """Is the context's exploration below what random mixing would give?

    observed = crossing / (inside + crossing) (the `exploration` context metric); expected from
    `expected_exploration`. p = P(X <= crossing) for X ~ Binomial(inside + crossing, expected):
    each touching event crosses the boundary with the expected probability (events, not event
    ends, are the trials: an inside event's two ends are not independent, so counting ends
    would overstate the evidence). Deterministic, no seed needed.
    Rule: silo when observed < `max_exploration` AND observed < expected / 2 AND p < `alpha`
    (a context holding most of the org explores little by arithmetic, not by closure).
    """
    touching = inside_events + crossing_events
    expected = expected_exploration(member_events, total_events)
    if touching == 0:
        return SiloTest(0.0, expected, 1.0, False)
    observed = crossing_events / touching
    p_value = binomial_cdf(crossing_events, touching, expected)
    is_silo = observed < max_exploration and observed < expected / 2 and p_value < alpha
    return SiloTest(observed, expected, p_value, is_silo)
