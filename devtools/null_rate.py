"""How often does a backtest find an effect where none was planted? (docs/outcomes.md, "False
findings on null organizations").

For each seed, `generate_org --outcomes-null` (or `--outcomes`, to check that the same rebuild
finds planted effects) is written to a temporary directory, and the product's backtest engine
(outcomes.backtest_engine) runs on designs rebuilt from the files alone, without importing or
mining: a team's recognition Gini over each snapshot's feature window (as backtest_recovery
measures equity) against the wellbeing answers and the delivery results of the horizon, and a
person's distinct interaction partners in the window (what out-degree counts) against a departure
in the horizon. With honest 95 % intervals, about 1 null organization in 20 shows each effect.
Importing and mining through Neo4j would take a minute per organization; this takes seconds, so
the rate can be measured on dozens of organizations.
"""

from __future__ import annotations

import csv
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from statistics import mean

import numpy as np

from devtools.backtest_recovery import TeamRecognitions, first_team_of, iso_utc
from devtools.synthetic import GeneratorConfig
from devtools.synthetic_outcomes import OutcomeConfig, generate_with_outcomes
from outcomes.backtest_engine import Design, ModelSpec, Protocol, backtest

END = datetime(2025, 12, 29, tzinfo=UTC)  # as the recovery test's organizations
DAYS, EVENTS_PER_PERSON = 364, 200
UNTIL = date(2025, 12, 1)  # the last snapshot, as `mine_series --until`
EVERY_DAYS, WINDOW_DAYS, GAP_DAYS, HORIZON_DAYS = 28, 90, 28, 90

# Effect -> (outcome, the metric rebuilt from the files).
EFFECTS = {
    "interaction partners -> departure": "departure",
    "team recognition Gini -> wellbeing": "wellbeing",
    "team recognition Gini -> delivery": "delivery",
}


@dataclass(frozen=True)
class Employee:
    external_id: str
    team: str
    joined_on: date
    left_on: date | None

    def employed_on(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day < self.left_on)


@dataclass(frozen=True)
class Files:
    """What the rebuild reads of one generated organization."""

    people: list[Employee]
    recognitions: TeamRecognitions
    partners: dict[str, list[tuple[str, str]]]  # person -> (at as ISO text, partner), both ways
    answers: dict[str, list[tuple[date, float]]]  # person -> wellbeing answers
    delivery: dict[str, list[tuple[date, float]]]  # team -> monthly results
    start: datetime  # the first moment of the events

    @classmethod
    def read(cls, directory: Path, start: datetime) -> Files:
        return cls(
            _employees(directory),
            TeamRecognitions.read(directory),
            _partners(directory),
            *_outcomes(directory),
            start,
        )


def _employees(directory: Path) -> list[Employee]:
    with (directory / "org.csv").open(newline="") as org_file:
        return [
            Employee(
                row["external_id"],
                first_team_of(row["contexts"]),
                date.fromisoformat(row["joined_on"]),
                date.fromisoformat(row["left_on"]) if row["left_on"] else None,
            )
            for row in csv.DictReader(org_file)
        ]


def _partners(directory: Path) -> dict[str, list[tuple[str, str]]]:
    partners: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with (directory / "events.csv").open(newline="") as events_file:
        for event in csv.DictReader(events_file):
            if event["kind"] == "interaction":
                partners[event["source"]].append((event["at"], event["target"]))
                partners[event["target"]].append((event["at"], event["source"]))
    return dict(partners)


def _outcomes(
    directory: Path,
) -> tuple[dict[str, list[tuple[date, float]]], dict[str, list[tuple[date, float]]]]:
    answers: dict[str, list[tuple[date, float]]] = defaultdict(list)
    delivery: dict[str, list[tuple[date, float]]] = defaultdict(list)
    with (directory / "outcomes.csv").open(newline="") as outcomes_file:
        for row in csv.DictReader(outcomes_file):
            at = date.fromisoformat(row["at"])
            if row["kind"] == "wellbeing":
                answers[row["subject"]].append((at, float(row["value"])))
            elif row["kind"] == "team_result":
                delivery[row["context"]].append((at, float(row["value"])))
    return dict(answers), dict(delivery)


@dataclass(frozen=True)
class Snapshot:
    day: date
    window_start: datetime
    window_end: datetime

    def in_horizon(self, day: date) -> bool:
        return self.day < day <= self.day + timedelta(days=HORIZON_DAYS)


def snapshots(start: datetime) -> list[Snapshot]:
    """Every EVERY_DAYS back from UNTIL while the feature window lies within the events."""
    found: list[Snapshot] = []
    day = UNTIL
    while True:
        window_end = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(days=GAP_DAYS)
        window_start = window_end - timedelta(days=WINDOW_DAYS)
        if window_start < start:
            return found[::-1]
        found.append(Snapshot(day, window_start, window_end))
        day -= timedelta(days=EVERY_DAYS)


@dataclass
class Rows:
    metric: list[float]
    tenure: list[float]
    target: list[float]
    day: list[int]
    group: list[int]
    subject: list[int]

    def add(
        self, metric: float, tenure: float, target: float, day: date, group: int, subject: int
    ) -> None:
        self.metric.append(metric)
        self.tenure.append(tenure)
        self.target.append(target)
        self.day.append(day.toordinal())
        self.group.append(group)
        self.subject.append(subject)

    def design(self, binary: bool) -> Design:
        features = np.column_stack([self.metric, self.tenure]).astype(np.float64)
        return Design(
            features,
            ("metric", "tenure"),
            np.asarray(self.target, dtype=np.float64),
            binary,
            np.asarray(self.day, dtype=np.int64),
            np.asarray(self.group, dtype=np.int64),
            np.asarray(self.subject, dtype=np.int64),
        )


def _empty_rows() -> Rows:
    return Rows([], [], [], [], [], [])


def person_design(files: Files, outcome: str) -> Design:
    """Person x snapshot rows: people employed through the snapshot's gap (they have a window)."""
    teams = _team_numbers(files)
    rows = _empty_rows()
    for snapshot in snapshots(files.start):
        gini = _team_gini(files, snapshot)
        for number, person in enumerate(files.people):
            if not person.employed_on(snapshot.window_end.date()):
                continue
            if not person.employed_on(snapshot.day):
                continue
            target = _person_target(files, person, snapshot, outcome)
            if np.isnan(target):
                continue
            metric = (
                _distinct_partners(files, person, snapshot)
                if outcome == "departure"
                else gini(person.team)
            )
            tenure = float((snapshot.day - person.joined_on).days)
            rows.add(metric, tenure, target, snapshot.day, teams[person.team], number)
    return rows.design(binary=outcome == "departure")


def team_design(files: Files) -> Design:
    """Team x snapshot rows of the monthly delivery results in the horizon."""
    teams = _team_numbers(files)
    rows = _empty_rows()
    for snapshot in snapshots(files.start):
        gini = _team_gini(files, snapshot)
        size: dict[str, int] = defaultdict(int)
        for person in files.people:
            if person.employed_on(snapshot.day):
                size[person.team] += 1
        for team, number in teams.items():
            values = [v for day, v in files.delivery.get(team, ()) if snapshot.in_horizon(day)]
            if values:
                rows.add(gini(team), float(size[team]), mean(values), snapshot.day, number, number)
    return rows.design(binary=False)


def _team_numbers(files: Files) -> dict[str, int]:
    return {team: number for number, team in enumerate(sorted({p.team for p in files.people}))}


def _team_gini(files: Files, snapshot: Snapshot) -> Callable[[str], float]:
    found: dict[str, float] = {}

    def gini(team: str) -> float:
        if team not in found:
            found[team] = files.recognitions.gini(team, snapshot.window_start, snapshot.window_end)
        return found[team]

    return gini


def _person_target(files: Files, person: Employee, snapshot: Snapshot, outcome: str) -> float:
    if outcome == "departure":
        return float(person.left_on is not None and snapshot.in_horizon(person.left_on))
    values = [v for day, v in files.answers.get(person.external_id, ()) if snapshot.in_horizon(day)]
    return mean(values) if values else float("nan")


def _distinct_partners(files: Files, person: Employee, snapshot: Snapshot) -> float:
    first, past = iso_utc(snapshot.window_start), iso_utc(snapshot.window_end)
    talked = files.partners.get(person.external_id, ())
    return float(len({partner for at, partner in talked if first <= at < past}))


@dataclass(frozen=True)
class Finding:
    seed: int
    effect: str
    measure: str  # "auc" or "rho"
    score: float
    interval: list[float] | None

    @property
    def detected(self) -> bool:
        no_effect = 0.5 if self.measure == "auc" else 0.0
        interval = self.interval
        return interval is not None and not interval[0] <= no_effect <= interval[1]


MODELS = (
    ModelSpec("baseline", "baseline", ("tenure",)),
    ModelSpec("metric", "single", ("metric",)),
)


def findings(seed: int, files: Files, resamples: int) -> Iterator[Finding]:
    protocol = Protocol(HORIZON_DAYS, resamples=resamples, seed=0)
    for effect, outcome in EFFECTS.items():
        design = team_design(files) if outcome == "delivery" else person_design(files, outcome)
        scores = backtest(design, MODELS, protocol).score_of("metric").scores
        measure = "auc" if design.binary else "rho"
        yield Finding(seed, effect, measure, scores[measure], scores[f"{measure}_ci"])


def run_seeds(
    seeds: Iterable[int], people: int, planted: bool, resamples: int
) -> Iterator[Finding]:
    config = OutcomeConfig(planted=planted)
    for seed in seeds:
        generator = GeneratorConfig(
            people=people, seed=seed, end=END, days=DAYS, events_per_person=EVENTS_PER_PERSON
        )
        with tempfile.TemporaryDirectory() as directory:
            generate_with_outcomes(generator, config, Path(directory))
            files = Files.read(Path(directory), END - timedelta(days=DAYS))
        yield from findings(seed, files, resamples)
