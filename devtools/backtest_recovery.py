"""Does a backtest recover what `generate_org --outcomes` planted? (docs/outcomes.md, "Synthetic
truth"). The planted strength of each effect is computed from the generator's truth file alone
(who is isolated or exposed, each team's recognition equity, the org file's teams) on exactly the
rows the backtest forecast; the recovered strength is the backtest's score of the metric that
measures the planted trait, with its 95 % interval.

The planted strength is what a model that knew the trait itself would score. The metrics measure
the traits with error (out-degree separates the isolated from the others almost perfectly; the
three-degree affect exposure separates the exposed less well), so a backtest of the metrics can
fall short of it; `within` says whether the planted strength lies in the recovered interval,
`detected` whether that interval excludes no effect (0.5 for AUC, 0 for rho).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
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
                row["external_id"]: _first_team(row["contexts"]) for row in csv.DictReader(org_file)
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


def _first_team(contexts: str) -> str:
    return next((name for name in contexts.split(";") if name.startswith("team:")), "")


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

    @property
    def no_effect(self) -> float:
        return 0.5 if self.measure == "auc" else 0.0

    @property
    def within(self) -> bool:
        return self.interval is not None and self.interval[0] <= self.planted <= self.interval[1]

    @property
    def detected(self) -> bool:
        interval = self.interval
        return interval is not None and not interval[0] <= self.no_effect <= interval[1]

    def line(self) -> str:
        recovered = "-" if self.recovered is None else f"{self.recovered:.3f}"
        interval = (
            "-" if self.interval is None else f"[{self.interval[0]:.3f}, {self.interval[1]:.3f}]"
        )
        return (
            f"{self.effect:<40} {self.measure:<4} planted {self.planted:.3f}  recovered "
            f"{recovered} {interval:<16} within={'yes' if self.within else 'no'} "
            f"detected={'yes' if self.detected else 'no'} (n={self.n}, {self.model})"
        )


def tested_design(result: BacktestResult) -> tuple[Design, np.ndarray]:
    """The backtest's design rebuilt from its stored snapshot runs, and the rows it forecast."""
    config = stored_config(result)
    stored = result.parameters["snapshot_runs"]
    found = MiningRun.objects.in_bulk(list(stored.values()))
    runs = {date.fromisoformat(day): found[pk] for day, pk in stored.items()}
    builder = team_rows if config.outcome == OutcomeKind.TEAM_RESULT else person_rows
    design = design_of(builder(runs, config), config.binary)
    protocol = Protocol(config.horizon_days, resamples=config.resamples, seed=config.seed)
    folds = time_group_folds(design, protocol)
    return design, np.unique(np.concatenate([fold.test for fold in folds]))


def planted_scores(
    truth: Truth, outcome: str, design: Design, tested: np.ndarray
) -> dict[str, float]:
    """Effect -> the planted strength on the tested rows, from the truth file alone."""
    target = design.target[tested]
    if outcome == OutcomeKind.DEPARTURE:
        people = _external_ids(design.subject[tested])
        isolated = np.array([person in truth.isolated for person in people], dtype=np.float64)
        exposed = np.array([person in truth.exposed for person in people], dtype=np.float64)
        return {
            "isolation and exposure -> departure": roc_auc(target, isolated + exposed),
            "isolation -> departure": roc_auc(target, isolated),
            "negative affect exposure -> departure": roc_auc(target, exposed),
        }
    if outcome == OutcomeKind.WELLBEING:
        people = _external_ids(design.subject[tested])
        equity = [truth.team_equity[truth.first_team[person]] for person in people]
        return {"team recognition equity -> wellbeing": spearman_rho(target, np.array(equity))}
    teams = _team_keys(design.subject[tested])
    equity = [truth.team_equity[team] for team in teams]
    return {"team recognition equity -> delivery": spearman_rho(target, np.array(equity))}


def _external_ids(pks: np.ndarray) -> list[str]:
    found = dict(Person.objects.filter(pk__in=set(pks.tolist())).values_list("pk", "external_id"))
    return [found[pk] for pk in pks.tolist()]


def _team_keys(pks: np.ndarray) -> list[str]:
    found = {
        context.pk: f"team:{context.name}"
        for context in Context.objects.filter(pk__in=set(pks.tolist()))
    }
    return [found[pk] for pk in pks.tolist()]


def recovery(truth: Truth, results: Mapping[str, BacktestResult]) -> list[Recovery]:
    """One row per planted effect whose outcome was backtested."""
    found = []
    for outcome, result in results.items():
        design, tested = tested_design(result)
        planted = planted_scores(truth, outcome, design, tested)
        measure = "auc" if design.binary else "rho"
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
                    len(tested),
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
