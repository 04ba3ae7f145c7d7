"""The scenarios: for each finding a planted positive, a near miss and null scenarios in which it
must not fire. Every scenario is generated from a seed; `expected` lists, for the patterns the
scenario is about, exactly the subjects that must be found (an empty set: nothing may fire).

Subjects are written as sorted tuples of external ids (a context key for `silo`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from tests.scenarios.builder import END, START, Org, at

POSITIVE, NEAR_MISS, NULL = "planted positive", "near miss", "null"


@dataclass
class Scenario:
    name: str
    pattern: str
    kind: str  # POSITIVE, NEAR_MISS or NULL
    org: Org
    expected: dict[str, set[tuple[str, ...]]]
    # Metrics that must hold exactly, e.g. {("team:Core", "size"): 3}; None means absent.
    context_metrics: dict[tuple[str, str], float | None] = field(default_factory=dict)
    person_metrics: dict[tuple[str, str], float | None] = field(default_factory=dict)
    # How many people beyond a planted group a found group may hold, as a share of the planted
    # group: exposure is smoothed over three degrees, so the people around a gloomy cluster are
    # exposed to it too, and a neighbour low by chance joins it. {pattern: share}
    slack: dict[str, float] = field(default_factory=dict)

    def matched(self, pattern: str, found: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
        """`found`, with each group that holds a planted group and at most `slack` times as many
        other people written as the planted group (the planted people are still its majority)."""
        share = self.slack.get(pattern, 0.0)
        planted = self.expected.get(pattern, set())

        def close(group: tuple[str, ...], seen: tuple[str, ...]) -> bool:
            return set(group) <= set(seen) and len(seen) - len(group) <= share * len(group)

        return {next((g for g in planted if close(g, f)), f) for f in found}


Build = Callable[[random.Random], Scenario]
CATALOG: dict[str, Build] = {}

LAST_DAY = (END - timedelta(seconds=1)).date()
LEFT_EARLY = START.date() + timedelta(days=40)  # a departure in the middle of the window


def scenario(build: Build) -> Build:
    CATALOG[build.__name__] = build
    return build


def chatter(org: Org, rng: random.Random, people: list[str], events: int) -> None:
    """`events` interactions between people drawn at random (random mixing), spread over the
    window, so that the organization is not empty around a planted pattern."""
    for _ in range(events):
        source, target = rng.sample(people, 2)
        org.interact(source, target, at(rng.randrange(90), rng.randrange(8, 18), rng.randrange(60)))


def random_org(
    org: Org, rng: random.Random, size: int, teams: int, events_each: int = 6, prefix: str = "P"
) -> list[str]:
    people = [org.person(f"{prefix}{i:03d}", f"team:T{i % teams}") for i in range(size)]
    for person in people:  # nobody isolated by chance
        org.interact(person, rng.choice([p for p in people if p != person]), at(rng.randrange(90)))
    chatter(org, rng, people, max(0, size * events_each // 2 - size))
    return people


# --- leadership ----------------------------------------------------------------------------


@scenario
def attention_blindness_positive(rng: random.Random) -> Scenario:
    org = Org()
    people = random_org(org, rng, 12, 2)
    follower, leader = rng.sample(people, 2)
    org.follow(follower, leader, "team:T0")
    return Scenario(
        "one leader", "attention_blindness", POSITIVE, org, {"attention_blindness": {(follower,)}}
    )


@scenario
def attention_blindness_near_miss(rng: random.Random) -> Scenario:
    org = Org()
    people = random_org(org, rng, 12, 2)
    follower, first, second = rng.sample(people, 3)
    org.follow(follower, first, "team:T0")
    org.follow(follower, second, "team:T1")
    return Scenario(
        "two leaders", "attention_blindness", NEAR_MISS, org, {"attention_blindness": set()}
    )


@scenario
def switched_leader(rng: random.Random) -> Scenario:
    """Followed one leader, then another from mid-window: one leader, not two."""
    org = Org()
    people = random_org(org, rng, 12, 2)
    follower, first, second = rng.sample(people, 3)
    org.follow(follower, first, "team:T0", until=at(45))
    org.follow(follower, second, "team:T0", since=at(45))
    return Scenario(
        "switched leader mid-window",
        "attention_blindness",
        POSITIVE,
        org,
        {"attention_blindness": {(follower,)}},
        person_metrics={(follower, "leader_count"): 1},
    )


@scenario
def departed_leader(rng: random.Random) -> Scenario:
    """Three people follow someone who left during the window: no informal leader, and the
    departed person counts as nobody's leader."""
    org = Org()
    people = random_org(org, rng, 12, 2)
    followers = rng.sample(people, 3)
    org.person("GONE", "team:T0", left_on=LEFT_EARLY)
    org.interact("GONE", followers[0], at(10))
    other = next(p for p in people if p not in followers)
    for follower in followers:
        org.follow(follower, "GONE", "team:T0")
    org.follow(followers[0], other, "team:T1")
    return Scenario(
        "departed leader",
        "informal_leader",
        NULL,
        org,
        {"informal_leader": set(), "attention_blindness": {(followers[0],)}},
        person_metrics={(followers[0], "leader_count"): 1, ("GONE", "leader_count"): None},
    )


@scenario
def informal_leader_positive(rng: random.Random) -> Scenario:
    org = Org()
    people = random_org(org, rng, 12, 2)
    leader, *followers = rng.sample(people, 4)
    for follower in followers:
        org.follow(follower, leader, "team:T0")
    return Scenario(
        "followed by 3", "informal_leader", POSITIVE, org, {"informal_leader": {(leader,)}}
    )


@scenario
def informal_leader_near_miss(rng: random.Random) -> Scenario:
    """Two present followers (one recorded twice) and one who has left: two distinct."""
    org = Org()
    people = random_org(org, rng, 12, 2)
    leader, first, second = rng.sample(people, 3)
    org.person("GONE", "team:T1", left_on=LEFT_EARLY)
    org.follow(first, leader, "team:T0")
    org.follow(first, leader, "team:T0", since=at(-20))  # a duplicate record
    org.follow(second, leader, "team:T0")
    org.follow("GONE", leader, "team:T0")
    return Scenario(
        "2 distinct present followers",
        "informal_leader",
        NEAR_MISS,
        org,
        {"informal_leader": set()},
    )


def _managed_team(
    org: Org, rng: random.Random, manager_left: date | None = None
) -> tuple[str, list[str]]:
    people = random_org(org, rng, 10, 2)
    manager = org.person("MGR", "team:T0", left_on=manager_left)
    reports = rng.sample(people, 2)
    for report in reports:
        org.people[report].manager = manager
    return manager, reports


@scenario
def unrecognized_formal_leader_positive(rng: random.Random) -> Scenario:
    org = Org()
    manager, _ = _managed_team(org, rng)
    return Scenario(
        "no report follows or recognizes",
        "unrecognized_formal_leader",
        POSITIVE,
        org,
        {"unrecognized_formal_leader": {(manager,)}},
    )


@scenario
def unrecognized_formal_leader_near_miss(rng: random.Random) -> Scenario:
    org = Org()
    manager, reports = _managed_team(org, rng)
    org.recognize(rng.choice(reports), manager, at(rng.randrange(90)))
    return Scenario(
        "one report recognized them",
        "unrecognized_formal_leader",
        NEAR_MISS,
        org,
        {"unrecognized_formal_leader": set()},
    )


@scenario
def manager_whose_reports_left(rng: random.Random) -> Scenario:
    org = Org()
    _, reports = _managed_team(org, rng)
    for report in reports:
        org.people[report].left_on = LEFT_EARLY
    return Scenario(
        "manager whose only reports left",
        "unrecognized_formal_leader",
        NULL,
        org,
        {"unrecognized_formal_leader": set()},
    )


@scenario
def departed_manager(rng: random.Random) -> Scenario:
    org = Org()
    _managed_team(org, rng, manager_left=LEFT_EARLY)
    return Scenario(
        "departed manager",
        "unrecognized_formal_leader",
        NULL,
        org,
        {"unrecognized_formal_leader": set(), "informal_leader": set()},
        person_metrics={("MGR", "in_degree"): None, ("MGR", "partner_entropy"): None},
    )


@scenario
def single_point_leader_positive(rng: random.Random) -> Scenario:
    org = Org()
    people = random_org(org, rng, 12, 2)
    leader, *followers = rng.sample(people, 5)
    for follower in followers:
        org.follow(follower, leader, "team:T0")
    return Scenario(
        "4 of 4 follow one person",
        "single_point_leader",
        POSITIVE,
        org,
        {"single_point_leader": {(leader,)}},
    )


@scenario
def single_point_leader_duplicates(rng: random.Random) -> Scenario:
    """f1 follows L twice, f2 and f3 follow L, f4 follows M: 3 of 4 distinct pairs (0.75)."""
    org = Org()
    people = random_org(org, rng, 12, 2)
    leader, other, *followers = rng.sample(people, 6)
    org.follow(followers[0], leader, "team:T0")
    org.follow(followers[0], leader, "team:T0", since=at(-10))
    org.follow(followers[1], leader, "team:T0")
    org.follow(followers[2], leader, "team:T0")
    org.follow(followers[3], other, "team:T0")
    return Scenario(
        "duplicate follow records",
        "single_point_leader",
        NEAR_MISS,
        org,
        {"single_point_leader": set()},
    )


# --- recognition ----------------------------------------------------------------------------


@scenario
def isolation_positive(rng: random.Random) -> Scenario:
    org = Org()
    random_org(org, rng, 12, 2)
    org.person("ALONE", "team:T0")
    return Scenario(
        "no interaction, no recognition", "isolation", POSITIVE, org, {"isolation": {("ALONE",)}}
    )


@scenario
def isolation_near_miss_and_departed(rng: random.Random) -> Scenario:
    org = Org()
    people = random_org(org, rng, 12, 2)
    org.person("ONCE", "team:T0")
    org.interact("ONCE", rng.choice(people), at(rng.randrange(90)))
    org.person("GONE", "team:T1", left_on=LEFT_EARLY)
    org.person("OLD", "team:T1", is_active=False)
    org.person("LATE", "team:T1", joined_on=END.date() + timedelta(days=3))
    return Scenario(
        "one interaction; people not present at the end",
        "isolation",
        NEAR_MISS,
        org,
        {"isolation": set()},
    )


@scenario
def invisible_contributor_departed(rng: random.Random) -> Scenario:
    """The most active person left before the window's end: no finding about them."""
    org = Org()
    people = random_org(org, rng, 12, 2)
    for person in people:
        org.recognize(rng.choice([p for p in people if p != person]), person, at(rng.randrange(90)))
    org.person("GONE", "team:T0", left_on=LEFT_EARLY)
    for day in range(30):
        org.interact("GONE", rng.choice(people), at(day))
    return Scenario(
        "departed busy contributor",
        "invisible_contributor",
        NULL,
        org,
        {"invisible_contributor": set(), "isolation": set()},
    )


def _rings(org: Org, groups: list[list[str]]) -> None:
    """Each member recognizes the next four members (so one recognition outside still leaves
    80 % of what they give inside)."""
    for group in groups:
        for i, giver in enumerate(group):
            for step in (1, 2, 3, 4):
                org.recognize(giver, group[(i + step) % len(group)], at(10 * step + i))


@scenario
def recognition_ring_positive(rng: random.Random) -> Scenario:
    org = Org()
    people = random_org(org, rng, 100, 10, events_each=2)
    ring = sorted(rng.sample(people, 5))
    _rings(org, [ring])
    outside = [p for p in people if p not in ring]
    for giver in outside:
        for receiver in rng.sample([p for p in people if p != giver], 3):
            org.recognize(giver, receiver, at(rng.randrange(90)))
    return Scenario(
        "5-person ring among 100",
        "recognition_ring",
        POSITIVE,
        org,
        {"recognition_ring": {tuple(ring)}},
    )


@scenario
def two_rings_joined(rng: random.Random) -> Scenario:
    org = Org()
    people = random_org(org, rng, 30, 3, events_each=2)
    chosen = rng.sample(people, 14)
    first, second = sorted(chosen[:7]), sorted(chosen[7:])
    _rings(org, [first, second])
    org.recognize(first[0], second[0], at(80))
    return Scenario(
        "two 7-person rings joined by one recognition",
        "recognition_ring",
        POSITIVE,
        org,
        {"recognition_ring": {tuple(first), tuple(second)}},
    )


def _random_recognition(size: int) -> Build:
    def build(rng: random.Random) -> Scenario:
        org = Org()
        people = random_org(org, rng, size, max(1, size // 10), events_each=2)
        for giver in people:
            for receiver in rng.sample([p for p in people if p != giver], 3):
                org.recognize(giver, receiver, at(rng.randrange(90)))
        return Scenario(
            f"random recognition among {size}",
            "recognition_ring",
            NULL,
            org,
            {"recognition_ring": set()},
        )

    build.__name__ = f"random_recognition_{size}"
    return build


scenario(_random_recognition(10))
scenario(_random_recognition(100))


# --- contexts -------------------------------------------------------------------------------


@scenario
def silo_positive(rng: random.Random) -> Scenario:
    org = Org()
    people = random_org(org, rng, 100, 10, events_each=6, prefix="P")
    vault = [org.person(f"V{i}", "team:Vault") for i in range(8)]
    for _ in range(120):
        source, target = rng.sample(vault, 2)
        org.interact(source, target, at(rng.randrange(90), rng.randrange(8, 18)))
    org.interact(vault[0], rng.choice(people), at(50))
    return Scenario("closed 8-person team", "silo", POSITIVE, org, {"silo": {("team:Vault",)}})


def _majority_context(percent: int) -> Build:
    """One context holds most of the organization under random mixing: no silo (its expected
    exploration is small: 0.18 at 90 %, 0.10 at 95 %)."""

    def build(rng: random.Random) -> Scenario:
        org = Org()
        people = [
            org.person(f"P{i:03d}", "team:Main" if i < percent else "team:Rest") for i in range(100)
        ]
        chatter(org, rng, people, 600)
        name = f"{percent} % of the org, random mixing"
        return Scenario(name, "silo", NULL, org, {"silo": set()})

    build.__name__ = f"silo_majority_context_{percent}"
    return build


scenario(_majority_context(90))
scenario(_majority_context(95))


@scenario
def silo_small_team(rng: random.Random) -> Scenario:
    org = Org()
    people = random_org(org, rng, 60, 6)
    nook = [org.person(f"N{i}", "team:Nook") for i in range(4)]
    for _ in range(40):
        source, target = rng.sample(nook, 2)
        org.interact(source, target, at(rng.randrange(90)))
    org.interact(nook[0], rng.choice(people), at(10))
    return Scenario(
        "closed 4-person team (below the size)", "silo", NEAR_MISS, org, {"silo": set()}
    )


@scenario
def ended_membership(rng: random.Random) -> Scenario:
    """Someone left the team before the window: not in its size or metrics; a period that ended
    mid-window counts for the metrics but not for findings."""
    org = Org()
    random_org(org, rng, 60, 6)
    core = [org.person(f"C{i}", "team:Core") for i in range(5)]
    org.person("EX", "team:Other")
    org.member("EX", "team:Core", since=date(2025, 1, 1), until=START.date() - timedelta(days=30))
    org.person("MID", "team:Other")
    org.member("MID", "team:Core", until=START.date() + timedelta(days=20))
    org.member(
        "MID",
        "team:Core",
        since=START.date() + timedelta(days=60),
        until=START.date() + timedelta(days=70),
    )
    org.person("OUT", "team:Other")
    for _ in range(30):
        source, target = rng.sample(core, 2)
        org.interact(source, target, at(rng.randrange(90)))
    org.interact("EX", core[0], at(5))
    return Scenario(
        "ended and past membership periods",
        "silo",
        POSITIVE,
        org,
        {"silo": {("team:Core",)}},
        context_metrics={("team:Core", "size"): 6, ("team:Other", "size"): 3},
    )


# --- communication ---------------------------------------------------------------------------


@scenario
def broker_regular_graph(rng: random.Random) -> Scenario:
    """A ring lattice: everyone is structurally equivalent, so nobody is a broker."""
    org = Org()
    people = [org.person(f"R{i:02d}", f"team:T{i % 3}") for i in range(30)]
    for i, person in enumerate(people):
        for step in (1, 2):
            org.interact(person, people[(i + step) % 30], at(rng.randrange(90)))
    return Scenario("ring lattice", "broker", NULL, org, {"broker": set()})


@scenario
def narrow_pattern_positive_and_near_miss(rng: random.Random) -> Scenario:
    org = Org()
    people = random_org(org, rng, 20, 2)
    org.person("NARROW", "team:T0")
    org.person("ALMOST", "team:T1")
    org.person("GONE", "team:T1", left_on=LEFT_EARLY)
    partner = rng.choice(people)
    for day in range(25):
        org.interact("NARROW", partner, at(day))
        org.interact("GONE", partner, at(day))
    for day in range(19):
        org.interact("ALMOST", partner, at(day))
    return Scenario(
        "25 events with one partner; 19; a departed one",
        "narrow_pattern",
        POSITIVE,
        org,
        {"narrow_pattern": {("NARROW",)}},
    )


# --- contagion -------------------------------------------------------------------------------


def _affect_org(rng: random.Random, mean: float, planted: int) -> tuple[Org, list[str]]:
    """200 people in 20 teams, random ties, each event's affect its giver's mood, moods drawn at
    random (no clustering); `planted` strongly negative people who talk mostly among
    themselves, each with one neutral tie to
    someone outside."""
    org = Org()
    people = [org.person(f"P{i:03d}", f"team:T{i % 20}") for i in range(200)]
    mood = {person: rng.gauss(mean, 0.3) for person in people}
    cluster = [org.person(f"G{i}", "team:Gloom") for i in range(planted)]
    for _ in range(1000):
        source, target = rng.sample(people, 2)
        affect = max(-1.0, min(1.0, rng.gauss(mood[source], 0.1)))  # the giver's mood
        org.interact(source, target, at(rng.randrange(90), rng.randrange(8, 18)), affect)
    for _ in range(planted * 8):
        source, target = rng.sample(cluster, 2)
        org.interact(source, target, at(rng.randrange(90), rng.randrange(8, 18)), -0.9)
    for member in cluster:
        org.interact(member, rng.choice(people), at(rng.randrange(90)), None)
    return org, cluster


@scenario
def contagion_random_affect(rng: random.Random) -> Scenario:
    org, _ = _affect_org(rng, -0.2, 0)
    return Scenario(
        "random affect, mean -0.2", "negative_contagion", NULL, org, {"negative_contagion": set()}
    )


@scenario
def contagion_planted_cluster(rng: random.Random) -> Scenario:
    org, cluster = _affect_org(rng, 0.1, 8)
    return Scenario(
        "8 gloomy people talking among themselves",
        "negative_contagion",
        POSITIVE,
        org,
        {"negative_contagion": {tuple(sorted(cluster))}},
        slack={"negative_contagion": 1.0},
    )
