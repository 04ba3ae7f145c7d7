"""devtools/synthetic.py and `manage.py generate_org`: the synthetic organization and its events.

Pure unit tests: they generate small organizations into temporary directories and read the CSV
files back. No database, no services.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import random
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from devtools.synthetic import (
    CHANNELS,
    COMPANY_VALUES,
    CONTEXT_KINDS,
    EVENT_KINDS,
    MAX_SPAN,
    GeneratorConfig,
    Organization,
    Row,
    Timeline,
    build_organization,
    default_end,
    event_rows,
    generate,
    parse_end,
    plan_follows,
    write_rows,
)
from sociograph.ingest.formats import EVENT_FILE_COLUMNS, ORG_COLUMNS

END = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
PEOPLE = 300
EVENTS_PER_PERSON = 40
DAYS = 30
CONFIG = GeneratorConfig(
    people=PEOPLE, seed=42, end=END, days=DAYS, events_per_person=EVENTS_PER_PERSON
)
EXTERNAL_ID = re.compile(r"E\d{5,}")
EVENT_ID = re.compile(r"ev-\d{9}")
AFFECT = re.compile(r"-?[01]\.\d\d")

Record = dict[str, str]


@dataclasses.dataclass(frozen=True)
class Generated:
    directory: Path
    org: list[Record]
    events: list[Record]

    @property
    def by_id(self) -> dict[str, Record]:
        return {person["external_id"]: person for person in self.org}

    def of_kind(self, kind: str) -> list[Record]:
        return [event for event in self.events if event["kind"] == kind]


def _read(path: Path) -> list[Record]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _generate(config: GeneratorConfig, directory: Path) -> Generated:
    generate(config, directory)
    return Generated(directory, _read(directory / "org.csv"), _read(directory / "events.csv"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return _generate(CONFIG, tmp_path_factory.mktemp("org"))


@pytest.fixture(scope="module")
def organization() -> Organization:
    return build_organization(CONFIG.people, CONFIG.seed)


def _teams(person: Record) -> set[str]:
    return {c for c in person["contexts"].split(";") if c.startswith("team:")}


def _contexts(person: Record) -> set[str]:
    return set(person["contexts"].split(";"))


# --- Determinism and format ----------------------------------------------------------------------


def test_the_same_seed_gives_byte_identical_files(generated: Generated, tmp_path: Path) -> None:
    again = _generate(CONFIG, tmp_path)
    for name in ("org.csv", "events.csv"):
        assert (again.directory / name).read_bytes() == (generated.directory / name).read_bytes()


def test_another_seed_gives_other_files(generated: Generated, tmp_path: Path) -> None:
    other = GeneratorConfig(people=PEOPLE, seed=43, end=END, days=DAYS, events_per_person=40)
    generate(other, tmp_path)
    for name in ("org.csv", "events.csv"):
        assert (tmp_path / name).read_bytes() != (generated.directory / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "columns"), [("org.csv", ORG_COLUMNS), ("events.csv", EVENT_FILE_COLUMNS)]
)
def test_files_start_with_the_exact_header_and_use_newline_endings(
    generated: Generated, name: str, columns: Sequence[str]
) -> None:
    text = (generated.directory / name).read_text(encoding="utf-8")
    assert text.split("\n", 1)[0] == ",".join(columns)
    assert "\r" not in text
    assert text.endswith("\n")


# --- The organization ----------------------------------------------------------------------------


def test_people_have_unique_ids_and_example_org_emails(generated: Generated) -> None:
    ids = [person["external_id"] for person in generated.org]
    emails = [person["email"] for person in generated.org]
    assert len(generated.org) == PEOPLE
    assert len(set(ids)) == len(ids)
    assert all(EXTERNAL_ID.fullmatch(external_id) for external_id in ids)
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+\.\d+@example\.org", email) for email in emails)
    assert all(person["name"] and person["title"] for person in generated.org)


def test_there_is_exactly_one_root_the_ceo(generated: Generated) -> None:
    roots = [person for person in generated.org if not person["manager_external_id"]]
    assert len(roots) == 1
    assert roots[0]["title"] == "Chief Executive Officer"


def test_managers_are_listed_before_their_reports(generated: Generated) -> None:
    seen: set[str] = set()
    for person in generated.org:
        manager = person["manager_external_id"]
        assert not manager or manager in seen
        seen.add(person["external_id"])


def test_the_hierarchy_is_a_tree_without_cycles(generated: Generated) -> None:
    managers = {p["external_id"]: p["manager_external_id"] for p in generated.org}
    for person in managers:
        chain = [person]
        while managers[chain[-1]]:
            chain.append(managers[chain[-1]])
            assert len(chain) <= len(managers), f"cycle above {person}"
        assert len(set(chain)) == len(chain)


def test_spans_of_control_are_at_most_nine(generated: Generated) -> None:
    spans = Counter(p["manager_external_id"] for p in generated.org if p["manager_external_id"])
    assert max(spans.values()) <= MAX_SPAN
    assert statistics.median(spans.values()) >= 5


def test_contexts_are_kind_and_name_and_everyone_is_in_a_team(generated: Generated) -> None:
    kinds: Counter[str] = Counter()
    for person in generated.org:
        for context in person["contexts"].split(";"):
            kind, _, name = context.partition(":")
            assert kind in CONTEXT_KINDS
            assert name.strip() == name
            assert name
            kinds[kind] += 1
        assert 1 <= len(_teams(person)) <= 2
    assert set(kinds) == set(CONTEXT_KINDS)


def test_a_team_is_a_manager_and_their_direct_reports(generated: Generated) -> None:
    members: defaultdict[str, set[str]] = defaultdict(set)
    for person in generated.org:
        for team in _teams(person):
            members[team].add(person["external_id"])
    for team, ids in members.items():
        managers = {generated.by_id[i]["manager_external_id"] for i in ids}
        leader = ids & managers
        assert len(leader) == 1, team
        assert ids - leader == {
            i for i in ids if generated.by_id[i]["manager_external_id"] in leader
        }


def test_people_are_in_at_most_two_projects(generated: Generated) -> None:
    projects = [
        sum(c.startswith("project:") for c in person["contexts"].split(";"))
        for person in generated.org
    ]
    assert max(projects) <= 2
    assert min(projects) == 0


def test_the_organization_has_silo_teams_brokers_and_informal_leaders(
    organization: Organization,
) -> None:
    assert len(organization.silo_teams) == 2
    assert len(organization.brokers) >= 2
    assert organization.informal_leaders
    assert not any(organization.people[i].is_manager for i in organization.informal_leaders)


# --- Events: every kind --------------------------------------------------------------------------


def test_events_link_two_different_known_people(generated: Generated) -> None:
    people = generated.by_id
    for event in generated.events:
        assert event["source"] in people
        assert event["target"] in people
        assert event["source"] != event["target"]


def test_event_ids_are_unique_and_well_formed(generated: Generated) -> None:
    ids = [event["event_id"] for event in generated.events]
    assert len(set(ids)) == len(ids)
    assert all(EVENT_ID.fullmatch(event_id) for event_id in ids)


def test_every_event_lies_within_the_window(generated: Generated) -> None:
    start = END - timedelta(days=DAYS)
    for event in generated.events:
        assert event["at"].endswith("Z")
        assert start <= datetime.fromisoformat(event["at"]) <= END


def test_affect_is_empty_or_two_decimals_in_range(generated: Generated) -> None:
    for event in generated.events:
        if event["affect"]:
            assert AFFECT.fullmatch(event["affect"])
            assert -1.0 <= float(event["affect"]) <= 1.0


def test_kinds_and_their_fields(generated: Generated) -> None:
    for event in generated.events:
        kind = event["kind"]
        assert kind in EVENT_KINDS
        assert bool(event["channel"]) == (kind == "interaction")
        assert bool(event["message"]) == (kind == "recognition")
        assert bool(event["values"]) == (kind == "recognition")
        assert event["weight"] == "" or float(event["weight"]) > 0
        if event["context"]:
            assert event["context"].partition(":")[0] in CONTEXT_KINDS


def test_the_event_count_is_about_people_times_k(generated: Generated) -> None:
    kinds = Counter(event["kind"] for event in generated.events)
    assert sum(kinds.values()) == pytest.approx(PEOPLE * EVENTS_PER_PERSON, rel=0.05)
    assert kinds["interaction"] / sum(kinds.values()) > 0.8
    assert kinds["recognition"] / sum(kinds.values()) == pytest.approx(0.10, abs=0.01)


# --- Follows -------------------------------------------------------------------------------------


def test_every_follow_happens_in_a_context_both_people_belong_to(generated: Generated) -> None:
    people = generated.by_id
    follows = generated.of_kind("follow")
    assert follows
    for follow in follows:
        assert follow["context"]
        assert follow["context"] in _contexts(people[follow["source"]])
        assert follow["context"] in _contexts(people[follow["target"]])


def test_everyone_follows_one_to_four_leaders_and_some_exactly_one(generated: Generated) -> None:
    follows = generated.of_kind("follow")
    leaders = Counter(follow["source"] for follow in follows)
    assert set(leaders) == set(generated.by_id)
    assert all(1 <= count <= 4 for count in leaders.values())
    single = sum(count == 1 for count in leaders.values()) / len(leaders)
    assert 0.03 <= single <= 0.25
    assert len({(f["source"], f["target"]) for f in follows}) == len(follows)


def test_informal_leaders_attract_more_follows_than_managers(organization: Organization) -> None:
    followers = Counter(follow.leader for follow in plan_follows(organization, CONFIG.seed))
    managers = [p.index for p in organization.people if p.is_manager and p.level > 0]
    informal = statistics.mean(followers[i] for i in organization.informal_leaders)
    assert informal > statistics.mean(followers[i] for i in managers)
    assert min(followers[i] for i in organization.quiet_managers) <= 1


# --- Recognitions and interactions ---------------------------------------------------------------


def test_recognitions_are_mostly_warm_with_values(generated: Generated) -> None:
    recognitions = generated.of_kind("recognition")
    affects = [float(event["affect"]) for event in recognitions]
    assert 0.4 <= statistics.mean(affects) <= 0.7
    assert any(affect < 0 for affect in affects)
    for event in recognitions:
        values = event["values"].split(";")
        assert 1 <= len(values) <= 2
        assert set(values) <= set(COMPANY_VALUES)
    with_context = sum(bool(event["context"]) for event in recognitions) / len(recognitions)
    assert with_context > 0.8


def test_interactions_use_known_channels_and_positive_weights(generated: Generated) -> None:
    interactions = generated.of_kind("interaction")
    assert {event["channel"] for event in interactions} == set(CHANNELS)
    for event in interactions:
        weight = float(event["weight"])
        assert weight == 1 if event["channel"] in ("chat", "email") else weight > 0
    without_affect = sum(not event["affect"] for event in interactions) / len(interactions)
    assert without_affect == pytest.approx(0.7, abs=0.05)


def test_interactions_stay_mostly_in_teams_and_are_mostly_answered(generated: Generated) -> None:
    people = generated.by_id
    interactions = generated.of_kind("interaction")
    in_team = sum(
        bool(_teams(people[e["source"]]) & _teams(people[e["target"]])) for e in interactions
    ) / len(interactions)
    assert 0.65 <= in_team <= 0.9
    arcs = {(e["source"], e["target"]) for e in interactions}
    assert sum((target, source) in arcs for source, target in arcs) / len(arcs) > 0.5


def test_interactions_come_in_bursts_on_working_days(generated: Generated) -> None:
    moments = sorted(datetime.fromisoformat(e["at"]) for e in generated.of_kind("interaction"))
    weekdays = sum(moment.weekday() < 5 for moment in moments) / len(moments)
    assert weekdays > 0.85
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(moments)]
    # Bursts: the typical gap between events is far shorter than an even spread would give.
    assert statistics.median(gaps) < DAYS * 86400 / len(moments) / 2


def test_silo_teams_barely_talk_to_anyone_outside(
    generated: Generated, organization: Organization
) -> None:
    silo = {organization.people[i].external_id for i in organization.silo_members()}
    touching = [
        e for e in generated.of_kind("interaction") if e["source"] in silo or e["target"] in silo
    ]
    crossing = [e for e in touching if not (e["source"] in silo and e["target"] in silo)]
    assert touching
    assert len(crossing) / len(touching) < 0.15  # the team's manager still talks to their peers


def test_brokers_talk_across_many_teams(generated: Generated, organization: Organization) -> None:
    people = generated.by_id
    partner_teams: defaultdict[str, set[str]] = defaultdict(set)
    for event in generated.of_kind("interaction"):
        partner_teams[event["source"]] |= _teams(people[event["target"]])
    typical = statistics.median(len(teams) for teams in partner_teams.values())
    for broker in organization.brokers:
        assert len(partner_teams[organization.people[broker].external_id]) > 2 * typical


# --- Streaming -----------------------------------------------------------------------------------


def test_events_are_produced_lazily(organization: Organization) -> None:
    huge = GeneratorConfig(people=PEOPLE, seed=42, end=END, days=DAYS, events_per_person=10**12)
    rows = event_rows(organization, plan_follows(organization, huge.seed), huge)
    assert isinstance(rows, Iterator)
    # 3 * 10**14 events could never be materialized: the first ones come out right away.
    first = list(itertools.islice(rows, 5000))
    assert len(first) == 5000
    assert first[-1][0] == "recognition"


def test_rows_reach_the_file_while_they_are_still_being_produced(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    sizes_seen_midway: list[int] = []

    def rows() -> Iterator[Row]:
        for number in range(40_000):
            if number == 30_000:
                sizes_seen_midway.append(path.stat().st_size)
            yield ("interaction", "E00001", "E00002", "", "", "", "1", "", f"ev-{number}", "", "")

    write_rows(path, EVENT_FILE_COLUMNS, rows())
    assert sizes_seen_midway[0] > 0
    assert len(path.read_text(encoding="utf-8").splitlines()) == 40_001


# --- Arguments and the command -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"people": 1}, "--people must be at least 2"),
        ({"days": 0}, "--days must be at least 1"),
        ({"events_per_person": -1}, "--events-per-person"),
        ({"end": datetime(2026, 1, 1)}, "time zone"),
    ],
)
def test_invalid_configurations_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(CONFIG, **changes)


def test_end_parsing_accepts_z_offsets_and_naive_utc() -> None:
    assert parse_end("2026-01-31T12:00:00Z") == END
    assert parse_end("2026-01-31T14:00:00+02:00") == END
    assert parse_end("2026-01-31T12:00:00") == END
    with pytest.raises(ValueError, match="ISO-8601"):
        parse_end("yesterday")


def test_the_default_end_is_now_rounded_down_to_the_hour() -> None:
    now = datetime(2026, 1, 31, 14, 59, 59, 999999, tzinfo=UTC)
    assert default_end(now) == datetime(2026, 1, 31, 14, tzinfo=UTC)


def test_the_command_writes_both_files_and_a_one_line_summary(tmp_path: Path) -> None:
    out = StringIO()
    call_command(
        "generate_org",
        "--people=40",
        "--seed=3",
        f"--out={tmp_path / 'demo'}",
        "--days=10",
        "--end=2026-01-31T12:00:00Z",
        "--events-per-person=20",
        stdout=out,
    )
    summary = out.getvalue().strip()
    assert "\n" not in summary
    assert "40 people" in summary
    assert "800 events" in summary
    assert str(tmp_path / "demo" / "org.csv") in summary
    assert len(_read(tmp_path / "demo" / "events.csv")) == 800


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("--people=1", "--people must be at least 2"),
        ("--days=0", "--days must be at least 1"),
        ("--end=tomorrow", "--end must be an ISO-8601"),
    ],
)
def test_the_command_explains_invalid_arguments(
    tmp_path: Path, argument: str, message: str
) -> None:
    arguments = ["--people=10", "--seed=1", f"--out={tmp_path}", argument]
    with pytest.raises(CommandError, match=message):
        call_command("generate_org", *arguments)


def test_moments_drawn_within_a_span_stay_in_it_and_favour_working_hours() -> None:
    timeline = Timeline(datetime(2026, 1, 31, 12, 0, tzinfo=UTC), 30)
    rng = random.Random(7)
    low, high = timeline.start + 5 * 86400 + 1234, timeline.start + 12 * 86400 + 777
    moments = [timeline.sample_within(rng, low, high) for _ in range(5000)]
    assert low <= min(moments)
    assert max(moments) < high
    working = sum(9 <= datetime.fromtimestamp(m, UTC).hour < 17 for m in moments)
    assert working > 0.6 * len(moments)  # 8 of 24 hours by the clock
    one_second = {timeline.sample_within(rng, low, low + 1) for _ in range(20)}
    assert one_second == {low}
