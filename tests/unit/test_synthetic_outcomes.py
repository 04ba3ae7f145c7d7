"""devtools/synthetic_outcomes.py and `generate_org --outcomes / --outcomes-null`: planted truth.

Pure unit tests: they generate organizations into temporary directories and read the files back
(no database, no services). The statistical checks recompute the planted effects from the files by
simple, independent arithmetic (2x2 tables, least squares): they check the generator, not the
backtest. Every figure is deterministic for its seed.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from devtools.synthetic import GeneratorConfig, generate
from devtools.synthetic_outcomes import (
    DEFAULT_BASE_RATE,
    DEFAULT_HORIZON_DAYS,
    DEFAULT_ODDS_RATIO,
    DELIVERY_EQUITY_EFFECT,
    OUTCOME_COLUMNS,
    PULSE_EQUITY_EFFECT,
    OutcomeConfig,
    generate_with_outcomes,
)
from people.importers import parse_person_row
from sociograph.ingest.formats import EVENT_FILE_COLUMNS, OPTIONAL_ORG_COLUMNS, ORG_COLUMNS

END = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
LARGE = GeneratorConfig(people=2000, seed=2, end=END, days=120, events_per_person=10)
SMALL = GeneratorConfig(people=300, seed=42, end=END, days=60, events_per_person=20)
FILES = ("org.csv", "events.csv", "outcomes.csv", "outcomes-truth.json")
Z95 = 1.96

Record = dict[str, str]


@dataclasses.dataclass(frozen=True)
class Generated:
    directory: Path
    org: list[Record]
    events: list[Record]
    outcomes: list[Record]
    truth: dict[str, Any]

    def of_kind(self, kind: str) -> list[Record]:
        return [row for row in self.outcomes if row["kind"] == kind]

    @property
    def ids(self) -> list[str]:
        return [person["external_id"] for person in self.org]

    @property
    def left_on(self) -> dict[str, date]:
        return {row["subject"]: date.fromisoformat(row["at"]) for row in self.of_kind("departure")}

    @property
    def isolated(self) -> set[str]:
        return set(self.truth["isolation"]["people"])

    @property
    def exposed(self) -> set[str]:
        return set(self.truth["exposure"]["people"])

    @property
    def start_day(self) -> date:
        return date.fromisoformat(self.truth["events"]["start"][:10])

    @property
    def last_outcome_day(self) -> date:
        end_day = date.fromisoformat(self.truth["events"]["end"][:10])
        return end_day + timedelta(days=self.truth["departure"]["horizon_days"])


def _read(path: Path) -> list[Record]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _generate(config: GeneratorConfig, outcomes: OutcomeConfig, directory: Path) -> Generated:
    generate_with_outcomes(config, outcomes, directory)
    return Generated(
        directory,
        _read(directory / "org.csv"),
        _read(directory / "events.csv"),
        _read(directory / "outcomes.csv"),
        json.loads((directory / "outcomes-truth.json").read_text(encoding="utf-8")),
    )


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return _generate(LARGE, OutcomeConfig(planted=True), tmp_path_factory.mktemp("planted"))


@pytest.fixture(scope="module")
def null(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return _generate(LARGE, OutcomeConfig(planted=False), tmp_path_factory.mktemp("null"))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return _generate(SMALL, OutcomeConfig(planted=True), tmp_path_factory.mktemp("small"))


@pytest.fixture(params=["planted", "null"])
def variant(request: pytest.FixtureRequest) -> Generated:
    generated: Generated = request.getfixturevalue(request.param)
    return generated


# --- Determinism and what stays as it was --------------------------------------------------------


def test_the_same_seed_gives_byte_identical_files(small: Generated, tmp_path: Path) -> None:
    generate_with_outcomes(SMALL, OutcomeConfig(planted=True), tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (small.directory / name).read_bytes(), name


def test_another_seed_plants_other_people(small: Generated, tmp_path: Path) -> None:
    other = _generate(dataclasses.replace(SMALL, seed=43), OutcomeConfig(planted=True), tmp_path)
    assert other.isolated != small.isolated
    assert other.left_on != small.left_on


def test_without_outcomes_the_files_are_those_of_before(tmp_path: Path) -> None:
    """Pinned digests of `generate_org --people 50 --seed 3 --days 10 --events-per-person 5`:
    the outcome options must not change a single byte of the plain generator's output."""
    generate(GeneratorConfig(people=50, seed=3, end=END, days=10, events_per_person=5), tmp_path)
    digests = {name: _md5(tmp_path / name) for name in ("org.csv", "events.csv")}
    assert digests == {
        "org.csv": "7a52fc73f8baa05046d027520404973c",
        "events.csv": "c381bccb9df345e627aeaa2993b3bd0e",
    }


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def test_the_organization_is_the_plain_one_plus_employment_dates(
    small: Generated, tmp_path: Path
) -> None:
    generate(SMALL, tmp_path)
    plain = _read(tmp_path / "org.csv")
    assert [{c: p[c] for c in ORG_COLUMNS} for p in small.org[: SMALL.people]] == plain
    assert len(small.org) == SMALL.people + small.truth["replacements"] > SMALL.people


def test_planted_and_null_share_the_organization_and_the_traits(
    planted: Generated, null: Generated
) -> None:
    def without_left_on(generated: Generated) -> list[Record]:
        first = generated.org[: LARGE.people]
        return [{c: v for c, v in p.items() if c != "left_on"} for p in first]

    def positions(generated: Generated) -> list[Any]:
        teams = generated.truth["recognition_equity"]["teams"]
        return [
            generated.truth["isolation"]["positions"],
            generated.truth["exposure"]["positions"],
            {team: {k: v for k, v in t.items() if k != "stars"} for team, t in teams.items()},
        ]

    assert without_left_on(planted) == without_left_on(null)
    assert positions(planted) == positions(null)


# --- Formats -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("org.csv", (*ORG_COLUMNS, *OPTIONAL_ORG_COLUMNS)),
        ("events.csv", EVENT_FILE_COLUMNS),
        ("outcomes.csv", OUTCOME_COLUMNS),
    ],
)
def test_files_start_with_the_exact_header(small: Generated, name: str, columns: Any) -> None:
    text = (small.directory / name).read_text(encoding="utf-8")
    assert text.split("\n", 1)[0] == ",".join(columns)
    assert "\r" not in text


def test_every_org_row_passes_the_import_org_row_rules(small: Generated) -> None:
    inputs = [parse_person_row(person) for person in small.org]
    assert {i.external_id for i in inputs if i.left_on} == set(small.left_on)
    assert all(i.joined_on for i in inputs)


def test_departures_follow_the_import_format(variant: Generated) -> None:
    departures = variant.of_kind("departure")
    assert departures
    assert {row["subject"] for row in departures} <= set(variant.ids)
    assert len({row["subject"] for row in departures}) == len(departures)
    for row in departures:
        date.fromisoformat(row["at"])
        assert row["value"] in {"voluntary", "involuntary"}
        assert row["scale"] == row["context"] == ""
    assert Counter(row["value"] for row in departures)["involuntary"] > 0


def test_pulse_answers_are_whole_numbers_about_the_persons_team(variant: Generated) -> None:
    contexts = {p["external_id"]: p["contexts"].split(";") for p in variant.org}
    answers = variant.of_kind("wellbeing")
    assert answers
    for row in answers:
        assert row["value"] in {"1", "2", "3", "4", "5"}
        assert row["scale"] == "1-5"
        assert row["context"].startswith("team:")
        assert row["context"] in contexts[row["subject"]]
        assert date.fromisoformat(row["at"]).weekday() < 5
    assert set(variant.of_kind("wellbeing")[0]) == set(OUTCOME_COLUMNS)


def test_team_results_are_monthly_numbers_per_team(variant: Generated) -> None:
    teams = {c for p in variant.org for c in p["contexts"].split(";") if c.startswith("team:")}
    results = variant.of_kind("team_result")
    months = {row["at"] for row in results}
    assert all(re.fullmatch(r"\d{4}-\d\d-01", month) for month in months)
    assert len(results) == len(months) * len(teams)
    for row in results:
        assert row["subject"] == "delivery"
        assert row["context"] in teams
        assert row["scale"] == ""
        float(row["value"])


def test_only_the_outcome_kinds_are_written(variant: Generated) -> None:
    kinds = {row["kind"] for row in variant.outcomes}
    assert kinds == {"departure", "wellbeing", "team_result"}


def test_the_truth_states_the_planted_parameters(planted: Generated, null: Generated) -> None:
    departure = planted.truth["departure"]
    assert planted.truth["variant"] == "planted"
    assert departure["odds_ratio"] == {"isolated": DEFAULT_ODDS_RATIO, "exposed": 4.0}
    assert departure["base_rate"] == DEFAULT_BASE_RATE
    assert departure["horizon_days"] == DEFAULT_HORIZON_DAYS
    assert departure["departures"] == len(planted.of_kind("departure"))
    assert null.truth["variant"] == "null"
    assert null.truth["departure"]["odds_ratio"] == {"isolated": 1.0, "exposed": 1.0}
    assert null.truth["pulse"]["equity_effect"] == 0.0
    assert planted.truth["pulse"]["equity_effect"] == PULSE_EQUITY_EFFECT


# --- Employment and events -----------------------------------------------------------------------


def test_left_on_in_the_org_file_matches_the_departures(variant: Generated) -> None:
    in_org = {p["external_id"]: p["left_on"] for p in variant.org if p["left_on"]}
    assert in_org == {subject: day.isoformat() for subject, day in variant.left_on.items()}


def test_departures_fall_between_the_start_and_the_horizon_after_the_end(
    variant: Generated,
) -> None:
    days = variant.left_on.values()
    assert min(days) > variant.start_day
    assert max(days) <= variant.last_outcome_day + timedelta(days=1)
    assert any(day > variant.start_day + timedelta(days=120) for day in days)  # after the end too


def test_the_organizations_people_joined_before_the_events(variant: Generated) -> None:
    first = variant.org[: LARGE.people]
    assert all(date.fromisoformat(p["joined_on"]) < variant.start_day for p in first)


def test_each_leaver_is_replaced_the_same_day_in_the_same_position(variant: Generated) -> None:
    """Pairs every replacement with a leaver of that day with the same title and contexts."""
    leavers = Counter(
        (p["left_on"], p["title"], p["contexts"]) for p in variant.org if p["left_on"]
    )
    hires = Counter(
        (p["joined_on"], p["title"], p["contexts"]) for p in variant.org[LARGE.people :]
    )
    last_day = variant.last_outcome_day + timedelta(days=1)
    assert hires == leavers
    assert all(date.fromisoformat(day) <= last_day for day, _, _ in hires)


def test_the_headcount_stays_that_of_the_organization(variant: Generated) -> None:
    for day in _days(variant.start_day, variant.last_outcome_day, step=13):
        assert sum(_employed(person, day) for person in variant.org) == LARGE.people


def test_the_share_of_people_with_a_trait_stays_as_planted(variant: Generated) -> None:
    for trait in ("isolation", "exposure"):
        people, positions = set(variant.truth[trait]["people"]), variant.truth[trait]["positions"]
        for day in _days(variant.start_day, variant.last_outcome_day, step=29):
            employed = [p for p in variant.org if p["external_id"] in people and _employed(p, day)]
            assert len(employed) == len(positions)


def test_a_replacement_reports_to_whoever_holds_the_managers_position(variant: Generated) -> None:
    by_id = {p["external_id"]: p for p in variant.org}
    for hire in variant.org[LARGE.people :]:
        if hire["manager_external_id"]:
            assert _employed(
                by_id[hire["manager_external_id"]], date.fromisoformat(hire["joined_on"])
            )


def _employed(person: Record, day: date) -> bool:
    joined, left = date.fromisoformat(person["joined_on"]), person["left_on"]
    return joined <= day and (not left or day < date.fromisoformat(left))


def _days(first: date, last: date, step: int) -> Iterator[date]:
    while first <= last:
        yield first
        first += timedelta(days=step)


def test_nobody_appears_in_an_event_before_joining(variant: Generated) -> None:
    joined = {p["external_id"]: p["joined_on"] for p in variant.org}
    early = [
        event["event_id"]
        for event in variant.events
        for person in (event["source"], event["target"])
        if event["at"][:10] < joined[person]
    ]
    assert early == []
    assert {event["source"] for event in variant.events} & {
        p["external_id"] for p in variant.org[LARGE.people :]
    }


def test_nobody_appears_in_an_event_on_or_after_their_left_on(variant: Generated) -> None:
    left_on = {subject: day.isoformat() for subject, day in variant.left_on.items()}
    late = [
        event["event_id"]
        for event in variant.events
        for person in (event["source"], event["target"])
        if person in left_on and event["at"][:10] >= left_on[person]
    ]
    assert late == []


def test_nobody_answers_a_pulse_after_leaving(variant: Generated) -> None:
    left_on = variant.left_on
    assert all(
        date.fromisoformat(row["at"]) < left_on.get(row["subject"], date.max)
        for row in variant.of_kind("wellbeing")
    )


def test_the_planned_number_of_events_is_kept(small: Generated) -> None:
    kinds = Counter(event["kind"] for event in small.events)
    assert kinds["recognition"] == SMALL.people * SMALL.events_per_person // 10
    assert len(small.events) == SMALL.people * SMALL.events_per_person


def test_isolated_people_have_far_fewer_partners(small: Generated) -> None:
    partners = _partners(small.events)
    isolated = [len(partners[i]) for i in small.isolated]
    others = [len(partners[i]) for i in small.ids if i not in small.isolated]
    assert statistics.mean(isolated) < 0.3 * statistics.mean(others)


def test_partners_of_exposed_people_express_negative_affect(small: Generated) -> None:
    partners, expressed = _partners(small.events), _expressed_affect(small.events)

    def partner_affect(person: str) -> Iterator[float]:
        return (expressed[p] for p in partners[person] if p in expressed)

    exposed = [a for person in small.exposed for a in partner_affect(person)]
    others = [a for p in small.ids if p not in small.exposed for a in partner_affect(p)]
    assert statistics.mean(exposed) < 0 < statistics.mean(others)


def test_concentrated_teams_give_their_star_the_most_recognitions(small: Generated) -> None:
    teams = small.truth["recognition_equity"]["teams"]
    received: dict[str, Counter[str]] = defaultdict(Counter)
    for event in small.events:
        if event["kind"] == "recognition" and event["context"] in teams:
            received[event["context"]][event["target"]] += 1
    star_share = {
        team: received[team][t["star"]] / received[team].total()
        for team, t in teams.items()
        if received[team].total() >= 10
    }
    concentrated = [s for team, s in star_share.items() if teams[team]["concentration"] > 0.6]
    equitable = [s for team, s in star_share.items() if teams[team]["concentration"] < 0.2]
    assert statistics.mean(concentrated) > 2 * statistics.mean(equitable)


def _partners(events: list[Record]) -> dict[str, set[str]]:
    partners: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event["kind"] == "interaction":
            partners[event["source"]].add(event["target"])
            partners[event["target"]].add(event["source"])
    return partners


def _expressed_affect(events: list[Record]) -> dict[str, float]:
    given: dict[str, list[float]] = defaultdict(list)
    for event in events:
        if event["kind"] == "interaction" and event["affect"]:
            given[event["source"]].append(float(event["affect"]))
    return {person: statistics.mean(values) for person, values in given.items()}


# --- The planted effects, recovered by independent arithmetic ------------------------------------


@dataclasses.dataclass(frozen=True)
class OddsRatio:
    estimate: float
    low: float
    high: float

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high


def departure_odds_ratio(generations: list[Generated], trait: str) -> OddsRatio:
    """Woolf's 95 % interval of the odds ratio of the pooled tables of `generations`."""
    table: Counter[tuple[bool, bool]] = Counter()
    for generated in generations:
        table.update(_departure_table(generated, trait))
    return _woolf(table)


def _departure_table(generated: Generated, trait: str) -> Counter[tuple[bool, bool]]:
    """Person-periods (t, t + horizon] from the start, people employed at t, among those without
    the other trait: trait x left within the period."""
    horizon = timedelta(days=generated.truth["departure"]["horizon_days"])
    has_trait = generated.isolated if trait == "isolated" else generated.exposed
    other = generated.exposed if trait == "isolated" else generated.isolated
    left_on = generated.left_on
    table: Counter[tuple[bool, bool]] = Counter()
    day = generated.start_day
    while day + horizon <= generated.last_outcome_day:
        for person in generated.org:
            if person["external_id"] in other or not _employed(person, day):
                continue
            leaves = left_on.get(person["external_id"], date.max)
            table[person["external_id"] in has_trait, leaves <= day + horizon] += 1
        day += horizon
    return table


def _woolf(table: Counter[tuple[bool, bool]]) -> OddsRatio:
    a, b = table[True, True], table[True, False]
    c, d = table[False, True], table[False, False]
    log_ratio = math.log(a * d / (b * c))
    margin = Z95 * math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return OddsRatio(
        math.exp(log_ratio), math.exp(log_ratio - margin), math.exp(log_ratio + margin)
    )


@pytest.fixture(scope="module")
def planted_seeds(planted: Generated, tmp_path_factory: pytest.TempPathFactory) -> list[Generated]:
    """Seed 2 and two more: one seed's interval misses the planted odds ratio in about 1 draw of
    20 by chance (seed 2's exposure did: 5.6 [4.4, 7.1]; the mean over seeds 7-24 was 4.08 for
    isolation, 3.90 for exposure), so the check pools three seeds' tables."""
    return [
        planted,
        *(
            _generate(
                dataclasses.replace(LARGE, seed=seed),
                OutcomeConfig(planted=True),
                tmp_path_factory.mktemp(f"planted{seed}"),
            )
            for seed in (3, 4)
        ),
    ]


@pytest.mark.parametrize("trait", ["isolated", "exposed"])
def test_the_planted_odds_ratio_is_recovered(planted_seeds: list[Generated], trait: str) -> None:
    ratio = departure_odds_ratio(planted_seeds, trait)
    assert DEFAULT_ODDS_RATIO in ratio
    assert 1.0 not in ratio
    assert abs(math.log(ratio.estimate / DEFAULT_ODDS_RATIO)) < math.log(1.5)


@pytest.mark.parametrize("trait", ["isolated", "exposed"])
def test_the_null_variant_shows_no_effect_on_departures(null: Generated, trait: str) -> None:
    ratio = departure_odds_ratio([null], trait)
    assert 1.0 in ratio
    assert DEFAULT_ODDS_RATIO not in ratio


def test_both_variants_have_about_the_same_number_of_departures(
    planted: Generated, null: Generated
) -> None:
    assert len(null.left_on) == pytest.approx(len(planted.left_on), rel=0.15)


def _slope_over_teams(generated: Generated, kind: str) -> float:
    """Least squares of each team's mean outcome on its planted equity."""
    teams = generated.truth["recognition_equity"]["teams"]
    values: dict[str, list[float]] = defaultdict(list)
    for row in generated.of_kind(kind):
        values[row["context"]].append(float(row["value"]))
    pairs = [(teams[t]["equity"], statistics.mean(v)) for t, v in values.items() if len(v) >= 5]
    return statistics.linear_regression([e for e, _ in pairs], [m for _, m in pairs]).slope


@pytest.mark.parametrize(
    ("kind", "effect", "tolerance"),
    [("wellbeing", PULSE_EQUITY_EFFECT, 0.3), ("team_result", DELIVERY_EQUITY_EFFECT, 5.0)],
)
def test_equity_raises_team_outcomes_by_the_planted_effect(
    planted: Generated, null: Generated, kind: str, effect: float, tolerance: float
) -> None:
    assert _slope_over_teams(planted, kind) == pytest.approx(effect, abs=tolerance)
    assert _slope_over_teams(null, kind) == pytest.approx(0.0, abs=tolerance)


# --- The command ---------------------------------------------------------------------------------


def test_the_command_writes_the_four_files(tmp_path: Path) -> None:
    out = StringIO()
    call_command(
        "generate_org",
        *("--people", "60", "--seed", "1", "--days", "20", "--events-per-person", "5"),
        *("--end", "2026-01-31T12:00:00Z", "--out", str(tmp_path), "--outcomes-null"),
        *("--outcome-odds-ratio", "3", "--outcome-base-rate", "0.1"),
        stdout=out,
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(FILES)
    assert "null outcomes (departure " in out.getvalue()
    truth = json.loads((tmp_path / "outcomes-truth.json").read_text(encoding="utf-8"))
    assert truth["departure"]["requested_odds_ratio"] == 3.0
    assert truth["departure"]["base_rate"] == 0.1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--outcomes", "--outcomes-null"], "not allowed with argument"),
        (["--outcome-odds-ratio", "2"], "--outcome-odds-ratio needs --outcomes"),
        (["--outcomes", "--outcome-odds-ratio", "0"], "--outcome-odds-ratio must be above 0"),
        (["--outcomes", "--outcome-base-rate", "0.7"], "--outcome-base-rate must be above 0"),
        (["--outcomes", "--outcome-horizon-days", "0"], "--outcome-horizon-days must be at"),
    ],
)
def test_the_command_explains_invalid_outcome_arguments(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    base = ["--people", "10", "--seed", "1", "--out", str(tmp_path)]
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("generate_org", *base, *arguments)


def test_a_higher_base_rate_gives_more_departures(tmp_path: Path) -> None:
    def departures(base_rate: float) -> int:
        directory = tmp_path / f"rate-{base_rate}"
        directory.mkdir()
        config = dataclasses.replace(SMALL, events_per_person=1)
        summary = generate_with_outcomes(
            config, OutcomeConfig(True, base_rate=base_rate), directory
        )
        return summary.counts.get("departure", 0)

    assert 0 < departures(0.02) < departures(0.2)
