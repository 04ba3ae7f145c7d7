"""Synthetic truth for the backtest: outcomes with known causes (`generate_org --outcomes`).

Latent traits are planted on the generated organization and drive both the events and the
outcomes, so that what the product measures (degree, affect exposure, recognition Gini) carries the
trait and the outcomes depend on the trait:

- *isolated* people (individual contributors): every drawn event with them happens with chance
  `ISOLATED_SOCIABILITY` only (rejected events are drawn again), so they have few partners;
- *exposed* people: the members of a few leaf teams whose members express negative affect (their
  interactions' affect has mean `NEGATIVE_CLIMATE_AFFECT` instead of 0.2), so the partners of a
  member mostly express negative affect;
- every team has a recognition *concentration* c ~ U(0, `MAX_CONCENTRATION`): a share c of the
  recognitions given in the team goes to one star member; its *equity* is e = 1 - c / max.

Departures: a constant hazard per person from the start of the event window, chosen so that for
any day t, P(leaving in (t, t + horizon] | employed at t) = p with
logit p = logit(base_rate) + ln(OR)·isolated + ln(OR)·exposed. Events of a person stop at their
departure. Pulse (`wellbeing`, 1-5, monthly) team means rise with equity; `delivery` team results
too. The null variant keeps the same organization and traits in the events and the same average
rates, but draws every outcome independently of the traits.

Everything is deterministic for the seed; `outcomes-truth.json` states what was planted.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from devtools.synthetic import (
    EMAIL_DOMAIN,
    FIRST_NAMES,
    INTERACTION_AFFECT_MEAN,
    LAST_NAMES,
    EventShaping,
    GenerationSummary,
    GeneratorConfig,
    Organization,
    Person,
    Row,
    Timeline,
    build_organization,
    event_rows,
    holder_at,
    org_rows,
    plan_follows,
    planned_volume,
    seeded_random,
    write_rows,
)
from sociograph.ingest.formats import EVENT_FILE_COLUMNS, OPTIONAL_ORG_COLUMNS, ORG_COLUMNS

OUTCOMES_FILE = "outcomes.csv"
TRUTH_FILE = "outcomes-truth.json"
OUTCOME_COLUMNS = ("kind", "subject", "at", "value", "scale", "context")

DEFAULT_ODDS_RATIO = 4.0
DEFAULT_BASE_RATE = 0.08  # P(leaving within a horizon) for someone neither isolated nor exposed
DEFAULT_HORIZON_DAYS = 90
MAX_ODDS_RATIO = 100.0
MAX_BASE_RATE = 0.5

ISOLATED_SHARE = 0.15
ISOLATED_SOCIABILITY = 0.1
EXPOSED_SHARE = 0.15
NEGATIVE_CLIMATE_AFFECT = -0.4
INVOLUNTARY_SHARE = 0.15
MIN_TENURE_DAYS = 30
MEAN_EXTRA_TENURE_DAYS = 3 * 365

MAX_CONCENTRATION = 0.8
PULSE_KIND = "wellbeing"
PULSE_SCALE = (1, 5)
PULSE_BASE = 3.2
PULSE_EQUITY_EFFECT = 1.0  # points of team mean from the least (e = 0) to the most equitable team
PULSE_TEAM_SD = 0.25
PULSE_ANSWER_SD = 0.8
PULSE_RESPONSE_RATE = 0.8
TEAM_RESULT_METRIC = "delivery"
DELIVERY_BASE = 100.0
DELIVERY_EQUITY_EFFECT = 20.0
DELIVERY_SD = 10.0

SECONDS_PER_DAY = 86400


@dataclass(frozen=True)
class OutcomeConfig:
    planted: bool  # False: the null variant
    odds_ratio: float = DEFAULT_ODDS_RATIO
    base_rate: float = DEFAULT_BASE_RATE
    horizon_days: int = DEFAULT_HORIZON_DAYS

    def __post_init__(self) -> None:
        if not 0 < self.odds_ratio <= MAX_ODDS_RATIO:
            raise ValueError(
                f"--outcome-odds-ratio must be above 0 and at most {MAX_ODDS_RATIO:g} "
                f"(got {self.odds_ratio:g})"
            )
        if not 0 < self.base_rate <= MAX_BASE_RATE:
            raise ValueError(
                f"--outcome-base-rate must be above 0 and at most {MAX_BASE_RATE:g} "
                f"(got {self.base_rate:g})"
            )
        if self.horizon_days < 1:
            raise ValueError(f"--outcome-horizon-days must be at least 1 (got {self.horizon_days})")

    @property
    def variant(self) -> str:
        return "planted" if self.planted else "null"


# --- Traits --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRecognition:
    star: int
    concentration: float

    @property
    def equity(self) -> float:
        return 1.0 - self.concentration / MAX_CONCENTRATION


@dataclass(frozen=True)
class Traits:
    isolated: frozenset[int]
    exposed_teams: tuple[str, ...]
    exposed: frozenset[int]
    teams: dict[str, TeamRecognition]


def plant_traits(org: Organization, seed: int) -> Traits:
    rng = seeded_random(seed, "outcome-traits")
    exposed_teams = _pick_exposed_teams(org, rng)
    return Traits(
        isolated=frozenset(_pick_isolated(org, rng)),
        exposed_teams=exposed_teams,
        exposed=frozenset(i for team in exposed_teams for i in org.members[team]),
        teams={team: _team_recognition(org.members[team], rng) for team in team_names(org)},
    )


def team_names(org: Organization) -> list[str]:
    return [context for context in org.members if context.startswith("team:")]


def _pick_isolated(org: Organization, rng: random.Random) -> list[int]:
    """Individual contributors who are neither brokers nor informal leaders."""
    central = {*org.brokers, *org.informal_leaders}
    pool = [p.index for p in org.people if not p.is_manager and p.index not in central]
    wanted = min(len(pool), round(len(org.people) * ISOLATED_SHARE))
    return sorted(rng.sample(pool, wanted))


def _pick_exposed_teams(org: Organization, rng: random.Random) -> tuple[str, ...]:
    """Leaf teams outside the silos, taken in a random order until they hold the planned share."""
    people, silos = org.people, set(org.silo_teams)
    leaf_teams = [
        team
        for team in team_names(org)
        if team not in silos
        and people[org.members[team][0]].level > 0
        and not any(people[i].is_manager for i in org.members[team][1:])
    ]
    rng.shuffle(leaf_teams)
    chosen: list[str] = []
    covered, wanted = 0, len(people) * EXPOSED_SHARE
    for team in leaf_teams:
        if covered >= wanted:
            break
        chosen.append(team)
        covered += len(org.members[team])
    return tuple(sorted(chosen, key=team_names(org).index))


def _team_recognition(members: Sequence[int], rng: random.Random) -> TeamRecognition:
    return TeamRecognition(
        star=rng.choice(members), concentration=rng.uniform(0, MAX_CONCENTRATION)
    )


# --- Employment ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The event window and the horizon after it in which outcomes are still drawn."""

    start: int  # first second of the events (UTC)
    end: int  # last second of the events
    horizon_days: int

    @property
    def start_day(self) -> date:
        return _day(self.start)

    @property
    def end_day(self) -> date:
        return _day(self.end)

    @property
    def last_outcome_day(self) -> date:
        return self.end_day + timedelta(days=self.horizon_days)


def _day(moment: int) -> date:
    return datetime.fromtimestamp(moment, UTC).date()


def _midnight(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class Tenure:
    """One person's time in a position: the first holder joined before the window; each later one
    (a replacement) joined on the day the one before left."""

    position: int
    joined_on: date
    left_on: date | None  # the first day no longer employed; None while staying
    involuntary: bool


@dataclass(frozen=True)
class Employment:
    """Everyone who held a position: the organization's people (person i holds position i), then
    the replacements in the order they joined (person len(org.people) + k)."""

    people: list[Person]
    tenures: list[Tenure]  # per person
    risk: list[float]  # per position: P(leaving within a horizon | employed) that was drawn from

    def employed_on(self, person: int, day: date) -> bool:
        tenure = self.tenures[person]
        return tenure.joined_on <= day and (tenure.left_on is None or day < tenure.left_on)

    def holders(self) -> list[list[tuple[int, str]]]:
        """Per position, (first second held, external id) of each holder in turn."""
        found: list[list[tuple[int, str]]] = [[] for _ in self.risk]
        for person, tenure in zip(self.people, self.tenures, strict=True):
            found[tenure.position].append((_midnight(tenure.joined_on), person.external_id))
        return found

    def of_positions(self, positions: frozenset[int]) -> list[str]:
        """The external ids of everyone who held one of `positions`."""
        return sorted(
            person.external_id
            for person, tenure in zip(self.people, self.tenures, strict=True)
            if tenure.position in positions
        )


def odds_ratio_of(position: int, traits: Traits, odds_ratio: float) -> float:
    return odds_ratio ** ((position in traits.isolated) + (position in traits.exposed))


def departure_risks(org: Organization, traits: Traits, config: OutcomeConfig) -> list[float]:
    """P(leaving within a horizon | employed), per position: planted from the traits (which a
    replacement takes over with the position), or their mean (null)."""
    planted = [
        _with_odds_ratio(config.base_rate, odds_ratio_of(p.index, traits, config.odds_ratio))
        for p in org.people
    ]
    if config.planted:
        return planted
    return [sum(planted) / len(planted)] * len(planted)


def _with_odds_ratio(rate: float, odds_ratio: float) -> float:
    odds = rate / (1.0 - rate) * odds_ratio
    return odds / (1.0 + odds)


def draw_employment(
    org: Organization, traits: Traits, window: Window, config: OutcomeConfig, seed: int
) -> Employment:
    """Per position: its first holder joined before the window (tenure independent of
    everything) and leaves after an exponential time from the window's start; each leaver is
    replaced the same day by someone who leaves after an exponential time from joining, and so on
    up to the horizon after the window's end."""
    tenure_rng, departure_rng = seeded_random(seed, "tenure"), seeded_random(seed, "departures")
    risks = departure_risks(org, traits, config)
    first, replacements = [], []
    for position, risk in enumerate(risks):
        extra = int(tenure_rng.expovariate(1.0 / MEAN_EXTRA_TENURE_DAYS))
        joined_on = window.start_day - timedelta(days=MIN_TENURE_DAYS + extra)
        tenure = _tenure(position, joined_on, window.start, risk, window, departure_rng)
        first.append(tenure)
        while tenure.left_on is not None:
            joined_on = tenure.left_on
            tenure = _tenure(position, joined_on, _midnight(joined_on), risk, window, departure_rng)
            replacements.append(tenure)
    replacements.sort(key=lambda t: (t.joined_on, org.people[t.position].level, t.position))
    people = [*org.people, *_hire(org, replacements, seed)]
    return Employment(people, [*first, *replacements], risks)


def _tenure(
    position: int,
    joined_on: date,
    at_risk_from: int,
    risk: float,
    window: Window,
    rng: random.Random,
) -> Tenure:
    left_on = _left_on(risk, at_risk_from, window, rng.random())
    return Tenure(position, joined_on, left_on, rng.random() < INVOLUNTARY_SHARE)


def _left_on(risk: float, at_risk_from: int, window: Window, uniform: float) -> date | None:
    """Constant hazard h with 1 - exp(-h * horizon) = risk, so the risk holds over any horizon."""
    hazard_per_day = -math.log(1.0 - risk) / window.horizon_days
    days = -math.log(1.0 - uniform) / hazard_per_day
    last_day = _day(at_risk_from + int(days * SECONDS_PER_DAY))
    if last_day > window.last_outcome_day:
        return None
    return last_day + timedelta(days=1)


def _hire(org: Organization, replacements: Sequence[Tenure], seed: int) -> list[Person]:
    """A new person per replacement, numbered after the organization's people."""
    rng = seeded_random(seed, "hires")
    hired = []
    for number, tenure in enumerate(replacements, start=len(org.people)):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        hired.append(
            dataclasses.replace(
                org.people[tenure.position],
                index=number,
                external_id=f"E{number + 1:05d}",
                name=f"{first} {last}",
                email=f"{first.lower()}.{last.lower()}.{number + 1}@{EMAIL_DOMAIN}",
            )
        )
    return hired


def event_shaping(org: Organization, traits: Traits, employment: Employment) -> EventShaping:
    return EventShaping(
        holders=employment.holders(),
        sociability=[
            ISOLATED_SOCIABILITY if p.index in traits.isolated else 1.0 for p in org.people
        ],
        affect_mean=[
            NEGATIVE_CLIMATE_AFFECT if p.index in traits.exposed else INTERACTION_AFFECT_MEAN
            for p in org.people
        ],
        recognition_star={
            team: (recognition.star, recognition.concentration)
            for team, recognition in traits.teams.items()
        },
    )


# --- Outcome rows --------------------------------------------------------------------------------


def departure_rows(employment: Employment) -> list[Row]:
    rows = [
        ("departure", person.external_id, left_on.isoformat(), _voluntary(tenure), "", "")
        for person, tenure in zip(employment.people, employment.tenures, strict=True)
        if (left_on := tenure.left_on) is not None
    ]
    return sorted(rows, key=lambda row: (row[2], row[1]))


def _voluntary(tenure: Tenure) -> str:
    return "involuntary" if tenure.involuntary else "voluntary"


def first_days_of_months(window: Window) -> list[date]:
    """The first day of every month in (start day, last outcome day]."""
    day = date(window.start_day.year, window.start_day.month, 1)
    days = []
    while day <= window.last_outcome_day:
        if day > window.start_day:
            days.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return days


def first_working_day(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def team_means(
    traits: Traits, config: OutcomeConfig, base: float, effect: float
) -> dict[str, float]:
    """base + effect·equity per team; for the null variant, the mean of those for every team."""
    means = {team: base + effect * t.equity for team, t in traits.teams.items()}
    if config.planted:
        return means
    average = sum(means.values()) / len(means)
    return dict.fromkeys(means, average)


def pulse_rows(
    traits: Traits,
    employment: Employment,
    window: Window,
    config: OutcomeConfig,
    seed: int,
) -> Iterator[Row]:
    """Monthly wellbeing answers (1-5) of the people employed that day, about their first team."""
    rng = seeded_random(seed, "pulse")
    means = team_means(traits, config, PULSE_BASE, PULSE_EQUITY_EFFECT)
    team_offsets = {team: rng.gauss(0.0, PULSE_TEAM_SD) for team in means}
    low, high = PULSE_SCALE
    for day in map(first_working_day, first_days_of_months(window)):
        for person in employment.people:
            if not employment.employed_on(person.index, day):
                continue
            if rng.random() >= PULSE_RESPONSE_RATE:
                continue
            team = person.teams[0]
            answer = round(means[team] + team_offsets[team] + rng.gauss(0.0, PULSE_ANSWER_SD))
            value = str(min(high, max(low, answer)))
            yield (PULSE_KIND, person.external_id, day.isoformat(), value, f"{low}-{high}", team)


def team_result_rows(
    traits: Traits, window: Window, config: OutcomeConfig, seed: int
) -> Iterator[Row]:
    """Monthly `delivery` per team, `at` the first day of the month it measures."""
    rng = seeded_random(seed, "team-results")
    means = team_means(traits, config, DELIVERY_BASE, DELIVERY_EQUITY_EFFECT)
    for day in first_days_of_months(window):
        for team, mean in means.items():
            value = f"{mean + rng.gauss(0.0, DELIVERY_SD):.1f}"
            yield ("team_result", TEAM_RESULT_METRIC, day.isoformat(), value, "", team)


def org_rows_with_employment(org: Organization, employment: Employment) -> Iterator[Row]:
    """The organization's people, then the replacements in the order they joined, each reporting
    to whoever held their manager's position on the day they joined."""
    rows = [*org_rows(org), *_replacement_rows(org, employment)]
    for row, tenure in zip(rows, employment.tenures, strict=True):
        left_on = tenure.left_on.isoformat() if tenure.left_on else ""
        yield (*row, tenure.joined_on.isoformat(), left_on)


def _replacement_rows(org: Organization, employment: Employment) -> Iterator[Row]:
    holders = employment.holders()
    for person in employment.people[len(org.people) :]:
        joined = _midnight(employment.tenures[person.index].joined_on)
        manager = "" if person.manager is None else holder_at(holders[person.manager], joined)
        contexts = ";".join(person.contexts)
        yield (person.external_id, person.name, person.email, person.title, manager, contexts)


# --- Truth ---------------------------------------------------------------------------------------


def truth(
    org: Organization,
    traits: Traits,
    employment: Employment,
    window: Window,
    config: OutcomeConfig,
    seed: int,
) -> dict[str, Any]:
    """What was planted, for tests and backtest reports to compare with what they recover.
    A position is named by its first holder (an id of the organization's people); the traits of a
    position are those of everyone who held it."""
    ids = [person.external_id for person in org.people]
    effect = config.odds_ratio if config.planted else 1.0
    tenures = employment.tenures
    return {
        "variant": config.variant,
        "seed": seed,
        "people": len(ids),
        "replacements": len(tenures) - len(ids),
        "events": {
            "start": _iso(window.start),
            "end": _iso(window.end),
        },
        "departure": {
            "model": (
                "P(leaving in (t, t + horizon_days] | employed at t) = p, "
                "logit p = logit(base_rate) + ln(odds_ratio.isolated)*isolated "
                "+ ln(odds_ratio.exposed)*exposed; a constant hazard per person from events.start "
                "or from joining; departures recorded up to events.end + horizon_days; left_on = "
                "the day after the last day employed; no event of a person on or after left_on; "
                "each leaver is replaced on their left_on by a new person who takes over the "
                "position (its teams, manager position and traits)"
            ),
            "horizon_days": config.horizon_days,
            "base_rate": config.base_rate,
            "odds_ratio": {"isolated": effect, "exposed": effect},
            "requested_odds_ratio": config.odds_ratio,
            "null_rate": None if config.planted else employment.risk[0],
            "involuntary_share": INVOLUNTARY_SHARE,
            "departures": sum(tenure.left_on is not None for tenure in tenures),
            "tenure": (
                "the organization's people joined before events.start, independent of every "
                "trait and outcome; a replacement joined on the day the one before left"
            ),
        },
        "isolation": {
            "share": ISOLATED_SHARE,
            "sociability": ISOLATED_SOCIABILITY,
            "how": "each drawn event with an isolated person happens with chance sociability",
            "positions": sorted(ids[i] for i in traits.isolated),
            "people": employment.of_positions(traits.isolated),
        },
        "exposure": {
            "share": EXPOSED_SHARE,
            "negative_affect_mean": NEGATIVE_CLIMATE_AFFECT,
            "usual_affect_mean": INTERACTION_AFFECT_MEAN,
            "how": "members of these teams express negative affect in their interactions",
            "teams": list(traits.exposed_teams),
            "positions": sorted(ids[i] for i in traits.exposed),
            "people": employment.of_positions(traits.exposed),
        },
        "recognition_equity": {
            "how": (
                "a share `concentration` of a team's recognitions goes to its star; "
                "equity = 1 - concentration / max_concentration"
            ),
            "max_concentration": MAX_CONCENTRATION,
            "teams": {
                team: {
                    "star": ids[t.star],
                    "stars": employment.of_positions(frozenset({t.star})),
                    "concentration": round(t.concentration, 4),
                    "equity": round(t.equity, 4),
                }
                for team, t in traits.teams.items()
            },
        },
        "pulse": _pulse_truth(config),
        "team_result": _team_result_truth(config),
    }


def _pulse_truth(config: OutcomeConfig) -> dict[str, Any]:
    low, high = PULSE_SCALE
    return {
        "kind": PULSE_KIND,
        "scale": f"{low}-{high}",
        "model": (
            "answer = clip(round(base + equity_effect*equity(team) + N(0, team_sd) per team "
            "+ N(0, answer_sd)), 1, 5), on the first working day of each month, about the "
            "person's first team; null: equity(team) replaced by its mean over teams"
        ),
        "base": PULSE_BASE,
        "equity_effect": PULSE_EQUITY_EFFECT if config.planted else 0.0,
        "team_sd": PULSE_TEAM_SD,
        "answer_sd": PULSE_ANSWER_SD,
        "response_rate": PULSE_RESPONSE_RATE,
    }


def _team_result_truth(config: OutcomeConfig) -> dict[str, Any]:
    return {
        "metric": TEAM_RESULT_METRIC,
        "model": (
            "value = base + equity_effect*equity(team) + N(0, sd), per team per month (`at` = "
            "the month's first day); null: equity(team) replaced by its mean over teams"
        ),
        "base": DELIVERY_BASE,
        "equity_effect": DELIVERY_EQUITY_EFFECT if config.planted else 0.0,
        "sd": DELIVERY_SD,
    }


def _iso(moment: int) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat().replace("+00:00", "Z")


# --- Files ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeSummary:
    events: GenerationSummary
    variant: str
    counts: dict[str, int]
    outcomes_path: Path
    truth_path: Path

    def describe(self) -> str:
        counts = ", ".join(f"{kind} {count}" for kind, count in self.counts.items())
        return (
            f"{self.events.describe()}; {self.variant} outcomes ({counts}) -> "
            f"{self.outcomes_path}, {self.truth_path}"
        )


def generate_with_outcomes(
    config: GeneratorConfig, outcomes: OutcomeConfig, out_dir: Path
) -> OutcomeSummary:
    org = build_organization(config.people, config.seed)
    follows = plan_follows(org, config.seed)
    timeline = Timeline(config.end, config.days)
    window = Window(timeline.start, timeline.end, outcomes.horizon_days)
    traits = plant_traits(org, config.seed)
    employment = draw_employment(org, traits, window, outcomes, config.seed)
    paths = {name: out_dir / name for name in ("org.csv", "events.csv", OUTCOMES_FILE, TRUTH_FILE)}
    write_rows(
        paths["org.csv"],
        (*ORG_COLUMNS, *OPTIONAL_ORG_COLUMNS),
        org_rows_with_employment(org, employment),
    )
    shaping = event_shaping(org, traits, employment)
    write_rows(paths["events.csv"], EVENT_FILE_COLUMNS, event_rows(org, follows, config, shaping))
    rows = [
        *departure_rows(employment),
        *pulse_rows(traits, employment, window, outcomes, config.seed),
        *team_result_rows(traits, window, outcomes, config.seed),
    ]
    write_rows(paths[OUTCOMES_FILE], OUTCOME_COLUMNS, rows)
    planted = truth(org, traits, employment, window, outcomes, config.seed)
    paths[TRUTH_FILE].write_text(json.dumps(planted, indent=2) + "\n", encoding="utf-8")
    volume = planned_volume(follows, config, shaping)
    events = GenerationSummary(
        config.people, len(org.contexts), volume, paths["org.csv"], paths["events.csv"]
    )
    counts = {kind: sum(row[0] == kind for row in rows) for kind in _kinds(rows)}
    return OutcomeSummary(events, outcomes.variant, counts, paths[OUTCOMES_FILE], paths[TRUTH_FILE])


def _kinds(rows: Sequence[Row]) -> list[str]:
    return list(dict.fromkeys(row[0] for row in rows))
