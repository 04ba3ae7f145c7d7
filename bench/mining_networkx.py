"""The networkx baseline of the mining benchmark: the metrics of a mining run in one process.

    .venv/bin/python bench/mining_networkx.py DATABASE --start EPOCH --end EPOCH
                                              [--params JSON] [--out results.json]

Reads a Sociograph SQLite file directly (no Django, no Neo4j): the people, contexts and
memberships, and the recognitions, follows and interactions of the window start <= t < end
(epoch seconds, as a mining run's window). It computes what the six families of a mining run
compute (analytics/patterns/*.py, definitions in docs/analytics.md) with networkx, and plain
Python or numpy where networkx has no function, reading the SQLite file once and sharing what it
read between the families, as one analyst's process would.

Timed per family like a run's steps (wall seconds from the start of the family to its end,
reading included); peak memory per family is the process's VmHWM, reset before each family
(/proc/self/clear_refs). One line per family, printed as soon as it ends:

    FAMILY <name> <seconds> <peak RSS KiB>

then `DONE <peak RSS KiB of the whole process>`. With --out, the person metrics (by external id,
opted-out people left out as in `export_metrics`), context metrics (by `kind:name`), org metrics
and the number of findings per pattern are written as JSON after the families, for the
benchmark's cross-check.

The baseline writes nothing to SQL (a run's steps store their results); it does compute the
findings, because the run's steps do and the health index needs them.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

BETWEENNESS_EXACT_BELOW, BETWEENNESS_PIVOTS = 20_000, 2_000  # analytics.measures' rule

# The defaults of analytics/patterns/*.py (DEFAULTS), copied: this script imports no Django.
DEFAULTS: dict[str, float] = {
    "broker_top_share": 0.05,
    "narrow_pattern_min_events": 20,
    "narrow_pattern_max_entropy": 0.3,
    "invisible_contributor_percentile": 0.75,
    "ring_min_given": 3,
    "ring_min_share": 0.8,
    "ring_min_recognizers": 2,
    "ring_min_size": 3,
    "ring_max_size": 12,
    "informal_leader_min_followers": 3,
    "single_point_min_share": 0.8,
    "single_point_min_followers": 3,
    "silo_min_members": 5,
    "silo_max_exploration": 0.1,
    "contagion_tau_days": 30.0,
    "negative_contagion_max_exposure": -0.3,
    "negative_contagion_min_people": 3,
}
CONTAGION_WEIGHTS = (1.0, 0.64, 0.37)  # degrees 1, 2, 3 (Fowler & Christakis 2008)
SILO_MIN_MEMBERS = 5  # analytics/patterns/health.py
SECONDS_PER_DAY = 86400
SECONDS_PER_WEEK = 7 * SECONDS_PER_DAY

Pair = tuple[int, int]


@dataclass(frozen=True)
class Person:
    uuid: str
    external_id: str
    active: bool
    opted_out: bool
    manager: int | None


@dataclass(frozen=True)
class Context:
    kind: str
    key: str


@dataclass
class Results:
    """Like a run's stored results; people and contexts by SQL id."""

    person: dict[tuple[int, str], float] = field(default_factory=dict)
    context: dict[tuple[int, str], float] = field(default_factory=dict)
    org: dict[str, float] = field(default_factory=dict)
    # pattern -> one tuple of subject ids per finding, and the finding's context (or None)
    findings: dict[str, list[tuple[tuple[int, ...], int | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def find(self, pattern: str, subjects: Iterable[int], context: int | None = None) -> None:
        self.findings[pattern].append((tuple(subjects), context))


class Baseline:
    """One process, one read of each SQLite table, shared by the families (lazily)."""

    def __init__(self, database: Path, start: int, end: int, params: dict[str, float]) -> None:
        self.db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        self.start, self.end = start, end
        # Django stores an aware datetime in SQLite as naive UTC text, 'YYYY-MM-DD HH:MM:SS[.f]'.
        # Neo4j holds epoch seconds (truncated), so ts >= start <=> text >= start's text, and
        # ts < end <=> text < end's text.
        self.start_text, self.end_text = sql_time(start), sql_time(end)
        self.settings = {**DEFAULTS, **params}
        self.results = Results()
        self._cache: dict[str, Any] = {}

    def cached(self, name: str, load: Callable[[], Any]) -> Any:
        if name not in self._cache:
            self._cache[name] = load()
        return self._cache[name]

    # --- Reads -----------------------------------------------------------------------------------

    @property
    def people(self) -> dict[int, Person]:
        people: dict[int, Person] = self.cached("people", self._read_people)
        return people

    def _read_people(self) -> dict[int, Person]:
        rows = self.db.execute(
            "SELECT id, uuid, external_id, is_active, analytics_opt_out, manager_id "
            "FROM people_person"
        )
        return {
            pk: Person(uuid, external_id, bool(active), bool(opted_out), manager)
            for pk, uuid, external_id, active, opted_out, manager in rows
        }

    @property
    def opted_out(self) -> set[int]:
        opted: set[int] = self.cached(
            "opted_out", lambda: {pk for pk, p in self.people.items() if p.opted_out}
        )
        return opted

    @property
    def active(self) -> list[int]:
        """Active people who did not opt out, in uuid order (as the run reads them)."""
        active: list[int] = self.cached(
            "active",
            lambda: sorted(
                (pk for pk, p in self.people.items() if p.active and not p.opted_out),
                key=lambda pk: self.people[pk].uuid,
            ),
        )
        return active

    @property
    def interactions(self) -> list[tuple[int, int, int, float | None]]:
        """(source, target, epoch seconds, affect) of the window, opted-out people left out."""
        rows: list[tuple[int, int, int, float | None]] = self.cached(
            "interactions", lambda: self._events("recognition_interaction", "source_id, target_id")
        )
        return rows

    @property
    def recognitions(self) -> list[tuple[int, int, int, float | None, int | None]]:
        """(giver, receiver, epoch seconds, affect, context) of the window, opted-out left out."""
        rows: list[tuple[int, int, int, float | None, int | None]] = self.cached(
            "recognitions",
            lambda: self._events("recognition_recognition", "giver_id, receiver_id", "context_id"),
        )
        return rows

    def _events(self, table: str, ends: str, extra: str = "") -> list[Any]:
        opted = self.opted_out
        columns = f"{ends}, CAST(strftime('%s', at) AS INTEGER), affect"
        if extra:
            columns += f", {extra}"
        rows = self.db.execute(
            f"SELECT {columns} FROM {table} WHERE at >= ? AND at < ?",  # noqa: S608 - fixed names
            (self.start_text, self.end_text),
        )
        return [row for row in rows if row[0] not in opted and row[1] not in opted]

    @property
    def follows(self) -> list[tuple[int, int, int]]:
        """(follower, leader, context) of the follows in force in the window, no opted-out."""
        rows: list[tuple[int, int, int]] = self.cached("follows", self._read_follows)
        return rows

    def _read_follows(self) -> list[tuple[int, int, int]]:
        opted = self.opted_out
        rows = self.db.execute(
            "SELECT follower_id, leader_id, context_id FROM recognition_follow "
            "WHERE since < ? AND (until IS NULL OR until >= ?)",
            (self.end_text, self.start_text),
        )
        return [
            (follower, leader, context)
            for follower, leader, context in rows
            if follower != leader and follower not in opted and leader not in opted
        ]

    @property
    def arcs(self) -> Counter[Pair]:
        """The arcs of G with their event counts (self-loops left out)."""
        arcs: Counter[Pair] = self.cached(
            "arcs", lambda: Counter((s, t) for s, t, _, _ in self.interactions if s != t)
        )
        return arcs

    @property
    def graph(self) -> nx.Graph:
        """G undirected and simple, over the active people."""

        def build() -> nx.Graph:
            graph = nx.Graph()
            graph.add_nodes_from(self.active)
            members = set(self.active)
            graph.add_edges_from((s, t) for s, t in self.arcs if s in members and t in members)
            return graph

        graph: nx.Graph = self.cached("graph", build)
        return graph

    @property
    def events_of(self) -> Counter[int]:
        """Interaction events with the person at either end."""

        def count() -> Counter[int]:
            events: Counter[int] = Counter()
            for (source, target), n in self.arcs.items():
                events[source] += n
                events[target] += n
            return events

        events: Counter[int] = self.cached("events_of", count)
        return events

    @property
    def contexts(self) -> dict[int, Context]:
        contexts: dict[int, Context] = self.cached(
            "contexts",
            lambda: {
                pk: Context(kind, f"{kind}:{name}")
                for pk, kind, name in self.db.execute("SELECT id, kind, name FROM people_context")
            },
        )
        return contexts

    @property
    def members(self) -> dict[int, set[int]]:
        """Context -> its active members who did not opt out (contexts without any left out)."""

        def read() -> dict[int, set[int]]:
            active = set(self.active)
            members: dict[int, set[int]] = defaultdict(set)
            for person, context in self.db.execute(
                "SELECT person_id, context_id FROM people_membership"
            ):
                if person in active:
                    members[context].add(person)
            return dict(members)

        members: dict[int, set[int]] = self.cached("members", read)
        return members

    # --- The families ----------------------------------------------------------------------------

    def communication(self) -> None:
        result, arcs = self.results, self.arcs
        directed = nx.DiGraph()
        directed.add_edges_from(arcs)
        for person in directed:
            outs, ins = directed.succ[person], directed.pred[person]
            result.person[person, "out_degree"] = len(outs)
            result.person[person, "in_degree"] = len(ins)
            if outs:
                result.person[person, "reciprocity"] = len(outs.keys() & ins.keys()) / len(outs)
        if arcs:
            result.org["reciprocity"] = nx.overall_reciprocity(directed)
        events_with: dict[int, Counter[int]] = defaultdict(Counter)
        for (source, target), events in arcs.items():
            events_with[source][target] += events
            events_with[target][source] += events
        for person, partners in events_with.items():
            result.person[person, "partner_entropy"] = normalized_entropy(partners.values())
        graph = self.graph
        # As analytics.measures: exact below 20,000 people, else the same number of pivots.
        n = graph.number_of_nodes()
        pivots = None if n < BETWEENNESS_EXACT_BELOW else BETWEENNESS_PIVOTS
        estimate = nx.betweenness_centrality(graph, k=pivots, normalized=True, seed=0)
        for person, value in estimate.items():
            result.person[person, "betweenness"] = value
        for person, value in nx.constraint(graph).items():
            if graph.degree(person):
                result.person[person, "constraint"] = value
        times: dict[int, list[int]] = defaultdict(list)
        for source, target, ts, _ in self.interactions:
            if source != target:
                times[source].append(ts)
                times[target].append(ts)
        for person, stamps in times.items():
            value = burstiness(stamps)
            if value is not None:
                result.person[person, "burstiness"] = value
        self._brokers()
        self._narrow_patterns()

    def _brokers(self) -> None:
        result = self.results
        betweenness = metric(result, "betweenness")
        constraint = metric(result, "constraint")
        if not betweenness or not constraint:
            return
        cut = percentile(list(betweenness.values()), 1 - self.settings["broker_top_share"])
        median = statistics.median(constraint.values())
        for person in self.active:
            score = betweenness.get(person, 0.0)
            if score > 0 and score >= cut and constraint.get(person, median) < median:
                result.find("broker", (person,))

    def _narrow_patterns(self) -> None:
        events = self.events_of
        for person, entropy in metric(self.results, "partner_entropy").items():
            if (
                events[person] >= self.settings["narrow_pattern_min_events"]
                and entropy < self.settings["narrow_pattern_max_entropy"]
            ):
                self.results.find("narrow_pattern", (person,))

    def recognition(self) -> None:
        result, settings = self.results, self.settings
        received: Counter[int] = Counter()
        given: Counter[int] = Counter()
        pairs: Counter[Pair] = Counter()
        for giver, receiver, _, _, _ in self.recognitions:
            if giver != receiver:
                received[receiver] += 1
                given[giver] += 1
                pairs[giver, receiver] += 1
        for ring in recognition_rings(
            pairs,
            min_given=int(settings["ring_min_given"]),
            min_share=settings["ring_min_share"],
            min_recognizers=int(settings["ring_min_recognizers"]),
            sizes=(int(settings["ring_min_size"]), int(settings["ring_max_size"])),
        ):
            result.find("recognition_ring", ring)
        people = self.active
        for person in people:
            result.person[person, "recognition_received"] = received[person]
            result.person[person, "recognition_given"] = given[person]
        events, threshold = self.events_of, 0.0
        if people:
            counts = [float(received[person]) for person in people]
            equity = gini(counts)
            if equity is not None:
                result.org["recognition_gini"] = equity
            result.org["never_recognized_share"] = sum(1 for c in counts if c == 0) / len(people)
            result.org["people"] = len(people)
            share = settings["invisible_contributor_percentile"]
            threshold = percentile([float(events[p]) for p in people], share)
        for person in people:
            if not received[person]:
                if not events[person]:
                    result.find("isolation", (person,))
                elif events[person] >= threshold:
                    result.find("invisible_contributor", (person,))

    def leadership(self) -> None:
        result, settings, people = self.results, self.settings, self.people
        follows = nx.DiGraph()  # follower -> leader, once per pair whatever the contexts
        follows.add_edges_from((follower, leader) for follower, leader, _ in self.follows)
        for follower, leaders in follows.out_degree():
            if leaders and people[follower].active:
                result.person[follower, "leader_count"] = leaders
                if leaders == 1:
                    result.find("attention_blindness", (follower,))
        managers = {p.manager for p in people.values() if p.manager is not None}
        for leader, followers in follows.in_degree():
            if leader not in managers and followers >= settings["informal_leader_min_followers"]:
                result.find("informal_leader", (leader,))
        reports: dict[int, list[int]] = defaultdict(list)
        for pk, person in people.items():
            manager = person.manager
            if manager is not None and not person.opted_out and not people[manager].opted_out:
                reports[manager].append(pk)
        recognized = {(giver, receiver) for giver, receiver, _, _, _ in self.recognitions}
        for manager, team in reports.items():
            if not any(
                follows.has_edge(report, manager) or (report, manager) in recognized
                for report in team
            ):
                result.find("unrecognized_formal_leader", (manager,))
        made: Counter[int] = Counter()  # follows made in each context
        to_leader: Counter[Pair] = Counter()  # (context, leader) -> follows
        followers_of: dict[Pair, set[int]] = defaultdict(set)
        for follower, leader, context in self.follows:
            made[context] += 1
            to_leader[context, leader] += 1
            followers_of[context, leader].add(follower)
        for (context, leader), count in to_leader.items():
            if (
                len(followers_of[context, leader]) >= settings["single_point_min_followers"]
                and count / made[context] >= settings["single_point_min_share"]
            ):
                result.find("single_point_leader", (leader,), context)

    def contexts_family(self) -> None:
        result, members, arcs = self.results, self.members, self.arcs
        weeks = max((self.end - self.start) / SECONDS_PER_WEEK, 1e-9)
        contexts_of: dict[int, set[int]] = defaultdict(set)
        for context, people in members.items():
            for person in people:
                contexts_of[person].add(context)
        tallies = {context: Tally() for context in members}
        no_context: set[int] = set()
        for (source, target), events in arcs.items():
            for context in contexts_of.get(source, no_context) | contexts_of.get(
                target, no_context
            ):
                inside = members[context]
                tallies[context].add(source in inside, target in inside, source, target, events)
        for context, tally in tallies.items():
            people = members[context]
            size = len(people)
            result.context[context, "size"] = size
            result.context[context, "energy"] = tally.inside_events / size / weeks
            inequality = gini([float(tally.events_of[member]) for member in people])
            if inequality is not None:
                result.context[context, "engagement"] = 1 - inequality
            if tally.touching_events:
                result.context[context, "exploration"] = (
                    tally.crossing_events / tally.touching_events
                )
            if tally.inside_arcs + tally.leaving_arcs:
                result.context[context, "ei_index"] = (tally.leaving_arcs - tally.inside_arcs) / (
                    tally.leaving_arcs + tally.inside_arcs
                )
        follows: dict[int, set[Pair]] = defaultdict(set)
        for follower, leader, context in self.follows:
            follows[context].add((follower, leader))
        received: dict[int, Counter[int]] = defaultdict(Counter)
        for _, receiver, _, _, where in self.recognitions:
            if where is not None:
                received[where][receiver] += 1
        for context, people in members.items():
            result.context[context, "leadership_centralization"] = in_degree_centralization(
                people, follows.get(context, set())
            )
            counts = received.get(context, Counter())
            equity = gini([float(counts[person]) for person in people])
            if equity is not None:
                result.context[context, "recognition_gini"] = equity
        self._org_contexts()
        for context, people in members.items():
            exploration = result.context.get((context, "exploration"))
            if (
                len(people) >= self.settings["silo_min_members"]
                and exploration is not None
                and exploration < self.settings["silo_max_exploration"]
            ):
                result.find("silo", (), context)

    def _org_contexts(self) -> None:
        teams: dict[str, set[int]] = {}
        for context, people in self.members.items():
            if self.contexts[context].kind == "team":
                teams[self.contexts[context].key] = people
        team_of: dict[int, set[str]] = defaultdict(set)
        for team, people in teams.items():
            for person in people:
                team_of[person].add(team)
        external = internal = 0
        for source, target in self.arcs:
            if not team_of.get(source):
                continue
            if team_of[source] & team_of.get(target, set()):
                internal += 1
            else:
                external += 1
        if external + internal:
            self.results.org["ei_index"] = (external - internal) / (external + internal)
        graph = self.graph
        if graph.number_of_edges():
            communities: dict[str, set[int]] = defaultdict(set)
            for person in graph:
                teams_of = sorted(team_of.get(person, set()))
                communities[teams_of[0] if teams_of else f"__alone__{person}"].add(person)
            self.results.org["modularity_of_teams"] = nx.community.modularity(
                graph, communities.values()
            )

    def contagion(self) -> None:
        result, graph, settings = self.results, self.graph, self.settings
        tau = settings["contagion_tau_days"] * SECONDS_PER_DAY
        weighted: dict[int, float] = defaultdict(float)
        weights: dict[int, float] = defaultdict(float)
        events: Iterable[tuple[int, int, int, float | None]] = chain(
            ((giver, receiver, ts, affect) for giver, receiver, ts, affect, _ in self.recognitions),
            self.interactions,
        )
        for a, b, ts, affect in events:
            if affect is None or a == b:
                continue
            weight = math.exp(-(self.end - ts) / tau)
            for person in (a, b):
                weighted[person] += affect * weight
                weights[person] += weight
        affect_of = {p: weighted[p] / w for p, w in weights.items() if w > 0}
        exposure: dict[int, float] = {}
        for person in graph:
            sums = [0.0] * len(CONTAGION_WEIGHTS)
            counts = [0] * len(CONTAGION_WEIGHTS)
            distances = nx.single_source_shortest_path_length(
                graph, person, cutoff=len(CONTAGION_WEIGHTS)
            )
            for other, distance in distances.items():
                if distance and other in affect_of:
                    sums[distance - 1] += affect_of[other]
                    counts[distance - 1] += 1
            if any(counts):
                exposure[person] = sum(
                    w * s / c for w, s, c in zip(CONTAGION_WEIGHTS, sums, counts, strict=True) if c
                )
        for person, value in exposure.items():
            result.person[person, "affect_exposure"] = value
        if affect_of:
            result.org["mean_affect"] = sum(affect_of.values()) / len(affect_of)
        low = [
            p
            for p in graph
            if p in exposure and exposure[p] <= settings["negative_contagion_max_exposure"]
        ]
        for group in nx.connected_components(graph.subgraph(low)):
            if len(group) >= settings["negative_contagion_min_people"]:
                result.find("negative_contagion", sorted(group))

    def health(self) -> None:
        result = self.results
        org = result.org
        people = org.get("people", 0.0)
        teams = {c for c, context in self.contexts.items() if context.kind == "team"}

        def team_values(name: str) -> list[float]:
            return [v for (c, m), v in result.context.items() if m == name and c in teams]

        def flagged(pattern: str) -> int:
            return len({s for subjects, _ in result.findings.get(pattern, []) for s in subjects})

        leaders = sum(1 for (_, m), v in result.person.items() if m == "leader_count" and v >= 2)
        big_teams = sum(1 for size in team_values("size") if size >= SILO_MIN_MEMBERS)
        exploration, engagement = team_values("exploration"), team_values("engagement")
        silos = sum(1 for _, context in result.findings.get("silo", []) if context in teams)
        found: dict[str, dict[str, float | None]] = {
            "viability": {
                "reciprocity": org.get("reciprocity"),
                "connectedness": 1 - flagged("isolation") / people if people else None,
                "leadership_coverage": leaders / people if people else None,
                "recognition_reach": 1 - org["never_recognized_share"]
                if "never_recognized_share" in org
                else None,
            },
            "agility": {
                "boundary_spanning": (org["ei_index"] + 1) / 2 if "ei_index" in org else None,
                "exploration": statistics.mean(exploration) if exploration else None,
                "openness": 1 - clip(org["modularity_of_teams"])
                if "modularity_of_teams" in org
                else None,
                "silo_free": 1 - silos / big_teams if big_teams else None,
            },
            "wellbeing": {
                "affect": (org["mean_affect"] + 1) / 2 if "mean_affect" in org else None,
                "engagement": statistics.mean(engagement) if engagement else None,
                "recognition_equity": 1 - org["recognition_gini"]
                if "recognition_gini" in org
                else None,
                "contagion_free": 1 - flagged("negative_contagion") / people if people else None,
            },
        }
        for dimension, parts in found.items():
            kept = {name: clip(value) for name, value in parts.items() if value is not None}
            for name, value in kept.items():
                org[f"{dimension}.{name}"] = value
            if kept:
                org[dimension] = 100 * statistics.mean(kept.values())

    # --- Output ----------------------------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        """The results as `export_metrics --include-small-groups` names them."""
        people, contexts, result = self.people, self.contexts, self.results
        metrics: list[tuple[str, str, str, float]] = [
            ("person", people[pk].external_id, name, float(value))
            for (pk, name), value in result.person.items()
            if not people[pk].opted_out
        ]
        metrics += [
            ("context", contexts[pk].key, name, float(value))
            for (pk, name), value in result.context.items()
        ]
        metrics += [("org", "org", name, float(value)) for name, value in result.org.items()]
        findings = {pattern: len(found) for pattern, found in result.findings.items()}
        return {"metrics": metrics, "findings": findings}


class Tally:
    """Interaction counts of one context, accumulated arc by arc."""

    __slots__ = (
        "crossing_events",
        "events_of",
        "inside_arcs",
        "inside_events",
        "leaving_arcs",
        "touching_events",
    )

    def __init__(self) -> None:
        self.inside_events = self.touching_events = self.crossing_events = 0
        self.inside_arcs = self.leaving_arcs = 0
        self.events_of: Counter[int] = Counter()

    def add(self, source_in: bool, target_in: bool, source: int, target: int, events: int) -> None:
        self.touching_events += events
        if source_in and target_in:
            self.inside_events += events
            self.inside_arcs += 1
            self.events_of[source] += events
            self.events_of[target] += events
        else:
            self.crossing_events += events
            if source_in:
                self.leaving_arcs += 1


# --- Measures (plain Python / numpy: networkx has no function for these) --------------------------


def sql_time(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")


def metric(result: Results, name: str) -> dict[int, float]:
    return {person: value for (person, m), value in result.person.items() if m == name}


def clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def normalized_entropy(counts: Iterable[int]) -> float:
    values = np.array([c for c in counts if c > 0], dtype=float)
    if values.size < 2:
        return 0.0
    shares = values / values.sum()
    return float(-(shares * np.log(shares)).sum() / math.log(values.size))


def burstiness(times: Sequence[int]) -> float | None:
    instants = np.unique(np.asarray(times, dtype=float))  # sorted, repeated timestamps once
    if instants.size < 3:
        return None
    gaps = np.diff(instants)
    mean, sigma = gaps.mean(), gaps.std()
    if sigma + mean == 0:
        return None
    return float((sigma - mean) / (sigma + mean))


def gini(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = np.sort(np.asarray(values, dtype=float))
    total = ordered.sum()
    if total == 0:
        return None
    n = ordered.size
    ranks = np.arange(1, n + 1)
    return float(2 * (ranks * ordered).sum() / (n * total) - (n + 1) / n)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def in_degree_centralization(members: set[int], arcs: set[Pair]) -> float:
    n = len(members)
    if n < 2:
        return 0.0
    in_degree = dict.fromkeys(members, 0)
    for follower, leader in arcs:
        if follower in members and leader in members:
            in_degree[leader] += 1
    top = max(in_degree.values())
    return sum(top - degree for degree in in_degree.values()) / ((n - 1) ** 2)


def recognition_rings(
    given: Counter[Pair],
    min_given: int,
    min_share: float,
    min_recognizers: int,
    sizes: tuple[int, int],
) -> list[list[int]]:
    """The rule of `recognition_ring` (docs/analytics.md) with networkx's weak components."""
    total: Counter[int] = Counter()
    for (giver, _), count in given.items():
        total[giver] += count
    recognitions = nx.DiGraph()
    recognitions.add_weighted_edges_from((g, r, n) for (g, r), n in given.items() if g != r)

    def components(people: Iterable[int]) -> list[set[int]]:
        graph = nx.DiGraph(recognitions.subgraph(people))
        graph.add_nodes_from(people)
        return [set(part) for part in nx.weakly_connected_components(graph)]

    pending = components(g for g, n in total.items() if n >= min_given)
    rings: list[list[int]] = []
    while pending:
        group = pending.pop()
        kept = set(group)
        while True:
            failing = {
                person
                for person in kept
                if sum(
                    d["weight"] for other, d in recognitions.succ[person].items() if other in kept
                )
                < min_share * total[person]
                or sum(1 for other in recognitions.pred[person] if other in kept) < min_recognizers
            }
            if not failing:
                break
            kept -= failing
        if kept != group:
            pending.extend(components(kept))
        elif sizes[0] <= len(kept) <= sizes[1]:
            rings.append(sorted(kept))
    return rings


# --- Process -------------------------------------------------------------------------------------


def high_water_kib() -> int:
    status = Path("/proc/self/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) if match else 0


def reset_high_water() -> None:
    """Start VmHWM again from the current RSS (Linux: /proc/self/clear_refs, value 5)."""
    Path("/proc/self/clear_refs").write_text("5")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("database", type=Path)
    parser.add_argument("--start", type=int, required=True, help="window start, epoch seconds")
    parser.add_argument("--end", type=int, required=True, help="window end, epoch seconds")
    parser.add_argument("--params", default="{}", help="a run's params (JSON), over the defaults")
    parser.add_argument("--out", type=Path, help="write the results here (JSON)")
    args = parser.parse_args(argv)
    params = {k: float(v) for k, v in json.loads(args.params).items() if k in DEFAULTS}
    baseline = Baseline(args.database, args.start, args.end, params)
    families: tuple[tuple[str, Callable[[], None]], ...] = (
        ("communication", baseline.communication),
        ("recognition", baseline.recognition),
        ("leadership", baseline.leadership),
        ("contexts", baseline.contexts_family),
        ("contagion", baseline.contagion),
        ("health", baseline.health),  # last: built on the results of the others
    )
    overall = 0
    for name, compute in families:
        overall = max(overall, high_water_kib())
        reset_high_water()
        started = time.monotonic()
        compute()
        seconds = time.monotonic() - started
        peak = high_water_kib()
        overall = max(overall, peak)
        print(f"FAMILY {name} {seconds:.3f} {peak}", flush=True)
    if args.out:
        args.out.write_text(json.dumps(baseline.export()))
    print(f"DONE {max(overall, high_water_kib())}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
