"""Synthetic organizations: a hierarchy, its contexts and a stream of events, written as CSV.

Pure logic (standard library only) behind `manage.py generate_org`. Every draw comes from a
`random.Random` seeded from the seed and a phase name, so the same arguments give byte-identical
files. Events are produced lazily and streamed to the CSV writer: memory grows with the number of
people, never with the number of events.

The shape is meant to look like a real organization to the analytics: a tree with spans of 5-9,
teams (a manager and their reports), cross-cutting projects, communities and topics, a few informal
leaders whom many people follow, managers whom few follow, silo teams, broker people, bursty and
mostly reciprocated communication during working hours.
"""

from __future__ import annotations

import bisect
import functools
import math
import random
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sociograph.ingest.csv_output import csv_writer
from sociograph.ingest.formats import EVENT_FILE_COLUMNS, ORG_COLUMNS

CONTEXT_KINDS = ("team", "project", "community", "topic")
EVENT_KINDS = ("recognition", "follow", "interaction")
CHANNELS = ("chat", "email", "meeting", "call", "in_person")
COMPANY_VALUES = (
    "ownership",
    "care",
    "curiosity",
    "candor",
    "craft",
    "customer-focus",
    "teamwork",
    "integrity",
)
# The `values` of a recognition: one tag or two distinct ones.
VALUE_TAGS = (
    COMPANY_VALUES,
    tuple(
        f"{first};{second}"
        for first in COMPANY_VALUES
        for second in COMPANY_VALUES
        if first != second
    ),
)
EMAIL_DOMAIN = "example.org"
ORG_FILE = "org.csv"
EVENTS_FILE = "events.csv"

DEFAULT_DAYS = 120
DEFAULT_EVENTS_PER_PERSON = 60

Row = tuple[str, ...]

# --- Vocabulary ----------------------------------------------------------------------------------

FIRST_NAMES = (
    "Ada", "Alex", "Amara", "Ana", "Ben", "Carla", "Chen", "Dana", "David", "Elena",
    "Emeka", "Fatima", "Felix", "Grace", "Hana", "Ivan", "Jamal", "Julia", "Kai", "Laura",
    "Leo", "Lina", "Marco", "Maya", "Mei", "Nadia", "Noah", "Omar", "Priya", "Rafael",
    "Rosa", "Sam", "Sara", "Tariq", "Tom", "Uma", "Victor", "Wei", "Yara", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Andersen", "Bauer", "Becker", "Costa", "Dubois", "Fischer", "Garcia", "Haddad",
    "Hansen", "Ito", "Jensen", "Kim", "Kowalski", "Larsen", "Lopez", "Martin", "Meyer", "Moreau",
    "Nakamura", "Novak", "Okafor", "Olsen", "Patel", "Petrov", "Rossi", "Santos", "Schmidt",
    "Silva", "Singh", "Sato", "Tanaka", "Varga", "Wagner", "Walsh", "Weber", "Wong", "Yilmaz",
    "Young", "Zhang",
)  # fmt: skip
DEPARTMENTS = (
    "Engineering", "Product", "Data", "Design", "Sales", "Marketing", "Customer Success",
    "Operations", "Finance", "People",
)  # fmt: skip
CONTRIBUTOR_TITLES = {
    "Engineering": (
        "Software Engineer",
        "Senior Software Engineer",
        "Staff Engineer",
        "QA Engineer",
    ),
    "Product": ("Product Manager", "Senior Product Manager", "Product Analyst"),
    "Data": ("Data Analyst", "Data Scientist", "Data Engineer"),
    "Design": ("Product Designer", "UX Researcher", "Content Designer"),
    "Sales": ("Account Executive", "Sales Development Representative", "Sales Engineer"),
    "Marketing": ("Marketing Specialist", "Content Strategist", "Growth Analyst"),
    "Customer Success": ("Customer Success Manager", "Support Specialist", "Support Engineer"),
    "Operations": ("Operations Analyst", "Program Coordinator", "IT Specialist"),
    "Finance": ("Financial Analyst", "Accountant", "Controller"),
    "People": ("HR Business Partner", "Recruiter", "People Operations Analyst"),
}
PROJECT_CODENAMES = (
    "Atlas", "Beacon", "Cobalt", "Dynamo", "Ember", "Falcon", "Granite", "Harbor", "Ion",
    "Juniper", "Keystone", "Lumen", "Meridian", "Nimbus", "Orbit", "Pioneer", "Quartz",
    "Relay", "Summit", "Tidal", "Umbra", "Vertex", "Willow", "Zenith",
)  # fmt: skip
COMMUNITIES = (
    "Python Guild", "Frontend Guild", "Data Guild", "Security Guild", "Design Guild",
    "Cloud Guild", "Accessibility Guild", "Women in Tech", "Toastmasters", "Running Club",
    "Book Club", "Mentoring Circle",
)  # fmt: skip
TOPICS = (
    "Hiring", "Onboarding", "Incident Response", "Quarterly Planning", "Remote Work",
    "Diversity and Inclusion",
)  # fmt: skip
RECOGNITION_MESSAGES = (
    "Thanks for unblocking the release",
    "Great demo today",
    "You made onboarding so much easier",
    "Thanks for the thorough review",
    "Calm and clear during the incident",
    "Thanks for covering for me this week",
    "Brilliant customer call",
    "Your write-up saved us days",
    "Thanks for mentoring the new hires",
    "Great facilitation of the retro",
    "Thanks for the honest feedback",
    "Huge help with the migration",
)

# --- Shape parameters ----------------------------------------------------------------------------

MIN_SPAN, MAX_SPAN = 5, 9
PEOPLE_PER_PROJECT = 30
HOME_DEPARTMENT_PROJECT_SHARE = 0.7
PEOPLE_PER_COMMUNITY = 40
PEOPLE_PER_TOPIC = 200
TOPIC_MEMBERSHIP = 0.15
INFORMAL_LEADER_SHARE = 0.04
QUIET_MANAGER_SHARE = 0.2
SILO_TEAM_COUNT = 2
PEOPLE_PER_EXTRA_BROKER = 5000

SINGLE_FOLLOW_SHARE = 0.10
MAX_FOLLOWS = 4
# Relative pull of a candidate leader when someone picks whom to follow.
INFORMAL_LEADER_PULL = 5.0
MANAGER_PULL = 6.0
QUIET_MANAGER_PULL = 0.3
PEER_PULL = 0.3
INFORMAL_LEADERS_OFFERED_PER_CONTEXT = 3

RECOGNITION_SHARE = 0.10
RECOGNITION_WITHOUT_CONTEXT = 0.1
RECOGNITION_OF_INFORMAL_LEADER = 0.3

TEAM_INTERACTION_SHARE = 0.75
CROSS_CONTEXT_INTERACTION_SHARE = 0.20  # the rest goes to anyone in the organization
SILO_INTERNAL_SHARE = 0.98
BROKER_OUTREACH_SHARE = 0.7
REPLY_PROBABILITY = 0.7
AFFECT_PRESENT_SHARE = 0.3
INTERACTION_AFFECT_MEAN = 0.2
INTERACTION_AFFECT_SD = 0.4
CHANNEL_WEIGHTS = (0.5, 0.2, 0.15, 0.08, 0.07)
SESSION_MINUTES = {
    "meeting": (15, 30, 45, 60, 90),
    "call": (5, 10, 15, 30),
    "in_person": (5, 10, 20, 30),
}
MEAN_CHAT_GAP_SECONDS = 240
MEAN_EMAIL_GAP_SECONDS = 2700

SECONDS_PER_HOUR = 3600
SECONDS_PER_DAY = 86400
EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday is 0)


# --- Configuration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratorConfig:
    people: int
    seed: int
    end: datetime
    days: int = DEFAULT_DAYS
    events_per_person: int = DEFAULT_EVENTS_PER_PERSON

    def __post_init__(self) -> None:
        if self.people < 2:
            raise ValueError(f"--people must be at least 2 (got {self.people})")
        if self.days < 1:
            raise ValueError(f"--days must be at least 1 (got {self.days})")
        if self.events_per_person < 0:
            raise ValueError(
                f"--events-per-person must be 0 or more (got {self.events_per_person})"
            )
        if self.end.tzinfo is None:
            raise ValueError("--end must carry a time zone (e.g. 2026-01-31T12:00:00Z)")


def parse_end(text: str) -> datetime:
    """An ISO-8601 instant; one without an offset is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--end must be an ISO-8601 date-time, got {text!r}") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def default_end(now: datetime) -> datetime:
    """Now, rounded down to the hour: recent-window analytics then see fresh data."""
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def seeded_random(seed: int, phase: str) -> random.Random:
    # One generator per phase: changing how one phase draws leaves the others' output unchanged.
    return random.Random(f"sociograph/{seed}/{phase}")


# --- The organization ----------------------------------------------------------------------------


@dataclass
class Person:
    index: int
    external_id: str
    name: str
    email: str
    department: str
    level: int
    manager: int | None
    title: str = ""
    reports: list[int] = field(default_factory=list)
    # The team a person belongs to as a report comes first, then the team they lead.
    teams: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    communities: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)

    @property
    def is_manager(self) -> bool:
        return bool(self.reports)

    @property
    def cross_contexts(self) -> list[str]:
        return [*self.projects, *self.communities, *self.topics]

    @property
    def contexts(self) -> list[str]:
        return [*self.teams, *self.cross_contexts]


@dataclass
class Organization:
    people: list[Person]
    # Every context anyone belongs to, with its members, teams first (top-down), then the rest.
    members: dict[str, list[int]]
    informal_leaders: list[int]
    quiet_managers: list[int]
    brokers: list[int]
    silo_teams: list[str]

    @property
    def contexts(self) -> list[str]:
        return list(self.members)

    def silo_members(self) -> set[int]:
        return {index for team in self.silo_teams for index in self.members[team]}


def build_organization(size: int, seed: int) -> Organization:
    rng = seeded_random(seed, "org")
    people = _build_hierarchy(size, rng)
    for person in people:
        person.title = _title(person, rng)
    members = _form_teams(people)
    silo_teams = _pick_silo_teams(people, members, rng)
    silo_people = {index for team in silo_teams for index in members[team]}
    connected = [person for person in people if person.index not in silo_people]
    members |= _assign_cross_contexts(connected, size, rng)
    contributors = [person.index for person in connected if not person.is_manager]
    informal_leaders = _sample_share(contributors, INFORMAL_LEADER_SHARE, rng)
    managers = [person.index for person in people if person.is_manager and person.level > 0]
    return Organization(
        people=people,
        members=members,
        informal_leaders=informal_leaders,
        quiet_managers=_sample_share(managers, QUIET_MANAGER_SHARE, rng),
        brokers=_pick_brokers(contributors, informal_leaders, rng),
        silo_teams=silo_teams,
    )


def _build_hierarchy(size: int, rng: random.Random) -> list[Person]:
    """Breadth-first: each manager in turn gets 5-9 reports until everyone has a place."""
    departments = list(DEPARTMENTS)
    rng.shuffle(departments)
    people = [_new_person(0, None, 0, "Executive", rng)]
    waiting = deque([0])
    while len(people) < size:
        manager = people[waiting.popleft()]
        span = min(rng.randint(MIN_SPAN, MAX_SPAN), size - len(people))
        for slot in range(span):
            department = departments[slot] if manager.level == 0 else manager.department
            report = _new_person(len(people), manager.index, manager.level + 1, department, rng)
            manager.reports.append(report.index)
            people.append(report)
            waiting.append(report.index)
    return people


def _new_person(
    index: int, manager: int | None, level: int, department: str, rng: random.Random
) -> Person:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return Person(
        index=index,
        external_id=f"E{index + 1:05d}",
        name=f"{first} {last}",
        email=f"{first.lower()}.{last.lower()}.{index + 1}@{EMAIL_DOMAIN}",
        department=department,
        level=level,
        manager=manager,
    )


def _title(person: Person, rng: random.Random) -> str:
    if person.level == 0:
        return "Chief Executive Officer"
    if not person.is_manager:
        return rng.choice(CONTRIBUTOR_TITLES[person.department])
    if person.level == 1:
        return f"VP {person.department}"
    if person.level == 2:
        return f"Director of {person.department}"
    return f"{person.department} Manager"


def _form_teams(people: list[Person]) -> dict[str, list[int]]:
    """A team is a manager and their direct reports, named after the department and a number."""
    members: dict[str, list[int]] = {}
    numbers = dict.fromkeys(DEPARTMENTS, 0)
    for manager in people:  # top-down, so a manager's own team is listed before the one they lead
        if not manager.is_manager:
            continue
        if manager.level == 0:
            team = "team:Leadership"
        else:
            numbers[manager.department] += 1
            team = f"team:{manager.department} {numbers[manager.department]}"
        members[team] = [manager.index, *manager.reports]
        for index in members[team]:
            people[index].teams.append(team)
    return members


def _pick_silo_teams(
    people: list[Person], members: dict[str, list[int]], rng: random.Random
) -> list[str]:
    """Teams of individual contributors only; picked only when they remain a small minority."""
    leaf_teams = [
        team
        for team, indices in members.items()
        if people[indices[0]].level > 0 and not any(people[i].is_manager for i in indices[1:])
    ]
    if len(leaf_teams) < 2 * SILO_TEAM_COUNT:
        return []
    return sorted(rng.sample(leaf_teams, SILO_TEAM_COUNT), key=leaf_teams.index)


def _assign_cross_contexts(
    people: list[Person], size: int, rng: random.Random
) -> dict[str, list[int]]:
    """Projects (0-2 each, mostly in one's department), communities (0-2) and a few topics."""
    projects = _project_departments(max(1, size // PEOPLE_PER_PROJECT), rng)
    by_department: dict[str, list[str]] = {}
    for project, department in projects.items():
        by_department.setdefault(department, []).append(project)
    communities = [
        f"community:{name}" for name in _at_least_two_of(COMMUNITIES, size // PEOPLE_PER_COMMUNITY)
    ]
    topics = [f"topic:{name}" for name in _at_least_two_of(TOPICS, size // PEOPLE_PER_TOPIC)]
    members: dict[str, list[int]] = {c: [] for c in [*projects, *communities, *topics]}
    all_projects = list(projects)
    for person in people:
        home_projects = by_department.get(person.department, all_projects)
        for _ in range(rng.choices((0, 1, 2), weights=(3, 5, 2))[0]):
            pool = home_projects if rng.random() < HOME_DEPARTMENT_PROJECT_SHARE else all_projects
            _join(person.projects, rng.choice(pool))
        for _ in range(rng.choices((0, 1, 2), weights=(4, 4, 2))[0]):
            _join(person.communities, rng.choice(communities))
        if rng.random() < TOPIC_MEMBERSHIP:
            _join(person.topics, rng.choice(topics))
        for context in person.cross_contexts:
            members[context].append(person.index)
    return {context: indices for context, indices in members.items() if indices}


def _project_departments(count: int, rng: random.Random) -> dict[str, str]:
    names = len(PROJECT_CODENAMES)
    projects: dict[str, str] = {}
    for number in range(count):
        suffix = "" if number < names else f" {number // names + 1}"
        projects[f"project:{PROJECT_CODENAMES[number % names]}{suffix}"] = rng.choice(DEPARTMENTS)
    return projects


def _at_least_two_of(names: Sequence[str], wanted: int) -> Sequence[str]:
    """At least two of `names`, at most all of them."""
    return names[: max(2, wanted)]


def _join(contexts: list[str], context: str) -> None:
    if context not in contexts:
        contexts.append(context)


def _pick_brokers(
    contributors: list[int], informal_leaders: list[int], rng: random.Random
) -> list[int]:
    """A couple of individual contributors who talk across the whole organization."""
    leaders = set(informal_leaders)
    pool = [index for index in contributors if index not in leaders]
    count = min(len(pool), 2 + len(contributors) // PEOPLE_PER_EXTRA_BROKER)
    return sorted(rng.sample(pool, count))


def _sample_share(pool: list[int], share: float, rng: random.Random) -> list[int]:
    if not pool:
        return []
    return sorted(rng.sample(pool, max(1, round(len(pool) * share))))


def org_rows(org: Organization) -> Iterator[Row]:
    """Top-down, so every manager precedes their reports."""
    people = org.people
    for person in people:
        manager = "" if person.manager is None else people[person.manager].external_id
        contexts = ";".join(person.contexts)
        yield (person.external_id, person.name, person.email, person.title, manager, contexts)


# --- Whom people follow --------------------------------------------------------------------------


@dataclass(frozen=True)
class Follow:
    follower: int
    leader: int
    context: str


def plan_follows(org: Organization, seed: int) -> list[Follow]:
    """1-4 leaders per person (one for ~10%), mostly their manager and informal leaders nearby."""
    rng = seeded_random(seed, "follows")
    quiet = set(org.quiet_managers)
    leaders_in = _informal_leaders_by_context(org)
    follows: list[Follow] = []
    for person in org.people:
        candidates = _follow_candidates(person, org, quiet, leaders_in, rng)
        wanted = 1 if rng.random() < SINGLE_FOLLOW_SHARE else rng.randint(2, MAX_FOLLOWS)
        chosen = _weighted_sample(list(candidates.items()), wanted, rng)
        follows.extend(Follow(person.index, leader, context) for leader, (_, context) in chosen)
    return follows


def _informal_leaders_by_context(org: Organization) -> dict[str, list[int]]:
    leaders = set(org.informal_leaders)
    return {
        context: [index for index in indices if index in leaders]
        for context, indices in org.members.items()
    }


def _follow_candidates(
    person: Person,
    org: Organization,
    quiet: set[int],
    leaders_in: dict[str, list[int]],
    rng: random.Random,
) -> dict[int, tuple[float, str]]:
    """Each candidate leader with their pull and the context the follow happens in."""
    candidates: dict[int, tuple[float, str]] = {}

    def offer(leader: int, pull: float, context: str) -> None:
        if leader != person.index and leader not in candidates:
            candidates[leader] = (pull, context)

    if person.manager is not None:
        pull = QUIET_MANAGER_PULL if person.manager in quiet else MANAGER_PULL
        offer(person.manager, pull, person.teams[0])
    for context in person.contexts:
        nearby = leaders_in[context]
        if len(nearby) > INFORMAL_LEADERS_OFFERED_PER_CONTEXT:
            nearby = rng.sample(nearby, INFORMAL_LEADERS_OFFERED_PER_CONTEXT)
        for leader in nearby:
            offer(leader, INFORMAL_LEADER_PULL, context)
    for team in person.teams:  # so that everyone, the CEO included, has someone to follow
        for peer in org.members[team]:
            offer(peer, PEER_PULL, team)
    return candidates


def _weighted_sample(
    candidates: list[tuple[int, tuple[float, str]]], count: int, rng: random.Random
) -> list[tuple[int, tuple[float, str]]]:
    """Without replacement (Efraimidis-Spirakis keys: u ** (1 / weight), largest first)."""
    keyed = [
        (rng.random() ** (1.0 / pull), (leader, (pull, c))) for leader, (pull, c) in candidates
    ]
    keyed.sort(key=lambda item: item[0], reverse=True)
    return [candidate for _, candidate in keyed[:count]]


# --- Time ----------------------------------------------------------------------------------------


class Timeline:
    """The event window [end - days, end] in whole UTC seconds, busiest during working hours."""

    def __init__(self, end: datetime, days: int) -> None:
        self.end = math.floor(end.timestamp())
        self.start = self.end - days * SECONDS_PER_DAY
        self._slot_starts: list[int] = []
        self._slot_lengths: list[int] = []
        self._cumulative: list[float] = []
        self._build_slots()
        self._first_day = self.start // SECONDS_PER_DAY
        self._day_prefixes = [
            datetime.fromtimestamp(day * SECONDS_PER_DAY, UTC).strftime("%Y-%m-%dT")
            for day in range(self._first_day, self.end // SECONDS_PER_DAY + 1)
        ]
        self._clock = _clock_faces()

    def _build_slots(self) -> None:
        """Hour-long slots (clipped at both ends of the window) weighted by how busy they are."""
        total = 0.0
        hour = self.start - self.start % SECONDS_PER_HOUR
        while hour <= self.end:
            low, high = max(hour, self.start), min(hour + SECONDS_PER_HOUR, self.end + 1)
            total += _hour_busyness(hour) * (high - low) / SECONDS_PER_HOUR
            self._slot_starts.append(low)
            self._slot_lengths.append(high - low)
            self._cumulative.append(total)
            hour += SECONDS_PER_HOUR

    def sample(self, rng: random.Random) -> int:
        slot = bisect.bisect(self._cumulative, rng.random() * self._cumulative[-1])
        slot = min(slot, len(self._cumulative) - 1)  # guards the float edge at the very top
        return self._slot_starts[slot] + int(rng.random() * self._slot_lengths[slot])

    def sample_within(self, rng: random.Random, low: int, high: int) -> int:
        """Like `sample`, restricted to moments in [low, high) (which must overlap the window)."""
        first = max(0, bisect.bisect_right(self._slot_starts, low) - 1)
        past = max(first + 1, bisect.bisect_left(self._slot_starts, high))
        base = self._cumulative[first - 1] if first else 0.0
        top = self._cumulative[past - 1]
        slot = bisect.bisect(self._cumulative, base + rng.random() * (top - base))
        slot = min(max(slot, first), past - 1)
        moment = self._slot_starts[slot] + int(rng.random() * self._slot_lengths[slot])
        return min(max(moment, low), high - 1)

    def iso(self, moment: int) -> str:
        day, second = divmod(moment, SECONDS_PER_DAY)
        return self._day_prefixes[day - self._first_day] + self._clock[second]


def _hour_busyness(hour_start: int) -> float:
    day, second = divmod(hour_start, SECONDS_PER_DAY)
    hour = second // SECONDS_PER_HOUR
    weekend = (day + EPOCH_WEEKDAY) % 7 >= 5
    if weekend:
        return 0.06 if 9 <= hour < 20 else 0.01
    if 9 <= hour < 17:
        return 1.0
    if 7 <= hour < 9 or 17 <= hour < 20:
        return 0.3
    return 0.03


@functools.cache
def _clock_faces() -> tuple[str, ...]:
    """Every second of a day as HH:MM:SSZ, so that formatting a time is a lookup."""
    return tuple(
        f"{hour:02d}:{minute:02d}:{second:02d}Z"
        for hour in range(24)
        for minute in range(60)
        for second in range(60)
    )


# --- Events --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventShaping:
    """Traits planted on people and teams (devtools.synthetic_outcomes) that the events carry.
    Without one, the events are drawn exactly as they always were (no extra draw anywhere).

    The streams draw *positions* (an index of `Organization.people`); with a shaping, each
    position is held by a sequence of people (who left, then who replaced them), and an event is
    written with the people who held the two positions at its moment."""

    # Per position: (first second held, external id) of each holder in turn, the first from before
    # the window; positions are never vacant (a replacement starts on the day its predecessor left).
    holders: Sequence[Sequence[tuple[int, str]]]
    sociability: Sequence[float]  # per position: the chance that a drawn event with them happens
    affect_mean: Sequence[float]  # per position: the mean affect of the interactions they give
    # Team -> (its star, the share of the team's recognitions that go to the star).
    recognition_star: Mapping[str, tuple[int, float]]

    def holder(self, position: int, moment: int) -> str:
        return holder_at(self.holders[position], moment)

    def spans(self, position: int, start: int, end: int) -> list[tuple[int, int]]:
        """[first, last) second of each holder's time in [start, end), non-empty ones only."""
        held = self.holders[position]
        found = []
        for turn, (since, _) in enumerate(held):
            until = held[turn + 1][0] if turn + 1 < len(held) else end
            first, last = max(since, start), min(until, end)
            if first < last:
                found.append((first, last))
        return found

    def allows(self, first: int, second: int, rng: random.Random) -> bool:
        """Whether a drawn event between the two happens (thinning: rejected events are drawn
        again, so totals stay as planned)."""
        chance = self.sociability[first] * self.sociability[second]
        return chance >= 1.0 or rng.random() < chance


def holder_at(held: Sequence[tuple[int, str]], moment: int) -> str:
    """Who held a position at `moment`, from its (first second held, external id) in turn."""
    turn = bisect.bisect_right(held, moment, key=lambda holder: holder[0]) - 1
    return held[max(turn, 0)][1]


@dataclass(frozen=True)
class EventVolume:
    follows: int
    recognitions: int
    interactions: int

    @property
    def total(self) -> int:
        return self.follows + self.recognitions + self.interactions


def plan_volume(follows: int, people: int, events_per_person: int) -> EventVolume:
    """About people x K events: ~10% recognitions, follows as planned, interactions the rest."""
    target = people * events_per_person
    recognitions = round(target * RECOGNITION_SHARE)
    return EventVolume(follows, recognitions, max(0, target - follows - recognitions))


def event_id(number: int) -> str:
    return f"ev-{number:09d}"


def affect_text(value: float) -> str:
    text = f"{max(-1.0, min(1.0, value)):.2f}"
    return "0.00" if text == "-0.00" else text


class WeightedPicker:
    """Draws indices in proportion to their weights (cumulative weights and a binary search)."""

    def __init__(self, weights: Iterable[float]) -> None:
        self._cumulative: list[float] = []
        total = 0.0
        for weight in weights:
            total += weight
            self._cumulative.append(total)
        self._total = total

    def pick(self, rng: random.Random) -> int:
        index = bisect.bisect(self._cumulative, rng.random() * self._total)
        return min(index, len(self._cumulative) - 1)


def activity_picker(org: Organization, rng: random.Random) -> WeightedPicker:
    """Some people talk and recognize far more than others; brokers talk the most."""
    brokers = set(org.brokers)
    return WeightedPicker(
        rng.lognormvariate(0.0, 0.6) * (3.0 if person.index in brokers else 1.0)
        for person in org.people
    )


def event_rows(
    org: Organization,
    follows: Sequence[Follow],
    config: GeneratorConfig,
    shaping: EventShaping | None = None,
) -> Iterator[Row]:
    """All events, lazily: follows, then recognitions, then interactions, numbered in that order."""
    timeline = Timeline(config.end, config.days)
    volume = planned_volume(follows, config, shaping)
    follow_times = seeded_random(config.seed, "follow-times")
    yield from _follow_rows(org, follows, timeline, follow_times, shaping)
    first = volume.follows + 1
    recognitions = _RecognitionStream(
        org, timeline, seeded_random(config.seed, "recognitions"), shaping
    )
    yield from recognitions.rows(first, volume.recognitions)
    first += volume.recognitions
    interactions = _InteractionStream(
        org, timeline, seeded_random(config.seed, "interactions"), shaping
    )
    yield from interactions.rows(first, volume.interactions)


def planned_volume(
    follows: Sequence[Follow], config: GeneratorConfig, shaping: EventShaping | None = None
) -> EventVolume:
    """With a shaping, every holder of a follower's position follows (one row per holder)."""
    count = len(follows)
    if shaping is not None:
        timeline = Timeline(config.end, config.days)
        count = sum(len(_follower_spans(follow, timeline, shaping)) for follow in follows)
    return plan_volume(count, config.people, config.events_per_person)


def _follower_spans(
    follow: Follow, timeline: Timeline, shaping: EventShaping
) -> list[tuple[int, int]]:
    return shaping.spans(follow.follower, timeline.start, timeline.end + 1)


def _follow_moments(
    follow: Follow, timeline: Timeline, rng: random.Random, shaping: EventShaping | None
) -> Iterator[int]:
    if shaping is None:
        yield timeline.sample(rng)
        return
    for low, high in _follower_spans(follow, timeline, shaping):
        yield timeline.sample_within(rng, low, high)


def _follow_rows(
    org: Organization,
    follows: Sequence[Follow],
    timeline: Timeline,
    rng: random.Random,
    shaping: EventShaping | None,
) -> Iterator[Row]:
    ids = [person.external_id for person in org.people]
    number = 0
    for follow in follows:
        for moment in _follow_moments(follow, timeline, rng, shaping):
            number += 1
            if shaping is None:
                source, target = ids[follow.follower], ids[follow.leader]
            else:
                source = shaping.holder(follow.follower, moment)
                target = shaping.holder(follow.leader, moment)
            yield (
                "follow",
                source,
                target,
                follow.context,
                timeline.iso(moment),
                "",
                "",
                "",
                event_id(number),
                "",
                "",
            )


class _RecognitionStream:
    def __init__(
        self,
        org: Organization,
        timeline: Timeline,
        rng: random.Random,
        shaping: EventShaping | None = None,
    ) -> None:
        self._org = org
        self._timeline = timeline
        self._rng = rng
        self._shaping = shaping
        self._givers = activity_picker(org, rng)
        self._leaders_in = _informal_leaders_by_context(org)
        self._contexts = [person.contexts for person in org.people]

    def rows(self, first: int, count: int) -> Iterator[Row]:
        name = namer(self._org, self._shaping)
        rng, timeline, shaping = self._rng, self._timeline, self._shaping
        for number in range(first, first + count):
            giver, receiver, context, moment = self._draw()
            while shaping is not None and not shaping.allows(giver, receiver, rng):
                giver, receiver, context, moment = self._draw()
            yield (
                "recognition",
                name(giver, moment),
                name(receiver, moment),
                context,
                timeline.iso(moment),
                affect_text(self._affect()),
                "",
                rng.choice(RECOGNITION_MESSAGES),
                event_id(number),
                "",
                rng.choice(VALUE_TAGS[0] if rng.random() < 0.5 else VALUE_TAGS[1]),
            )

    def _draw(self) -> tuple[int, int, str, int]:
        """Giver, receiver, context and moment of a recognition."""
        giver = self._givers.pick(self._rng)
        receiver, context = self._receiver(giver)
        return giver, receiver, context, self._timeline.sample(self._rng)

    def _receiver(self, giver: int) -> tuple[int, str]:
        rng, members = self._rng, self._org.members
        if rng.random() < RECOGNITION_WITHOUT_CONTEXT:
            return _anyone_but(giver, len(self._contexts), rng), ""
        context = rng.choice(self._contexts[giver])
        leaders = self._leaders_in[context]
        if leaders and leaders != [giver] and rng.random() < RECOGNITION_OF_INFORMAL_LEADER:
            return _member_but(giver, leaders, rng), context
        if len(members[context]) < 2:  # alone in that context: recognize a teammate instead
            context = self._contexts[giver][0]
        star = self._star_chosen(giver, context)
        if star is not None:
            return star, context
        return _member_but(giver, members[context], rng), context

    def _star_chosen(self, giver: int, context: str) -> int | None:
        """The team's star, when recognition in the team is planted as concentrated on them."""
        if self._shaping is None or context not in self._shaping.recognition_star:
            return None
        star, share = self._shaping.recognition_star[context]
        return star if star != giver and self._rng.random() < share else None

    def _affect(self) -> float:
        """Mostly warm (beta around 0.6), some neutral, a few negative."""
        rng = self._rng
        draw = rng.random()
        if draw < 0.85:
            return rng.betavariate(6.0, 4.0)
        if draw < 0.95:
            return rng.gauss(0.0, 0.08)
        return -rng.betavariate(2.0, 5.0)


def namer(org: Organization, shaping: EventShaping | None) -> Callable[[int, int], str]:
    """(position, moment) -> the external id of whoever held the position at that moment."""
    if shaping is not None:
        return shaping.holder
    ids = [person.external_id for person in org.people]
    return lambda position, _moment: ids[position]


def _anyone_but(person: int, size: int, rng: random.Random) -> int:
    other = rng.randrange(size - 1)
    return other if other < person else other + 1


def _member_but(person: int, members: list[int], rng: random.Random) -> int:
    """A member other than `person`; `members` holds at least one such."""
    while True:
        member = members[int(rng.random() * len(members))]
        if member != person:
            return member


class _InteractionStream:
    """Bursty conversations: sessions during working hours, several messages minutes apart,
    most of them answered."""

    def __init__(
        self,
        org: Organization,
        timeline: Timeline,
        rng: random.Random,
        shaping: EventShaping | None = None,
    ) -> None:
        self._org = org
        self._timeline = timeline
        self._rng = rng
        self._shaping = shaping
        self._affect_mean = (
            [INTERACTION_AFFECT_MEAN] * len(org.people) if shaping is None else shaping.affect_mean
        )
        self._initiators = activity_picker(org, rng)
        self._channels = WeightedPicker(CHANNEL_WEIGHTS)
        self._size = len(org.people)
        self._silo_team_of = {index: team for team in org.silo_teams for index in org.members[team]}
        self._outsiders = [i for i in range(self._size) if i not in self._silo_team_of]
        self._brokers = set(org.brokers)
        self._teams = [person.teams for person in org.people]
        self._cross = [
            [c for c in person.cross_contexts if len(org.members[c]) > 1] for person in org.people
        ]
        self._meeting_weights = {
            channel: [f"{round(minutes / 30, 2):g}" for minutes in durations]
            for channel, durations in SESSION_MINUTES.items()
        }

    def rows(self, first: int, count: int) -> Iterator[Row]:
        name = namer(self._org, self._shaping)
        rng, iso, end = self._rng, self._timeline.iso, self._timeline.end
        random_, gauss, log = rng.random, rng.gauss, math.log
        shaping, affect_mean, affect_sd = self._shaping, self._affect_mean, INTERACTION_AFFECT_SD
        number, last = first, first + count
        while number < last:
            source = self._initiators.pick(rng)
            target, context = self._partner(source)
            channel = CHANNELS[self._channels.pick(rng)]
            length, weight, shortest_gap, mean_extra_gap = self._session_shape(channel)
            moment = self._timeline.sample(rng)
            if shaping is not None and not shaping.allows(source, target, rng):
                continue
            for _ in range(length):
                if moment > end or number == last:
                    break
                affect = (
                    affect_text(gauss(affect_mean[source], affect_sd))
                    if random_() < AFFECT_PRESENT_SHARE
                    else ""
                )
                yield (
                    "interaction",
                    name(source, moment),
                    name(target, moment),
                    context,
                    iso(moment),
                    affect,
                    weight,
                    "",
                    event_id(number),
                    channel,
                    "",
                )
                number += 1
                moment += shortest_gap - int(mean_extra_gap * log(1.0 - random_()))
                if random_() < REPLY_PROBABILITY:
                    source, target = target, source

    def _session_shape(self, channel: str) -> tuple[int, str, int, float]:
        """(events, weight, shortest gap and mean extra gap between events in seconds)."""
        rng = self._rng
        if channel == "chat":
            return 1 + min(11, int(rng.expovariate(1 / 3))), "1", 20, MEAN_CHAT_GAP_SECONDS
        if channel == "email":
            return 1 + min(4, int(rng.expovariate(1.0))), "1", 60, MEAN_EMAIL_GAP_SECONDS
        # A meeting, call or visit, sometimes followed by a second one the other way round.
        option = rng.randrange(len(SESSION_MINUTES[channel]))
        weight = self._meeting_weights[channel][option]
        length = 1 if rng.random() < 0.5 else 2
        return length, weight, SESSION_MINUTES[channel][option] * 60, 0.0

    def _partner(self, person: int) -> tuple[int, str]:
        """Whom a conversation is with, and in which context ("" for anyone in the company)."""
        rng = self._rng
        draw = rng.random()
        silo_team = self._silo_team_of.get(person)
        if silo_team is not None:
            if draw < SILO_INTERNAL_SHARE:
                return _member_but(person, self._org.members[silo_team], rng), silo_team
            return self._anyone_connected(person), ""
        if person in self._brokers and draw < BROKER_OUTREACH_SHARE:
            return self._anyone_connected(person), ""
        cross = self._cross[person]
        if draw < TEAM_INTERACTION_SHARE or (
            draw < TEAM_INTERACTION_SHARE + CROSS_CONTEXT_INTERACTION_SHARE and not cross
        ):
            team = rng.choice(self._teams[person])
            return _member_but(person, self._org.members[team], rng), team
        if draw < TEAM_INTERACTION_SHARE + CROSS_CONTEXT_INTERACTION_SHARE:
            context = rng.choice(cross)
            return _member_but(person, self._org.members[context], rng), context
        return self._anyone_connected(person), ""

    def _anyone_connected(self, person: int) -> int:
        """Anyone outside the silo teams, so that silos stay (almost) silent to the outside."""
        outsiders = self._outsiders
        if not outsiders or outsiders == [person]:
            return _anyone_but(person, self._size, self._rng)
        return _member_but(person, outsiders, self._rng)


# --- Files ---------------------------------------------------------------------------------------


def write_rows(path: Path, header: Sequence[str], rows: Iterable[Row]) -> None:
    """Streams `rows` to a UTF-8 CSV file with `\\n` line endings, header first."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv_writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@dataclass(frozen=True)
class GenerationSummary:
    people: int
    contexts: int
    volume: EventVolume
    org_path: Path
    events_path: Path

    def describe(self) -> str:
        volume = self.volume
        return (
            f"{self.people} people, {self.contexts} contexts, {volume.total} events "
            f"(interaction {volume.interactions}, recognition {volume.recognitions}, "
            f"follow {volume.follows}) -> {self.org_path}, {self.events_path}"
        )


def generate(config: GeneratorConfig, out_dir: Path) -> GenerationSummary:
    org = build_organization(config.people, config.seed)
    follows = plan_follows(org, config.seed)
    org_path, events_path = out_dir / ORG_FILE, out_dir / EVENTS_FILE
    write_rows(org_path, ORG_COLUMNS, org_rows(org))
    write_rows(events_path, EVENT_FILE_COLUMNS, event_rows(org, follows, config))
    volume = plan_volume(len(follows), config.people, config.events_per_person)
    return GenerationSummary(config.people, len(org.contexts), volume, org_path, events_path)
