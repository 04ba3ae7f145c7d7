"""Read model of the portal's network explorer: who talked with whom in the latest run's window.

SQL only (never Neo4j). Interactions are aggregated per unordered pair, with the number of events
as the weight; self-interactions are ignored. Who is shown follows the roster rule
(`people.roster`) on the last day of the run's window: people employed that day and not opted out
of analytics, and for a context its memberships in force that day; nobody else appears, as a node
or as a partner. A context graph with fewer than MIN_GROUP_SIZE such members, or of a context the
release rule withholds in the run (analytics.release), is withheld. The
layout is computed here, seeded, so the same data always gives the same picture.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import igraph
from django.db.models import Q, QuerySet
from django.urls import reverse

from analytics.models import MiningRun
from analytics.release import MIN_GROUP_SIZE
from analytics.selectors import people_metrics
from people.models import Context, Person
from people.selectors import members_on, present_on, team_names_on
from recognition.models import Interaction
from recognition.selectors import Pair, interactions_in, pair_counts
from web.portal import selectors

MAX_NODES = 300
NODE_METRICS = ("affect_exposure", "betweenness")
LAYOUT_SEED = 20260
LAYOUT_SIZE = 1000.0  # positions lie in [0, LAYOUT_SIZE] on both axes
LAYOUT_ITERATIONS = 500


class NotShown(LookupError):
    """The person asked for is unknown, not employed at the run's end or opted out of analytics."""


@dataclass(frozen=True)
class Node:
    id: int
    label: str
    team: str | None
    affect_exposure: float | None
    betweenness: float | None
    x: float
    y: float
    url: str


@dataclass(frozen=True)
class Edge:
    source: int
    target: int
    weight: int


@dataclass
class Network:
    scope: dict[str, Any]
    run: MiningRun | None
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    withheld: bool = False
    truncated: bool = False
    total_nodes: int = 0

    def as_json(self) -> dict[str, Any]:
        run = self.run
        return {
            "scope": self.scope,
            "run": None
            if run is None
            else {
                "id": run.pk,
                "window_start": run.window_start.isoformat(),
                "window_end": run.window_end.isoformat(),
            },
            "withheld": self.withheld,
            "min_group_size": MIN_GROUP_SIZE,
            "truncated": self.truncated,
            "total_nodes": self.total_nodes,
            "max_nodes": MAX_NODES,
            "nodes": [asdict(node) for node in self.nodes],
            "edges": [asdict(edge) for edge in self.edges],
        }


def shown_people(run: MiningRun | None) -> QuerySet[Person]:
    """The people a graph of the run may show: employed on its end day, not opted out."""
    return present_on(selectors.end_day_of(run))


def shown_members(context: Context, run: MiningRun) -> QuerySet[Person]:
    """The context's members on the run's end day (employed then, not opted out)."""
    return members_on(context, selectors.end_day_of(run))


def interactions_of(run: MiningRun) -> QuerySet[Interaction]:
    return interactions_in(run.window_start, run.window_end)


def context_network(context: Context, run: MiningRun, max_nodes: int = MAX_NODES) -> Network:
    """The context's members on the run's end day and their interactions in the window."""
    scope = {"kind": "context", "id": context.pk, "label": context.key}
    members = shown_members(context, run)
    member_ids = sorted(members.values_list("pk", flat=True))
    if not selectors.shown_context(run, context, len(member_ids)):
        return Network(scope, run, withheld=True)
    counts = pair_counts(
        interactions_of(run).filter(
            source__in=members.values("pk"), target__in=members.values("pk")
        )
    )
    return _network(scope, run, member_ids, counts, max_nodes, keep=None)


def person_network(person_id: int, run: MiningRun, max_nodes: int = MAX_NODES) -> Network:
    """The person, everyone shown they interacted with in the window, and the edges among them."""
    shown = shown_people(run)
    person = shown.filter(pk=person_id).first()
    if person is None:
        raise NotShown(f"person {person_id} is not shown in analytics")
    scope = {"kind": "person", "id": person.pk, "label": person.name, "depth": 1}
    partners = shown.values("pk")
    own = interactions_of(run).filter(
        Q(source=person, target__in=partners) | Q(target=person, source__in=partners)
    )
    people = {person.pk}
    for pair in pair_counts(own):
        people.update(pair)
    around = interactions_of(run).filter(source__in=people, target__in=people)
    return _network(scope, run, sorted(people), pair_counts(around), max_nodes, keep=person.pk)


def _network(
    scope: dict[str, Any],
    run: MiningRun,
    people: list[int],
    counts: Counter[Pair],
    max_nodes: int,
    keep: int | None,
) -> Network:
    kept = _highest_degree(people, counts, max_nodes, keep)
    edges = [Edge(a, b, n) for (a, b), n in sorted(counts.items()) if a in kept and b in kept]
    nodes = _nodes(sorted(kept), edges, run)
    return Network(
        scope, run, nodes, edges, truncated=len(kept) < len(people), total_nodes=len(people)
    )


def _highest_degree(
    people: list[int], counts: Counter[Pair], max_nodes: int, keep: int | None
) -> set[int]:
    """At most `max_nodes` people, those with the most partners first (`keep` always)."""
    if len(people) <= max_nodes:
        return set(people)
    degree: Counter[int] = Counter()
    for a, b in counts:
        degree[a] += 1
        degree[b] += 1
    ranked = sorted(people, key=lambda pk: (pk != keep, -degree[pk], pk))
    return set(ranked[:max_nodes])


def _nodes(people: list[int], edges: list[Edge], run: MiningRun) -> list[Node]:
    names = dict(Person.objects.filter(pk__in=people).values_list("pk", "name"))
    teams = team_names_on(people, selectors.end_day_of(run))
    metrics = people_metrics(run, people, NODE_METRICS)
    positions = layout(people, edges)
    return [
        Node(
            id=pk,
            label=names[pk],
            team=teams.get(pk),
            affect_exposure=metrics.get((pk, "affect_exposure")),
            betweenness=metrics.get((pk, "betweenness")),
            x=positions[pk][0],
            y=positions[pk][1],
            url=reverse("portal:person", args=[pk]),
        )
        for pk in people
    ]


def layout(people: list[int], edges: Iterable[Edge]) -> dict[int, tuple[float, float]]:
    """Seeded Fruchterman-Reingold positions scaled into the layout box."""
    if not people:
        return {}
    index = {pk: i for i, pk in enumerate(people)}
    weighted = [(index[e.source], index[e.target], e.weight) for e in edges]
    graph = igraph.Graph(n=len(people), edges=[(a, b) for a, b, _ in weighted])
    with seeded_igraph(LAYOUT_SEED):
        coords = graph.layout_fruchterman_reingold(
            weights=[w for *_, w in weighted] or None, niter=LAYOUT_ITERATIONS
        ).coords
    return dict(zip(people, _scaled(coords), strict=True))


def _scaled(coords: list[list[float]]) -> list[tuple[float, float]]:
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = LAYOUT_SIZE / span
    return [(round((x - min(xs)) * scale, 2), round((y - min(ys)) * scale, 2)) for x, y in coords]


@contextmanager
def seeded_igraph(seed: int) -> Iterator[None]:
    """igraph draws from one process-wide generator: seed it for the block, then restore the
    default (the `random` module) so that nothing else inherits a predictable stream."""
    igraph.set_random_number_generator(random.Random(seed))  # noqa: S311 (a layout, no secret)
    try:
        yield
    finally:
        igraph.set_random_number_generator(random)
