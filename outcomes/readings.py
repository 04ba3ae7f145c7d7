"""A stored backtest read in plain language, for the portal and the report: each model's score
with its 95 % interval, its lift over the HR baseline, and a sentence generated from those
numbers. An interval that includes no effect (AUC 0.5, rho 0) reads as "no evidence of a
forecast here", whatever the point estimate says.

Aggregates only: nothing here names or counts a person."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from outcomes.models import BacktestResult, OutcomeKind

BASELINE = "baseline"
NO_EFFECT = {True: 0.5, False: 0.0}  # binary (AUC), numeric (Spearman rho)
CAVEATS = (
    "Observational data: these are associations in this organization's own history, not causes.",
    "Confounding: something else (a reorganization, a manager, the workload) may drive both a "
    "metric and the outcome.",
    "Small samples: with few people or few events, scores move a lot from one period to the next.",
    "Intervals: every score has a 95 % interval; an interval that includes no effect (AUC 0.5, "
    "rho 0) means there is no evidence of a forecast.",
    "A forecast is about groups, never a verdict on a person.",
)
OUTCOME_WORDS = {
    OutcomeKind.DEPARTURE: "departures",
    OutcomeKind.WELLBEING: "well-being answers",
    OutcomeKind.ENGAGEMENT: "engagement answers",
    OutcomeKind.ENPS: "eNPS answers",
    OutcomeKind.TEAM_RESULT: "team results",
}
DIMENSION_WORDS = {"wellbeing": "well-being"}
FIXED_LABELS = {
    BASELINE: "the HR-only baseline",
    "regularized:all": "all metrics in one model",
    "regularized:components": "the health components in one model",
}


def model_label(model: str) -> str:
    """A model's name in plain words: `single:person.out_degree` -> "person out degree"."""
    if model in FIXED_LABELS:
        return FIXED_LABELS[model]
    if model.startswith("single:"):
        return model.removeprefix("single:").replace(".", " ").replace("_", " ")
    if model.startswith("health."):
        dimension = model.removeprefix("health.")
        return f"the health index's {DIMENSION_WORDS.get(dimension, dimension)}"
    return model


def outcome_words(outcome: str, metric: str = "") -> str:
    if outcome == OutcomeKind.TEAM_RESULT and metric:
        return f"team results ({metric})"
    return OUTCOME_WORDS.get(outcome, outcome)  # type: ignore[call-overload, no-any-return]


def number(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.2f}" if signed else f"{value:.2f}"


def interval_text(interval: list[float] | None, signed: bool = False) -> str:
    if interval is None:
        return "[not estimable]"
    return f"[{number(interval[0], signed)}, {number(interval[1], signed)}]"


def evidence(interval: list[float] | None, no_effect: float) -> str:
    """ "above" or "below" when the interval excludes no effect, "" when it includes it."""
    if interval is None:
        return ""
    if interval[0] > no_effect:
        return "above"
    if interval[1] < no_effect:
        return "below"
    return ""


@dataclass(frozen=True)
class ModelLine:
    """One model's scores as shown, with its reading."""

    model: str
    label: str
    measure: str  # "AUC" or "Spearman rho"
    score: float | None
    interval: list[float] | None
    second_measure: str  # "PR-AUC" or "MAE"
    second: float | None
    second_interval: list[float] | None
    lift: float | None
    lift_interval: list[float] | None
    n_subjects: int
    n_events: int
    calibration: dict[str, Any] | None
    forecasts: bool  # its interval lies above no effect
    reading: str

    @property
    def score_text(self) -> str:
        return f"{number(self.score)} {interval_text(self.interval)}"

    @property
    def second_text(self) -> str:
        return f"{number(self.second)} {interval_text(self.second_interval)}"

    @property
    def lift_text(self) -> str:
        if self.model == BASELINE:
            return "(the baseline)"
        return f"{number(self.lift, True)} {interval_text(self.lift_interval, True)}"


@dataclass(frozen=True)
class BacktestReading:
    result: BacktestResult
    outcome: str  # in words
    measure: str
    lines: list[ModelLine]
    baseline: ModelLine | None
    caveats: tuple[str, ...] = CAVEATS

    @property
    def forecasting(self) -> list[ModelLine]:
        """The models (not the baseline) whose interval excludes no effect, upwards."""
        return [line for line in self.lines if line.forecasts and line.model != BASELINE]

    @property
    def summary(self) -> str:
        if not self.forecasting:
            return (
                f"No model forecasts {self.outcome} better than chance here: no evidence of a "
                "forecast here."
            )
        names = ", ".join(line.label for line in self.forecasting)
        return f"Forecasting {self.outcome} better than chance here: {names}."

    @property
    def parameters(self) -> dict[str, Any]:
        found = self.result.parameters
        names = ("horizon_days", "gap_days", "every_days", "window_days", "resamples")
        return {name: found.get(name) for name in names} | {"seed": self.result.seed}


def read_backtest(result: BacktestResult) -> BacktestReading:
    binary = result.outcome == OutcomeKind.DEPARTURE
    words = outcome_words(result.outcome, result.metric)
    rows = {str(row["model"]): row for row in result.results}
    baseline = _line(rows[BASELINE], binary, words, None) if BASELINE in rows else None
    lines = [_line(row, binary, words, baseline) for row in result.results]
    measure = "AUC" if binary else "Spearman rho"
    return BacktestReading(result, words, measure, lines, baseline)


def _line(row: dict[str, Any], binary: bool, outcome: str, baseline: ModelLine | None) -> ModelLine:
    primary, second = ("auc", "pr_auc") if binary else ("rho", "mae")
    interval = row.get(f"{primary}_ci")
    model = str(row["model"])
    line = ModelLine(
        model=model,
        label=model_label(model),
        measure="AUC" if binary else "Spearman rho",
        score=row.get(primary),
        interval=interval,
        second_measure="PR-AUC" if binary else "MAE",
        second=row.get(second),
        second_interval=row.get(f"{second}_ci"),
        lift=row.get("lift"),
        lift_interval=row.get("lift_ci"),
        n_subjects=int(row.get("n_subjects", 0)),
        n_events=int(row.get("n_events", 0)),
        calibration=row.get("calibration"),
        forecasts=evidence(interval, NO_EFFECT[binary]) == "above",
        reading="",
    )
    return replace(line, reading=reading_of(line, binary, outcome, baseline))


def reading_of(line: ModelLine, binary: bool, outcome: str, baseline: ModelLine | None) -> str:
    """One or two sentences from the numbers: the score against no effect, then the lift."""
    score = f"{line.measure} {line.score_text}"
    found = evidence(line.interval, NO_EFFECT[binary])
    better = "better than chance" if binary else "(a positive rank correlation)"
    if line.interval is None:
        first = f"{_capital(line.label)}: {score}, too few rows or events to estimate an interval"
    elif found == "above":
        first = f"{_capital(line.label)} forecasts {outcome} {better}: {score}"
    elif found == "below":
        first = (
            f"{_capital(line.label)} runs against {outcome}: {score}; its forecast points the "
            "wrong way here, no evidence of a useful forecast here"
        )
    else:
        first = f"{_capital(line.label)}: {score}, no evidence of a forecast here"
    if line.model == BASELINE or baseline is None:
        return first + "."
    compared = f"; the HR-only baseline scores {number(baseline.score)}"
    return first + compared + ". " + _lift_reading(line) + "."


def _lift_reading(line: ModelLine) -> str:
    lift = f"lift {line.lift_text}"
    if evidence(line.lift_interval, 0.0) == "above":
        return f"It adds to what HR already knows: {lift}"
    return f"No evidence that it adds to what HR already knows: {lift}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
