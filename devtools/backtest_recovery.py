"""Does a backtest recover what `generate_org --outcomes` planted? (docs/outcomes.md, "Synthetic
truth"). The planted strength of each effect is computed from the generator's truth file alone
(who is isolated or exposed, each team's recognition equity, the org file's teams) on exactly the
rows the backtest forecast; the recovered strength is the backtest's score of the metric that
measures the planted trait, with its 95 % interval.

The planted strength is what a model that knew the trait itself would score. The metrics measure
the traits with error (out-degree separates the isolated from the others almost perfectly; the
three-degree affect exposure separates the exposed less well), so a backtest of the metrics can
fall short of it. For a team's recognition equity the error is large and measurable: a 90-day
window holds about 15 recognitions in a team's context, so their Gini ranks the teams' planted
equity only roughly. `reliability` is |rho| of the planted equity and that Gini, computed here from
the events file over each row's own feature window (without the product); the recovered rho is
expected near planted x reliability (the path rule for a measurement with independent error:
rho(Gini, outcome) = rho(Gini, equity) x rho(equity, outcome); Spearman 1904, Lord & Novick 1968
ch. 3). `expected` is that product (the planted strength where no reliability is computed);
`within` says whether it lies in the recovered interval, `detected` whether that interval
excludes no effect (0.5 for AUC, 0 for rho).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from analytics.models import MiningRun
from outcomes.backtest import (
    BacktestConfig,
    design_of,
    person_rows,
    stored_config,
    team_rows,
)
from outcomes.backtest_engine import (
    Design,
    Protocol,
    roc_auc,
    spearman_rho,
    time_group_folds,
)
from outcomes.models import BacktestResult, OutcomeKind
from people.models import Context, Person

# Effect -> (outcome, the model whose score is the recovered strength).
EFFECTS: tuple[tuple[str, str, str], ...] = (
    ("isolation and exposure -> departure", OutcomeKind.DEPARTURE, "regularized:all"),
    ("isolation -> departure", OutcomeKind.DEPARTURE, "single:person.out_degree"),
    (
        "negative affect exposure -> departure",
        OutcomeKind.DEPARTURE,
        "single:person.affect_exposure",
    ),
    ("team recognition equity -> wellbeing", OutcomeKind.WELLBEING, "single:team.recognition_gini"),
    (
        "team recognition equity -> delivery",
        OutcomeKind.TEAM_RESULT,
        "single:team.recognition_gini",
    ),
)


@dataclass(frozen=True)
class Truth:
    variant: str
    isolated: frozenset[str]
    exposed: frozenset[str]
    team_equity: dict[str, float]  # "team:Name" -> equity
    first_team: dict[str, str]  # person external id -> "team:Name"
    last_outcome_day: date  # the events' end + the horizon: outcomes are known until then

    @classmethod
    def read(cls, directory: Path) -> Truth:
        truth = json.loads((directory / "outcomes-truth.json").read_text())
        with (directory / "org.csv").open(newline="") as org_file:
            teams = {
                row["external_id"]: first_team_of(row["contexts"])
                for row in csv.DictReader(org_file)
            }
        return cls(
            variant=truth["variant"],
            isolated=frozenset(truth["isolation"]["people"]),
            exposed=frozenset(truth["exposure"]["people"]),
            team_equity={
                team: float(found["equity"])
                for team, found in truth["recognition_equity"]["teams"].items()
            },
            first_team={person: team for person, team in teams.items() if team},
            last_outcome_day=_last_outcome_day(truth),
        )


def _last_outcome_day(truth: dict[str, Any]) -> date:
    end = datetime.fromisoformat(truth["events"]["end"].replace("Z", "+00:00")).date()
    return end + timedelta(days=int(truth["departure"]["horizon_days"]))


def first_team_of(contexts: str) -> str:
    return next((name for name in contexts.split(";") if name.startswith("team:")), "")


@dataclass(frozen=True)
class TeamRecognitions:
    """The recognitions given in each team's context and the team's members with their employment,
    read from generate_org's files: what a mining window can measure of a team's planted equity."""

    received: dict[str, list[tuple[str, str]]]  # team -> (at as ISO text, receiver) in file order
    members: dict[str, list[tuple[str, date, date | None]]]  # team -> (person, joined, left_on)

    @classmethod
    def read(cls, directory: Path) -> TeamRecognitions:
        members: dict[str, list[tuple[str, date, date | None]]] = defaultdict(list)
        with (directory / "org.csv").open(newline="") as org_file:
            for row in csv.DictReader(org_file):
                left_on = date.fromisoformat(row["left_on"]) if row["left_on"] else None
                tenure = (row["external_id"], date.fromisoformat(row["joined_on"]), left_on)
                for context in row["contexts"].split(";"):
                    if context.startswith("team:"):
                        members[context].append(tenure)
        received: dict[str, list[tuple[str, str]]] = defaultdict(list)
        with (directory / "events.csv").open(newline="") as events_file:
            for event in csv.DictReader(events_file):
                if event["kind"] == "recognition" and event["context"] in members:
                    received[event["context"]].append((event["at"], event["target"]))
        return cls(dict(received), dict(members))

    def gini(self, team: str, start: datetime, end: datetime) -> float:
        """Gini of the recognitions received in the team's context in [start, end) by each member
        employed at some time in it (NaN when none were given)."""
        first, past = iso_utc(start), iso_utc(end)
        present = [
            person
            for person, joined, left_on in self.members.get(team, ())
            if joined <= end.date() and (left_on is None or left_on > start.date())
        ]
        counts = dict.fromkeys(present, 0)
        for at, receiver in self.received.get(team, ()):
            if first <= at < past and receiver in counts:
                counts[receiver] += 1
        return _gini(np.array(list(counts.values()), dtype=np.float64))


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _gini(counts: np.ndarray) -> float:
    """Mean absolute difference over all ordered pairs / (2 x mean): the textbook definition."""
    if len(counts) == 0 or counts.sum() == 0:
        return float("nan")
    differences = np.abs(counts[:, None] - counts[None, :]).sum()
    return float(differences / (2 * len(counts) ** 2 * counts.mean()))


@dataclass(frozen=True)
class Recovery:
    effect: str
    outcome: str
    model: str
    measure: str  # "auc" or "rho"
    planted: float
    recovered: float | None
    interval: list[float] | None
    n: int
    reliability: float | None = None  # |rho| of the planted trait and its windowed measurement

    @property
    def no_effect(self) -> float:
        return 0.5 if self.measure == "auc" else 0.0

    @property
    def expected(self) -> float:
        """What the metric can recover of the planted strength, given how well it measures it."""
        if self.reliability is None:
            return self.planted
        return round(self.planted * self.reliability, 4)

    @property
    def within(self) -> bool:
        return self.interval is not None and self.interval[0] <= self.expected <= self.interval[1]

    @property
    def detected(self) -> bool:
        interval = self.interval
        return interval is not None and not interval[0] <= self.no_effect <= interval[1]

    def line(self) -> str:
        recovered = "-" if self.recovered is None else f"{self.recovered:.3f}"
        interval = (
            "-" if self.interval is None else f"[{self.interval[0]:.3f}, {self.interval[1]:.3f}]"
        )
        measured = (
            ""
            if self.reliability is None
            else f" x reliability {self.reliability:.3f} = {self.expected:.3f}"
        )
        return (
            f"{self.effect:<40} {self.measure:<4} planted {self.planted:.3f}{measured}  recovered "
            f"{recovered} {interval:<16} within={'yes' if self.within else 'no'} "
            f"detected={'yes' if self.detected else 'no'} (n={self.n}, {self.model})"
        )


@dataclass(frozen=True)
class Tested:
    """A backtest's design rebuilt from its stored snapshot runs, and the rows it forecast."""

    design: Design
    rows: np.ndarray
    windows: dict[int, tuple[datetime, datetime]]  # snapshot day (ordinal) -> its feature window

    def feature_windows(self) -> list[tuple[datetime, datetime]]:
        return [self.windows[day] for day in self.design.snapshot_day[self.rows].tolist()]


def tested_design(result: BacktestResult) -> Tested:
    config = stored_config(result)
    stored = result.parameters["snapshot_runs"]
    found = MiningRun.objects.in_bulk(list(stored.values()))
    runs = {date.fromisoformat(day): found[pk] for day, pk in stored.items()}
    builder = team_rows if config.outcome == OutcomeKind.TEAM_RESULT else person_rows
    design = design_of(builder(runs, config), config.binary)
    protocol = Protocol(config.horizon_days, resamples=config.resamples, seed=config.seed)
    folds = time_group_folds(design, protocol)
    windows = {day.toordinal(): (run.window_start, run.window_end) for day, run in runs.items()}
    return Tested(design, np.unique(np.concatenate([fold.test for fold in folds])), windows)


def departure_planted(truth: Truth, tested: Tested) -> dict[str, float]:
    """Effect -> the planted strength on the tested rows, from the truth file alone."""
    target = tested.design.target[tested.rows]
    people = _external_ids(tested.design.subject[tested.rows])
    isolated = np.array([person in truth.isolated for person in people], dtype=np.float64)
    exposed = np.array([person in truth.exposed for person in people], dtype=np.float64)
    return {
        "isolation and exposure -> departure": roc_auc(target, isolated + exposed),
        "isolation -> departure": roc_auc(target, isolated),
        "negative affect exposure -> departure": roc_auc(target, exposed),
    }


def equity_planted(truth: Truth, tested: Tested, teams: list[str]) -> float:
    """Spearman rho of the planted equity of each tested row's team (`teams`) with its outcome."""
    equity = np.array([truth.team_equity[team] for team in teams])
    return spearman_rho(tested.design.target[tested.rows], equity)


def _equity_effect(outcome: str) -> str:
    return "team recognition equity -> " + (
        "wellbeing" if outcome == OutcomeKind.WELLBEING else "delivery"
    )


def tested_teams(truth: Truth, outcome: str, tested: Tested) -> list[str]:
    """The team ("team:Name") of each tested row: the person's first team, or the row's team."""
    subjects = tested.design.subject[tested.rows]
    if outcome == OutcomeKind.WELLBEING:
        return [truth.first_team[person] for person in _external_ids(subjects)]
    return _team_keys(subjects)


def equity_reliability(
    truth: Truth, tested: Tested, teams: list[str], recognitions: TeamRecognitions
) -> float:
    """|rho| of the planted equity and the Gini of the row's team recognitions in its window."""
    measured = np.array(
        [
            recognitions.gini(team, start, end)
            for team, (start, end) in zip(teams, tested.feature_windows(), strict=True)
        ]
    )
    equity = np.array([truth.team_equity[team] for team in teams])
    known = ~np.isnan(measured)
    return abs(spearman_rho(equity[known], measured[known]))


def _external_ids(pks: np.ndarray) -> list[str]:
    found = dict(Person.objects.filter(pk__in=set(pks.tolist())).values_list("pk", "external_id"))
    return [found[pk] for pk in pks.tolist()]


def _team_keys(pks: np.ndarray) -> list[str]:
    found = {
        context.pk: f"team:{context.name}"
        for context in Context.objects.filter(pk__in=set(pks.tolist()))
    }
    return [found[pk] for pk in pks.tolist()]


def recovery(
    truth: Truth,
    results: Mapping[str, BacktestResult],
    recognitions: TeamRecognitions | None = None,
) -> list[Recovery]:
    """One row per planted effect whose outcome was backtested; with `recognitions`, the equity
    effects carry the reliability of their measurement."""
    found = []
    for outcome, result in results.items():
        tested = tested_design(result)
        reliability = None
        if outcome == OutcomeKind.DEPARTURE:
            planted = departure_planted(truth, tested)
        else:
            teams = tested_teams(truth, outcome, tested)  # one lookup for both figures
            planted = {_equity_effect(outcome): equity_planted(truth, tested, teams)}
            if recognitions is not None:
                reliability = round(equity_reliability(truth, tested, teams, recognitions), 4)
        measure = "auc" if tested.design.binary else "rho"
        scores = {row["model"]: row for row in result.results}
        for effect, effect_outcome, model in EFFECTS:
            if effect_outcome != outcome:
                continue
            score = scores.get(model, {})
            found.append(
                Recovery(
                    effect,
                    outcome,
                    model,
                    measure,
                    round(planted[effect], 4),
                    score.get(measure),
                    score.get(f"{measure}_ci"),
                    len(tested.rows),
                    reliability,
                )
            )
    return found


def run_all(
    run: Callable[[BacktestConfig], BacktestResult], until: date, **options: Any
) -> dict[str, BacktestResult]:
    """The three backtests the planted effects are read from."""
    return {
        outcome: run(BacktestConfig(outcome=outcome, until=until, metric=metric, **options))
        for outcome, metric in (
            (OutcomeKind.DEPARTURE, ""),
            (OutcomeKind.WELLBEING, ""),
            (OutcomeKind.TEAM_RESULT, "delivery"),
        )
    }
