"""The networkx baseline of the mining benchmark: the metrics of a mining run in one process.

    .venv/bin/python bench/mining_networkx.py DATABASE --start EPOCH --end EPOCH
                                              [--params JSON] [--out results.json]

Reads a Sociograph SQLite file directly (no Django, no Neo4j): the people (with their employment
dates), contexts and membership periods, the follows in force at the window's end, and the
recognitions and interactions of the window start <= t < end (epoch seconds, as a mining run's
window). It computes what the six families of a mining run compute (analytics/patterns/*.py,
definitions in docs/analytics.md, "Who counts, and when" included) with networkx, and plain
Python or numpy where networkx has no function, reading the SQLite file once and sharing what it
read between the families, as one analyst's process would. It imports nothing of
analytics.patterns or people.roster: the roster (who was employed, present at the window's end, a
member during the window or at its end) is rebuilt here from the SQL rows. The one exception is
the three null-model tests (negative_contagion, recognition_ring, silo), whose pure functions in
analytics/nullmodels.py *are* their definition (seeded permutations and rewirings): the baseline
calls them on inputs it built itself.

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
import sqlite3
import statistics
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import igraph
import networkx as nx
import numpy as np
from harness import ROOT, high_water_kib, reset_high_water

sys.path.insert(0, str(ROOT))  # for analytics.nullmodels (pure: no Django, no Neo4j)

from analytics import nullmodels

BETWEENNESS_EXACT_BELOW, BETWEENNESS_PIVOTS = 20_000, 2_000  # analytics.measures' rule

# The defaults of analytics/patterns/*.py (DEFAULTS), copied: this script imports no Django.
# The null models' defaults are nullmodels' own constants, as the families use them.
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
    "ring_rewirings": nullmodels.DEFAULT_PERMUTATIONS,
    "ring_alpha": nullmodels.DEFAULT_ALPHA,
    "ring_seed": 0,
    "informal_leader_min_followers": 3,
    "single_point_min_share": 0.8,
    "single_point_min_followers": 3,
    "silo_min_members": 5,
    "silo_max_exploration": nullmodels.SILO_MAX_EXPLORATION,
    "silo_alpha": nullmodels.DEFAULT_ALPHA,
    "contagion_tau_days": 30.0,
    "negative_contagion_min_people": 3,
    "negative_contagion_min_effect": 3.0,
    "negative_contagion_permutations": nullmodels.DEFAULT_PERMUTATIONS,
    "negative_contagion_alpha": nullmodels.DEFAULT_ALPHA,
    "negative_contagion_seed": 0,
}
CONTAGION_WEIGHTS = (1.0, 0.64, 0.37)  # degrees 1, 2, 3 (Fowler & Christakis 2008)
MIN_PEOPLE_FOR_SHARES = 5  # analytics/patterns/leadership.py: single_leader_share
SECONDS_PER_DAY = 86400
SECONDS_PER_WEEK = 7 * SECONDS_PER_DAY

Pair = tuple[int, int]


@dataclass(frozen=True)
class Person:
    uuid: str  # as Neo4j holds it (dashed), so that orders and seeded draws match the run's
    external_id: str
    active: bool
    opted_out: bool
    manager: int | None
    joined_on: date | None
    left_on: date | None


@dataclass(frozen=True)
class Context:
    kind: str
    key: str
    uuid: str


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


@dataclass(frozen=True)
class Roster:
    """Who counts in the window (docs/analytics.md, "Who counts, and when"), by SQL id."""

    present: frozenset[int]  # employed on the window's last day, not opted out
    employed: frozenset[int]  # employed on some day of the window, not opted out
    members_in_window: dict[int, set[int]]  # context -> members at any time of the window
    members_at_end: dict[int, set[int]]  # context -> members present on the last day


class Baseline:
    """One process, one read of each SQLite table, shared by the families (lazily)."""

    def __init__(self, database: Path, start: int, end: int, params: dict[str, float]) -> None:
        self.db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        self.start, self.end = start, end
        # Django stores an aware datetime in SQLite as naive UTC text, 'YYYY-MM-DD HH:MM:SS[.f]'.
        # Neo4j holds epoch seconds (truncated), so ts >= start <=> text >= start's text, and
        # ts < end <=> text < end's text (likewise a follow's since and until against the end).
        self.start_text, self.end_text = sql_time(start), sql_time(end)
        # The window's days: those of start to end - 1 s, UTC.
        self.first_day = datetime.fromtimestamp(start, UTC).date()
        self.last_day = datetime.fromtimestamp(max(start, end - 1), UTC).date()
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
            "SELECT id, uuid, external_id, is_active, analytics_opt_out, manager_id, joined_on, "
            "left_on FROM people_person"
        )
        return {
            pk: Person(
                str(uuid.UUID(text)),
                external_id,
                bool(active),
                bool(opted_out),
                manager,
                as_date(joined),
                as_date(left),
            )
            for pk, text, external_id, active, opted_out, manager, joined, left in rows
        }

    @property
    def opted_out(self) -> set[int]:
        opted: set[int] = self.cached(
            "opted_out", lambda: {pk for pk, p in self.people.items() if p.opted_out}
        )
        return opted

    @property
    def roster(self) -> Roster:
        roster: Roster = self.cached("roster", self._read_roster)
        return roster

    def _read_roster(self) -> Roster:
        first, last = self.first_day, self.last_day
        spans: dict[int, tuple[date, date]] = {}
        for pk, person in self.people.items():
            if person.opted_out:
                continue
            if person.left_on is None and not person.active:
                continue  # inactive without a date: left at an unknown date, employed no day
            lo = first if person.joined_on is None else max(first, person.joined_on)
            hi = last if person.left_on is None else min(last, person.left_on - timedelta(days=1))
            if lo <= hi:
                spans[pk] = (lo, hi)
        present = {pk for pk, (_, hi) in spans.items() if hi == last}
        during: dict[int, set[int]] = defaultdict(set)
        at_end: dict[int, set[int]] = defaultdict(set)
        for person, context, since, until in self.db.execute(
            "SELECT person_id, context_id, since, until FROM people_membership"
        ):
            span = spans.get(person)
            if span is None:
                continue
            begins, ends = as_date(since), as_date(until)
            if (begins is None or begins <= span[1]) and (ends is None or ends >= span[0]):
                during[context].add(person)
                if (
                    person in present
                    and (begins is None or begins <= last)
                    and (ends is None or ends >= last)
                ):
                    at_end[context].add(person)
        return Roster(frozenset(present), frozenset(spans), dict(during), dict(at_end))

    @property
    def present(self) -> list[int]:
        """The people present at the window's end, in uuid order (as the run sorts them)."""
        present: list[int] = self.cached(
            "present", lambda: sorted(self.roster.present, key=lambda pk: self.people[pk].uuid)
        )
        return present

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
    def follows(self) -> set[tuple[int, int, int]]:
        """Distinct (follower, leader, context) of the follows in force at the window's end
        (since < end, until empty or >= end) between two people present then."""
        rows: set[tuple[int, int, int]] = self.cached("follows", self._read_follows)
        return rows

    def _read_follows(self) -> set[tuple[int, int, int]]:
        present = self.roster.present
        rows = self.db.execute(
            "SELECT follower_id, leader_id, context_id FROM recognition_follow "
            "WHERE since < ? AND (until IS NULL OR until >= ?)",
            (self.end_text, self.end_text),
        )
        return {
            (follower, leader, context)
            for follower, leader, context in rows
            if follower != leader and follower in present and leader in present
        }

    @property
    def arcs(self) -> Counter[Pair]:
        """The arcs of G with their event counts: self-loops left out, both ends employed on
        some day of the window (a departure without a date is employed on none)."""

        def build() -> Counter[Pair]:
            employed = self.roster.employed
            return Counter(
                (s, t)
                for s, t, _, _ in self.interactions
                if s != t and s in employed and t in employed
            )

        arcs: Counter[Pair] = self.cached("arcs", build)
        return arcs

    @property
    def nodes(self) -> list[int]:
        """G's nodes in uuid order: the people present and everyone else employed during the
        window who took part in one of its interactions."""

        def build() -> list[int]:
            people = set(self.roster.present)
            for source, target in self.arcs:
                people.update((source, target))
            return sorted(people, key=lambda pk: self.people[pk].uuid)

        nodes: list[int] = self.cached("nodes", build)
        return nodes

    @property
    def graph(self) -> nx.Graph:
        """G undirected and simple, over its nodes."""

        def build() -> nx.Graph:
            graph = nx.Graph()
            graph.add_nodes_from(self.nodes)
            graph.add_edges_from(self.arcs)
            return graph

        graph: nx.Graph = self.cached("graph", build)
        return graph

    @property
    def events_of(self) -> Counter[int]:
        """Interaction events (arcs of G) with the person at either end."""

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
                pk: Context(kind, f"{kind}:{name}", str(uuid.UUID(text)))
                for pk, kind, name, text in self.db.execute(
                    "SELECT id, kind, name, uuid FROM people_context"
                )
            },
        )
        return contexts

    # --- The families ----------------------------------------------------------------------------

    def communication(self) -> None:
        result, arcs, present = self.results, self.arcs, self.roster.present
        directed = nx.DiGraph()
        directed.add_nodes_from(present)
        directed.add_edges_from(arcs)
        for person in present:
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
        for person in present:
            result.person[person, "partner_entropy"] = normalized_entropy(
                events_with.get(person, Counter()).values()
            )
        graph = self.graph
        # As analytics.measures: exact below 20,000 nodes, else the same number of pivots.
        n = graph.number_of_nodes()
        pivots = None if n < BETWEENNESS_EXACT_BELOW else BETWEENNESS_PIVOTS
        estimate = nx.betweenness_centrality(graph, k=pivots, normalized=True, seed=0)
        for person in present:
            result.person[person, "betweenness"] = estimate[person]
        for person, value in nx.constraint(graph, nodes=present).items():
            if graph.degree(person):
                result.person[person, "constraint"] = value
        # Every interaction of the window (its partner need not have been employed), as the
        # run's EVENT_TIMES reads them.
        times: dict[int, list[int]] = defaultdict(list)
        for source, target, ts, _ in self.interactions:
            if source != target:
                times[source].append(ts)
                times[target].append(ts)
        for person, stamps in times.items():
            if person not in present:
                continue
            value = burstiness(stamps)
            if value is not None:
                result.person[person, "burstiness"] = value
            corrected = burstiness_corrected(stamps)
            if corrected is not None:
                result.person[person, "burstiness_corrected"] = corrected
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
        for person in self.present:
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
        result, settings, present = self.results, self.settings, self.roster.present
        received: Counter[int] = Counter()
        given: Counter[int] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()  # between present people, by uuid
        uuid_of = {pk: self.people[pk].uuid for pk in present}
        for giver, receiver, _, _, _ in self.recognitions:
            if giver == receiver:
                continue
            # Recognitions of people who left (or were employed on no day) count for the others.
            received[receiver] += 1
            given[giver] += 1
            if giver in present and receiver in present:
                pairs[uuid_of[giver], uuid_of[receiver]] += 1
        # The ring search and its rewiring test are analytics.nullmodels' (the definition of the
        # finding); its p-values depend on the order of `pairs`, which the run takes from Neo4j:
        # sorted here, so a ring at the edge of alpha could differ, not a ring well inside it.
        tests = nullmodels.recognition_ring_tests(
            dict(sorted(pairs.items())),
            nullmodels.RingRules(
                min_given=int(settings["ring_min_given"]),
                min_share=settings["ring_min_share"],
                min_recognizers=int(settings["ring_min_recognizers"]),
                sizes=(int(settings["ring_min_size"]), int(settings["ring_max_size"])),
            ),
            rewirings=int(settings["ring_rewirings"]),
            alpha=float(settings["ring_alpha"]),
            seed=int(settings["ring_seed"]),
        )
        by_uuid = {text: pk for pk, text in uuid_of.items()}
        for ring in tests:
            if ring.fires:
                result.find("recognition_ring", sorted(by_uuid[m] for m in ring.members))
        people = self.present
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
        present = self.roster.present
        follows = nx.DiGraph()  # follower -> leader, once per pair whatever the contexts
        follows.add_edges_from((follower, leader) for follower, leader, _ in self.follows)
        single = 0
        for follower, leaders in follows.out_degree():
            if leaders:
                result.person[follower, "leader_count"] = leaders
                if leaders == 1:
                    single += 1
                    result.find("attention_blindness", (follower,))
        if len(present) >= MIN_PEOPLE_FOR_SHARES:
            result.org["single_leader_share"] = single / len(present)
        reports: dict[int, set[int]] = defaultdict(set)  # present manager -> present reports
        for pk in present:
            manager = people[pk].manager
            if manager is not None and manager != pk and manager in present:
                reports[manager].add(pk)
        for leader, followers in follows.in_degree():
            if followers >= settings["informal_leader_min_followers"] and not reports.get(leader):
                result.find("informal_leader", (leader,))
        recognized = {(giver, receiver) for giver, receiver, _, _, _ in self.recognitions}
        for manager, team in reports.items():
            if not any(
                follows.has_edge(report, manager) or (report, manager) in recognized
                for report in team
            ):
                result.find("unrecognized_formal_leader", (manager,))
        # Distinct (follower, leader) pairs per context (self.follows is already a set).
        followers_of: dict[Pair, set[int]] = defaultdict(set)  # (context, leader) -> followers
        made: Counter[int] = Counter()  # distinct pairs in each context
        for follower, leader, context in self.follows:
            followers_of[context, leader].add(follower)
            made[context] += 1
        for (context, leader), chosen_by in followers_of.items():
            if (
                len(chosen_by) >= settings["single_point_min_followers"]
                and len(chosen_by) / made[context] >= settings["single_point_min_share"]
            ):
                result.find("single_point_leader", (leader,), context)

    def contexts_family(self) -> None:
        result, arcs, roster = self.results, self.arcs, self.roster
        members = roster.members_in_window  # the metrics: members during the window
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
            external, internal = len(tally.crossing_ties), len(tally.inside_ties)
            if external + internal:
                result.context[context, "ei_index"] = (external - internal) / (external + internal)
        follows: dict[int, set[Pair]] = defaultdict(set)
        for follower, leader, context in self.follows:
            follows[context].add((follower, leader))
        for context, people in roster.members_at_end.items():  # leadership: members at the end
            centralization = in_degree_centralization(people, follows.get(context, set()))
            if centralization is not None:
                result.context[context, "leadership_centralization"] = centralization
        received: dict[int, Counter[int]] = defaultdict(Counter)
        for _, receiver, _, _, where in self.recognitions:
            if where is not None:
                received[where][receiver] += 1
        for context, people in members.items():
            counts = received.get(context, Counter())
            equity = gini([float(counts[person]) for person in people])
            if equity is not None:
                result.context[context, "recognition_gini"] = equity
        self._org_contexts()
        self._silos(tallies)

    def _silos(self, tallies: dict[int, Tally]) -> None:
        """nullmodels.silo_test (the definition of the finding) on the counts tallied here, for
        the contexts with silo_min_members+ members at the window's end."""
        events, total = self.events_of, sum(self.arcs.values())
        members = self.roster.members_in_window
        for context, people in self.roster.members_at_end.items():
            tally = tallies.get(context)
            if tally is None or len(people) < self.settings["silo_min_members"]:
                continue
            if not tally.touching_events:
                continue
            test = nullmodels.silo_test(
                tally.inside_events,
                tally.crossing_events,
                [events[member] for member in members[context]],
                total,
                max_exploration=self.settings["silo_max_exploration"],
                alpha=self.settings["silo_alpha"],
            )
            if test.is_silo:
                self.results.find("silo", (), context)

    def _org_contexts(self) -> None:
        team_of: dict[int, set[str]] = defaultdict(set)  # person -> uuids of their teams
        for context, people in self.roster.members_in_window.items():
            if self.contexts[context].kind == "team":
                for person in people:
                    team_of[person].add(self.contexts[context].uuid)
        external = internal = 0
        for source, target in self.graph.edges():  # undirected ties, each pair once
            teams_a, teams_b = team_of.get(source, set()), team_of.get(target, set())
            if not (teams_a or teams_b):
                continue
            if teams_a & teams_b:
                internal += 1
            else:
                external += 1
        if external + internal:
            self.results.org["ei_index"] = (external - internal) / (external + internal)
        graph = self.graph
        if graph.number_of_edges():
            communities: dict[str, set[int]] = defaultdict(set)
            for person in graph:
                teams = sorted(team_of.get(person, set()))  # several: the first by uuid
                communities[teams[0] if teams else f"__alone__{person}"].add(person)
            self.results.org["modularity_of_teams"] = nx.community.modularity(
                graph, communities.values()
            )

    def contagion(self) -> None:
        result, graph, settings = self.results, self.graph, self.settings
        present = self.roster.present
        nodes = self.nodes
        index = {person: position for position, person in enumerate(nodes)}
        tau = settings["contagion_tau_days"] * SECONDS_PER_DAY
        # A person's affect: the events they GAVE that carry one, time-decayed; per ordered pair
        # (giver, receiver) the same sums, which the receiver's view of the giver leaves out.
        weighted: dict[int, float] = defaultdict(float)
        weights: dict[int, float] = defaultdict(float)
        given: dict[Pair, list[float]] = {}
        events = [(g, r, ts, affect) for g, r, ts, affect, _ in self.recognitions]
        for giver, receiver, ts, affect in events + self.interactions:
            if affect is None or giver == receiver or giver not in index or receiver not in index:
                continue  # outside G: someone employed on no day of the window
            weight = math.exp(-(self.end - ts) / tau)
            weighted[giver] += affect * weight
            weights[giver] += weight
            sums = given.setdefault((giver, receiver), [0.0, 0.0])
            sums[0] += affect * weight
            sums[1] += weight
        affect_of = {p: weighted[p] / w for p, w in weights.items() if w > 0}

        def seen_by(person: int, partner: int) -> float | None:
            """The partner's affect without the events the partner gave `person`."""
            shared = given.get((partner, person), [0.0, 0.0])
            left = weights[partner] - shared[1]
            if left <= 1e-12 * max(1.0, weights[partner]):  # nothing left (to rounding)
                return None
            return (weighted[partner] - shared[0]) / left

        for person in self.present:
            sums_at = [0.0] * len(CONTAGION_WEIGHTS)
            counts = [0] * len(CONTAGION_WEIGHTS)
            distances = nx.single_source_shortest_path_length(
                graph, person, cutoff=len(CONTAGION_WEIGHTS)
            )
            for other, distance in distances.items():
                if not distance or other not in affect_of:
                    continue
                value = seen_by(person, other) if distance == 1 else affect_of[other]
                if value is not None:
                    sums_at[distance - 1] += value
                    counts[distance - 1] += 1
            if any(counts):
                result.person[person, "affect_exposure"] = sum(
                    w * s / c
                    for w, s, c in zip(CONTAGION_WEIGHTS, sums_at, counts, strict=True)
                    if c
                )
        present_affect = [value for person, value in affect_of.items() if person in present]
        if present_affect:
            result.org["mean_affect"] = sum(present_affect) / len(present_affect)
        # The finding: nullmodels.negative_contagion_groups (its definition: a seeded permutation
        # test), on G as an igraph graph in the run's vertex order (uuid order) and the sums above.
        ends = {(min(index[a], index[b]), max(index[a], index[b])) for a, b in self.arcs}
        test_graph = igraph.Graph(n=len(nodes), edges=sorted(ends), directed=False)
        affect_sums = nullmodels.AffectSums(
            [weighted.get(p, 0.0) for p in nodes],
            [weights.get(p, 0.0) for p in nodes],
            {(index[g], index[r]): (s[0], s[1]) for (g, r), s in given.items()},
            directed=True,
        )
        min_people = int(settings["negative_contagion_min_people"])
        groups = nullmodels.negative_contagion_groups(
            test_graph,
            affect_sums,
            min_people=min_people,
            permutations=int(settings["negative_contagion_permutations"]),
            alpha=float(settings["negative_contagion_alpha"]),
            seed=int(settings["negative_contagion_seed"]),
        )
        for group in groups:
            members = sorted(nodes[m] for m in group.members if nodes[m] in present)
            large = group.effect_size <= -float(settings["negative_contagion_min_effect"])
            if group.fires and large and len(members) >= min_people:
                result.find("negative_contagion", members)

    def health(self) -> None:
        result = self.results
        org = result.org
        people = org.get("people", 0.0)
        teams = {c for c, context in self.contexts.items() if context.kind == "team"}
        silo_min_members = int(self.settings["silo_min_members"])  # the run's parameter

        def team_values(name: str) -> list[float]:
            return [v for (c, m), v in result.context.items() if m == name and c in teams]

        def flagged(pattern: str) -> int:
            return len({s for subjects, _ in result.findings.get(pattern, []) for s in subjects})

        leaders = sum(1 for (_, m), v in result.person.items() if m == "leader_count" and v >= 2)
        big_teams = sum(1 for size in team_values("size") if size >= silo_min_members)
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
    """Interaction counts of one context, accumulated arc by arc; ties undirected, each pair
    once (a pair with arcs both ways is one tie)."""

    __slots__ = (
        "crossing_events",
        "crossing_ties",
        "events_of",
        "inside_events",
        "inside_ties",
        "touching_events",
    )

    def __init__(self) -> None:
        self.inside_events = self.touching_events = self.crossing_events = 0
        self.inside_ties: set[Pair] = set()
        self.crossing_ties: set[Pair] = set()
        self.events_of: Counter[int] = Counter()

    def add(self, source_in: bool, target_in: bool, source: int, target: int, events: int) -> None:
        tie = (min(source, target), max(source, target))
        self.touching_events += events
        if source_in and target_in:
            self.inside_events += events
            self.inside_ties.add(tie)
            self.events_of[source] += events
            self.events_of[target] += events
        else:
            self.crossing_events += events
            self.crossing_ties.add(tie)


# --- Measures (plain Python / numpy: networkx has no function for these) --------------------------


def sql_time(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")


def as_date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


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


def instant_gaps(times: Sequence[int]) -> np.ndarray | None:
    """Gaps between distinct instants (repeated timestamps once); None below 3 instants."""
    instants = np.unique(np.asarray(times, dtype=float))  # sorted
    return np.diff(instants) if instants.size >= 3 else None


def burstiness(times: Sequence[int]) -> float | None:
    gaps = instant_gaps(times)
    if gaps is None:
        return None
    mean, sigma = gaps.mean(), gaps.std()
    if sigma + mean == 0:
        return None
    return float((sigma - mean) / (sigma + mean))


def burstiness_corrected(times: Sequence[int]) -> float | None:
    """Kim & Jo's A_n, n = the number of gaps between distinct instants, r = sigma / mu."""
    gaps = instant_gaps(times)
    if gaps is None:
        return None
    n, ratio = gaps.size, gaps.std() / gaps.mean()
    plus, minus = math.sqrt(n + 1), math.sqrt(n - 1)
    return float((plus * ratio - minus) / ((plus - 2) * ratio + minus))


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


def in_degree_centralization(members: set[int], arcs: set[Pair]) -> float | None:
    """Freeman in-degree centralization of the follows between members; None with fewer than
    two members or no follow between them."""
    n = len(members)
    inside = [(f, leader) for f, leader in arcs if f in members and leader in members]
    if n < 2 or not inside:
        return None
    in_degree = dict.fromkeys(members, 0)
    for _, leader in inside:
        in_degree[leader] += 1
    top = max(in_degree.values())
    return sum(top - degree for degree in in_degree.values()) / ((n - 1) ** 2)


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
