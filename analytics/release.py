"""The release rule: whether an aggregate about a group of people may leave the system.

A run's groups are the organization (its org metrics, about the run's `people`) and each context
it measured (its context metrics, about the context's `size` members). A group's aggregates are
released only when

1. it counts at least MIN_GROUP_SIZE people, and
2. no released pair of groups differs by 1 to MAX_DIFFERENCE people: two groups of the same run,
   or the same group in two consecutive succeeded runs. Subtracting the aggregates of such a pair
   would isolate the people in the difference (a team and the same team minus one person; a team
   before and after one person joined).

The difference of a pair is the symmetric difference of its members: the people each aggregate
counts, by the roster rule mining applies (`people.roster`: the org's people employed on the
window's last day, a context's members whose period overlaps the window; opted-out people in
neither), read from SQL.

Which group of a conflicting pair is withheld, deterministically:
- in one run, groups are considered largest first (head count, then the org before contexts, then
  `kind:name`); a group is released unless it conflicts with a group already released, so the
  smaller group of a pair is withheld and the larger, more useful one stays;
- across runs, the earlier run's aggregates have already left: the later run's group is withheld.
  Only consecutive runs are compared: once a group was withheld in a run, the next run compares
  with that run, where nothing was released.

Survey aggregates (outcomes.pulse_release) also refuse combinations of more than two released
figures: `span_leaks` below. Mining runs still apply the pair rule only.

The decision is computed once per succeeded run (at the end of mining, or on first read) and
stored (RunRelease), so every read costs one query. Runs that did not succeed release no group
aggregate. HR admins reading the API see withheld values (their role needs them); every other
reader, every export, report, portal page and webhook goes through this module.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from django.db.models import Q
from scipy import sparse

from analytics.models import ContextMetric, MiningRun, OrgMetric, RunRelease, RunStatus
from people import roster
from people.models import Membership, Person

MIN_GROUP_SIZE = 5  # aggregates over fewer people never leave the system
MAX_DIFFERENCE = MIN_GROUP_SIZE - 1  # two released groups never differ by 1..4 people
ORG = "org"  # the organization's key in RunRelease.withheld (contexts are keyed by their id)
FEW_PEOPLE = f"fewer than {MIN_GROUP_SIZE} people"


def enough_people(count: int | float) -> bool:
    """The head-count half of the rule, for views that count a group's members themselves."""
    return count >= MIN_GROUP_SIZE


@dataclass(frozen=True)
class Release:
    """One run's decision: the groups released; any other group's aggregates are withheld
    (`withheld` says why, for the groups the run measured)."""

    run_id: int
    released: frozenset[str]  # ORG and context ids (str)
    withheld: Mapping[str, str]  # ORG or a context id (str) -> reason

    @property
    def org_released(self) -> bool:
        return ORG in self.released

    def context_released(self, context_id: int) -> bool:
        return str(context_id) in self.released

    def context_withheld(self, context_id: int) -> bool:
        """Measured in the run and withheld (a context the run did not measure is neither)."""
        return str(context_id) in self.withheld

    @property
    def withheld_context_ids(self) -> set[int]:
        return {int(key) for key in self.withheld if key != ORG}


@dataclass(frozen=True)
class Group:
    key: str  # ORG or a context id (str)
    label: str  # "org" or kind:name
    people: int  # the head count its aggregates are about
    members: frozenset[int]  # person ids

    @property
    def order(self) -> tuple[int, int, str]:
        """Largest first; the org before a context of the same size; then by name."""
        return (-self.people, self.key != ORG, self.label)


def release_of(run: MiningRun) -> Release:
    """The run's decision, decided and stored on first use (earlier runs' first when missing)."""
    if run.status != RunStatus.SUCCEEDED or run.finished_at is None:
        return _nothing_released(run)
    stored = _stored([run])
    if run.pk not in stored:
        for earlier in _undecided_runs_up_to(run):
            _store(decide(earlier))
        stored = _stored([run])
    return stored[run.pk]


def releases_of(runs: Iterable[MiningRun]) -> dict[int, Release]:
    """Run id -> decision, for several runs (a trend) in one query when already decided."""
    runs = list(runs)
    stored = _stored(runs)
    return {run.pk: stored[run.pk] if run.pk in stored else release_of(run) for run in runs}


def _stored(runs: list[MiningRun]) -> dict[int, Release]:
    rows = RunRelease.objects.filter(run__in=runs).values_list("run_id", "released", "withheld")
    return {run: Release(run, frozenset(released), withheld) for run, released, withheld in rows}


def decide(run: MiningRun) -> Release:
    """Apply the rule to a run's groups (the previous run is decided first when it is not yet)."""
    groups = sorted(groups_of(run), key=lambda group: group.order)
    before = _released_before(run)
    withheld: dict[str, str] = {}
    released = _ReleasedGroups()
    for group in groups:
        reason = _reason_to_withhold(group, before, released)
        if reason:
            withheld[group.key] = reason
        else:
            released.add(group)
    return Release(run.pk, frozenset(released.keys), withheld)


def _reason_to_withhold(
    group: Group, before: Mapping[str, Group], released: _ReleasedGroups
) -> str:
    if not enough_people(group.people):
        return FEW_PEOPLE
    earlier = before.get(group.key)
    if earlier is not None and isolates(group.members ^ earlier.members):
        return f"differs by {_people(group.members ^ earlier.members)} from the previous run"
    conflict = released.conflict_with(group)
    if conflict is not None:
        return f"differs by {_people(group.members ^ conflict.members)} from {conflict.label}"
    return ""


def _people(difference: frozenset[int]) -> str:
    return "1 person" if len(difference) == 1 else f"{len(difference)} people"


def isolates(difference: frozenset[int] | set[int]) -> bool:
    """Whether a difference of two released aggregates would single out 1..4 people."""
    return 0 < len(difference) <= MAX_DIFFERENCE


class _ReleasedGroups:
    """The groups released so far in a run, indexed to find a conflicting one quickly: a group
    within MAX_DIFFERENCE of A contains at least one of any MAX_DIFFERENCE + 1 members of A, so
    only the groups holding one of A's first five members (and the groups of fewer than five
    members, which may share nobody with A) are compared."""

    def __init__(self) -> None:
        self.holding: dict[int, list[Group]] = defaultdict(list)
        self.small: list[Group] = []
        self.keys: list[str] = []

    def add(self, group: Group) -> None:
        self.keys.append(group.key)
        if len(group.members) <= MAX_DIFFERENCE:
            self.small.append(group)
        for person in group.members:
            self.holding[person].append(group)

    def conflict_with(self, group: Group) -> Group | None:
        probe = sorted(group.members)[: MAX_DIFFERENCE + 1]
        candidates = [*self.small, *(other for p in probe for other in self.holding[p])]
        for other in candidates:
            if abs(len(other.members) - len(group.members)) > MAX_DIFFERENCE:
                continue
            if isolates(group.members ^ other.members):
                return other
        return None


def groups_of(run: MiningRun) -> list[Group]:
    """The org and every context the run measured, with the people their aggregates count."""
    present, members = _members(run)
    people = OrgMetric.objects.filter(run=run, metric="people").values_list("value", flat=True)
    groups = [Group(ORG, "org", int(next(iter(people), 0)), present)]
    sizes = ContextMetric.objects.filter(run=run, metric="size").values_list(
        "context_id", "context__kind", "context__name", "value"
    )
    groups += [
        Group(str(context), f"{kind}:{name}", int(size), members.get(context, frozenset()))
        for context, kind, name, size in sizes
    ]
    return groups


def _members(run: MiningRun) -> tuple[frozenset[int], dict[int, frozenset[int]]]:
    """(people present at the window's end, context id -> members in the window), by the roster
    rule mining applied (people.roster.build_roster), read from SQL."""
    start, end = run.window_start.timestamp(), run.window_end.timestamp()
    first, last = roster.window_days(start, end)
    people = [
        {
            "uuid": str(row["pk"]),
            "active": row["is_active"],
            "opted_out": row["analytics_opt_out"],
            "joined_on": row["joined_on"],
            "left_on": row["left_on"],
        }
        for row in Person.objects.values(
            "pk", "is_active", "analytics_opt_out", "joined_on", "left_on"
        )
    ]
    overlapping = Membership.objects.filter(
        Q(since__isnull=True) | Q(since__lte=last), Q(until__isnull=True) | Q(until__gte=first)
    )
    memberships = [
        {**row, "person": str(row["person"]), "context": str(row["context"]), "kind": "", "key": ""}
        for row in overlapping.values("person", "context", "role", "since", "until")
    ]
    window = roster.build_roster(people, memberships, start, end)
    return (
        frozenset(int(person) for person in window.present),
        {
            int(context): frozenset(int(person) for person in ids)
            for context, ids in window.members_in_window.items()
        },
    )


def previous_succeeded(run: MiningRun) -> MiningRun | None:
    """The run before this one in the release order: the newest succeeded run finished before."""
    return (
        MiningRun.objects.filter(status=RunStatus.SUCCEEDED, finished_at__lt=run.finished_at)
        .order_by("-finished_at", "-id")
        .first()
    )


def _released_before(run: MiningRun) -> dict[str, Group]:
    """The groups the previous succeeded run released, with their members (read again)."""
    previous = previous_succeeded(run)
    if previous is None:
        return {}
    release = release_of(previous)
    return {group.key: group for group in groups_of(previous) if group.key in release.released}


def _undecided_runs_up_to(run: MiningRun) -> list[MiningRun]:
    """Succeeded runs finished up to this one without a stored decision, oldest first."""
    runs = MiningRun.objects.filter(
        status=RunStatus.SUCCEEDED, finished_at__lte=run.finished_at, release__isnull=True
    )
    return list(runs.order_by("finished_at", "id"))


def _store(release: Release) -> None:
    """Store a decision; a decision another process stored first for the run is kept."""
    RunRelease.objects.get_or_create(
        run_id=release.run_id,
        defaults={"released": sorted(release.released), "withheld": dict(release.withheld)},
    )


def _nothing_released(run: MiningRun) -> Release:
    """A run that did not succeed: every group it measured so far is withheld."""
    reason = f"the run is {run.status}"
    measured = ContextMetric.objects.filter(run=run).values_list("context_id", flat=True)
    withheld = {ORG: reason} | {str(context): reason for context in measured.distinct()}
    return Release(run.pk, frozenset(), withheld)


# --- combinations of released sets (the survey release rule) ------------------------------------

ATOMS_PER_SET_SEARCHED = 12  # triples and quads are looked for among a set's atoms up to this many
_SINGULAR = 1e-9  # below this, a Gram matrix's eigenvalue counts as zero (entries are at most 1)
_SAME_KEY = 1e-7  # two sketches this close may be parallel: checked exactly
Who = TypeVar("Who", bound=Hashable)  # whatever identifies a person


def span_isolates(
    sets: Sequence[Collection[Hashable]],
    person_of: Callable[[Any], Who],
    known: Collection[frozenset[Who]] = (),
) -> frozenset[Who]:
    """The smallest group of 1..MAX_DIFFERENCE people (other than the `known` ones) whose items
    carry some nonzero integer combination of the released `sets` (added and subtracted), or an
    empty set. See `span_leaks` for what is searched."""
    leaks = [people for people in span_leaks(sets, person_of) if people not in known]
    return min(
        leaks, key=lambda people: (len(people), sorted(map(str, people))), default=frozenset()
    )


def span_leaks(
    sets: Sequence[Collection[Hashable]], person_of: Callable[[Any], Who]
) -> set[frozenset[Who]]:
    """Every group of 1..MAX_DIFFERENCE people singled out by a combination of `sets` found by
    the search below (each group once).

    Items contained by exactly the same sets form an atom: every combination of the sets is
    constant on an atom, so it is a vector over atoms in the row space of M (sets x atoms, 0/1).
    A set T of atoms carries a nonzero such vector (and nothing outside T) iff the rows of N, a
    basis of M's null space, restricted to T are linearly dependent: iff the Gram matrix
    Q = N N^T = I - R R^T (R an orthonormal basis of the row space, from an SVD with numpy's
    default rank tolerance) is singular on T x T. Only minimal such T (circuits: one dependency,
    involving every atom of T) are reported, with their people, when they number
    1..MAX_DIFFERENCE; only atoms of at most MAX_DIFFERENCE people can take part.

    Searched exactly: single atoms (Q_aa = 0) and pairs of atoms anywhere (parallel rows of N,
    found by sorting a random sketch of the normalized rows, then checked on Q). Searched only
    within each set holding at most ATOMS_PER_SET_SEARCHED candidate atoms: triples and quads of
    atoms. A triple or quad whose atoms share no such set (e.g. three atoms in the org only, or
    spread over several large contexts) is not found."""
    atoms = _atoms(sets)
    people = [frozenset(person_of(item) for item in atom) for atom in atoms.values()]
    candidates = [i for i, group in enumerate(people) if 0 < len(group) <= MAX_DIFFERENCE]
    if not candidates:
        return set()
    basis = _row_space(list(atoms), len(sets))
    circuits = _singletons(basis, candidates)
    circuits |= _parallel_pairs(basis, [a for a in candidates if (a,) not in circuits], people)
    circuits |= _small_circuits(basis, list(atoms), candidates, people, circuits)
    found = {frozenset().union(*(people[atom] for atom in circuit)) for circuit in circuits}
    return {group for group in found if 0 < len(group) <= MAX_DIFFERENCE}


def _atoms(sets: Sequence[Collection[Hashable]]) -> dict[tuple[int, ...], list[Hashable]]:
    """Signature (the indices of the sets holding them) -> items."""
    holders: dict[Hashable, list[int]] = defaultdict(list)
    for index, items in enumerate(sets):
        for item in items:
            holders[item].append(index)
    atoms: dict[tuple[int, ...], list[Hashable]] = defaultdict(list)
    for item, indices in holders.items():
        atoms[tuple(indices)].append(item)
    return atoms


def _row_space(signatures: list[tuple[int, ...]], set_count: int) -> npt.NDArray[np.float64]:
    """An orthonormal basis (atoms x rank) of the row space of M (sets x atoms), from the
    eigenvectors of the sets' Gram matrix M M^T (as small as the sets, whatever the atoms),
    ranked with numpy's default tolerance for a Hermitian matrix."""
    columns = [atom for atom, indices in enumerate(signatures) for _ in indices]
    rows = [index for indices in signatures for index in indices]
    matrix = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, columns)), shape=(set_count, len(signatures))
    )
    values, vectors = np.linalg.eigh((matrix @ matrix.T).toarray())
    tolerance = np.abs(values).max(initial=0.0) * set_count * np.finfo(float).eps
    kept = values > tolerance
    basis = matrix.T @ (vectors[:, kept] / np.sqrt(values[kept]))
    return np.asarray(basis, dtype=np.float64)


def _singletons(basis: npt.NDArray[np.float64], candidates: list[int]) -> set[tuple[int, ...]]:
    diagonal = 1.0 - np.einsum("ij,ij->i", basis[candidates], basis[candidates])
    return {(atom,) for atom, q in zip(candidates, diagonal, strict=True) if q < _SINGULAR}


def _parallel_pairs(
    basis: npt.NDArray[np.float64], candidates: list[int], people: Sequence[frozenset[Hashable]]
) -> set[tuple[int, ...]]:
    """Pairs of atoms whose rows of N are parallel. The sketch of a row of N is its product with
    one random vector g over atoms, computed as (Q g)_a = g_a - R_a (R^T g) and divided by the
    row's norm; parallel rows have sketches of equal magnitude, so only neighbours in sorted
    order are compared exactly."""
    if len(candidates) < 2:
        return set()
    rows = basis[candidates]
    direction = np.asarray(np.random.default_rng(0).standard_normal(basis.shape[0]), dtype=float)
    sketch = direction[candidates] - rows @ (basis.T @ direction)
    norms = np.sqrt(1.0 - np.einsum("ij,ij->i", rows, rows))
    keys = np.abs(sketch / norms)
    order = np.argsort(keys)
    pairs: set[tuple[int, ...]] = set()
    for start in range(len(order) - 1):
        one = order[start]
        for other in order[start + 1 :]:
            if keys[other] - keys[one] > _SAME_KEY:
                break
            pair = (candidates[one], candidates[other])
            if len(people[pair[0]] | people[pair[1]]) <= MAX_DIFFERENCE and _is_circuit(
                _gram(basis, pair)
            ):
                pairs.add(tuple(sorted(pair)))
    return pairs


def _small_circuits(
    basis: npt.NDArray[np.float64],
    signatures: list[tuple[int, ...]],
    candidates: list[int],
    people: Sequence[frozenset[Hashable]],
    found: set[tuple[int, ...]],
) -> set[tuple[int, ...]]:
    """Triples and quads of candidate atoms within one set of few candidate atoms."""
    singled = {circuit[0] for circuit in found if len(circuit) == 1}
    in_set: dict[int, list[int]] = defaultdict(list)
    for atom in candidates:
        if atom not in singled:  # a circuit holding it would not be minimal
            for index in signatures[atom]:
                in_set[index].append(atom)
    circuits: set[tuple[int, ...]] = set()
    for size in (3, 4):
        tried = {
            combination
            for atoms in in_set.values()
            if len(atoms) <= ATOMS_PER_SET_SEARCHED
            for combination in combinations(sorted(atoms), size)
            if len(frozenset().union(*(people[atom] for atom in combination))) <= MAX_DIFFERENCE
        }
        circuits |= _circuits_among(basis, sorted(tried))
    return circuits


def _circuits_among(
    basis: npt.NDArray[np.float64], tried: list[tuple[int, ...]]
) -> set[tuple[int, ...]]:
    """The combinations of atoms (all of one size) that are circuits, checked in one batch."""
    if not tried:
        return set()
    rows = basis[np.array(tried)]  # combinations x size x rank
    grams = np.eye(len(tried[0])) - rows @ rows.transpose(0, 2, 1)
    return {
        combination for combination, gram in zip(tried, grams, strict=True) if _is_circuit(gram)
    }


def _gram(basis: npt.NDArray[np.float64], atoms: Sequence[int]) -> npt.NDArray[np.float64]:
    """Q on atoms x atoms: I - R R^T."""
    rows = basis[list(atoms)]
    return np.eye(len(atoms)) - rows @ rows.T


def _is_circuit(gram: npt.NDArray[np.float64]) -> bool:
    return bool(_are_circuits(gram[np.newaxis])[0])


def _are_circuits(grams: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """For each Gram matrix (of a few atoms): exactly one dependency among the atoms (a
    one-dimensional kernel), involving every atom (no smaller set is dependent)."""
    values, vectors = np.linalg.eigh(grams)  # ascending: the kernel comes first
    one_dependency = (values < _SINGULAR).sum(axis=1) == 1
    everyone = np.all(np.abs(vectors[:, :, 0]) > 1e-6, axis=1)
    return np.asarray(one_dependency & everyone)
