"""Backtests against stored snapshots: did the metrics of the window ending at t - gap forecast
what happened in (t, t + horizon]? (docs/outcomes.md, "Backtests").

Snapshots are succeeded mining runs (outcomes.snapshots); the missing ones are mined. For each
forecast date t the feature builder reads exactly one run, the one whose window ends at
t - gap (the gap keeps notice periods, and anything else the outcome itself changed, out of the
features). The people forecast are those employed at t (people.roster) who have metrics in that
run; their team is the team membership in force at t. The arrays go to outcomes.backtest_engine;
the result is stored as a BacktestResult with its parameters, seed and data span.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import date, timedelta
from statistics import mean
from typing import Any

import numpy as np
from django.db.models import Count
from django.utils import timezone

from analytics.models import ContextMetric, Finding, MiningRun, OrgMetric, PersonMetric
from analytics.patterns.health import COMPONENTS
from analytics.services import DEFAULT_WINDOW_DAYS
from outcomes import snapshots
from outcomes.backtest_engine import (
    BacktestOutcome,
    Design,
    ModelSpec,
    Protocol,
    backtest,
    standardized_coefficients,
)
from outcomes.models import BacktestResult, OutcomeKind
from outcomes.selectors import departures, pulse_answers, team_results
from people.models import ContextKind, Membership, Person
from people.roster import employed_on_q, membership_in_force_q

BACKTEST_OUTCOMES = ("departure", "wellbeing", "engagement", "enps", "team_result")
COMPONENT_MODEL = "regularized:components"
ALL_METRICS_MODEL = "regularized:all"


@dataclass(frozen=True)
class BacktestConfig:
    outcome: str
    horizon_days: int = 90
    gap_days: int = 28
    every_days: int = 28
    window_days: int = DEFAULT_WINDOW_DAYS
    seed: int = 0
    resamples: int = 500
    metric: str = ""  # team_result: the KPI
    since: date | None = None  # earliest feature day (default: first event + window)
    until: date | None = None  # last day whose outcomes are known (default: today)
    mine: bool = True  # mine missing snapshots (False: stored ones only)

    def __post_init__(self) -> None:
        if self.outcome not in BACKTEST_OUTCOMES:
            raise ValueError(f"outcome {self.outcome!r} is not one of {BACKTEST_OUTCOMES}")
        if min(self.horizon_days, self.every_days, self.window_days) < 1 or self.gap_days < 0:
            raise ValueError("horizon, every and window need at least 1 day; gap at least 0")

    @property
    def binary(self) -> bool:
        return self.outcome == OutcomeKind.DEPARTURE

    @classmethod
    def from_parameters(cls, outcome: str, parameters: Mapping[str, Any]) -> BacktestConfig:
        """From JSON-able parameters (a Celery message): dates as ISO text."""
        found = dict(parameters)
        for name in ("since", "until"):
            if isinstance(found.get(name), str):
                found[name] = date.fromisoformat(found[name])
        return cls(outcome=outcome, **found)

    def parameters(self) -> dict[str, Any]:
        found = asdict(self)
        found["since"] = self.since.isoformat() if self.since else None
        found["until"] = self.until.isoformat() if self.until else None
        return found


def stored_config(result: BacktestResult) -> BacktestConfig:
    """The configuration a stored backtest ran with (its parameters also hold what it found,
    which are not configuration), reading stored snapshots only: nothing is mined again."""
    names = {item.name for item in fields(BacktestConfig)} - {"outcome", "mine"}
    stored = {name: value for name, value in result.parameters.items() if name in names}
    return BacktestConfig.from_parameters(result.outcome, {**stored, "mine": False})


class NoSnapshots(ValueError):
    """No forecast date has a snapshot and a closed horizon."""


# --- which snapshots ---------------------------------------------------------------------------


def forecast_dates(config: BacktestConfig) -> list[date]:
    """The dates t: features from the window ending at t - gap, outcomes in (t, t + horizon],
    every `every_days`, the newest with its horizon closed by `until`."""
    until = config.until or timezone.now().date()
    since = config.since
    if since is None:
        span = snapshots.event_span()
        if span is None:
            raise NoSnapshots("no events to mine, and no --since")
        since = span[0] + timedelta(days=config.window_days)
    newest_feature_day = until - timedelta(days=config.horizon_days + config.gap_days)
    days = snapshots.series(config.every_days, since, newest_feature_day)
    return [day + timedelta(days=config.gap_days) for day in days]


def feature_run(at: date, config: BacktestConfig) -> MiningRun | None:
    """The only run the features of date `at` come from: its window ends at `at - gap`."""
    return snapshots.stored_snapshot(at - timedelta(days=config.gap_days), config.window_days)


def snapshot_runs(config: BacktestConfig) -> dict[date, MiningRun]:
    """Forecast date -> its feature run; missing snapshots are mined when `config.mine`."""
    dates = forecast_dates(config)
    mine = snapshots.mine_snapshot if config.mine else None
    feature_days = [at - timedelta(days=config.gap_days) for at in dates]
    runs = snapshots.ensure_snapshots(feature_days, config.window_days, mine)
    gap = timedelta(days=config.gap_days)
    return {day + gap: run for day, run in runs.items()}


# --- rows --------------------------------------------------------------------------------------


@dataclass
class Rows:
    features: list[dict[str, float]] = field(default_factory=list)
    target: list[float] = field(default_factory=list)
    day: list[int] = field(default_factory=list)
    group: list[int] = field(default_factory=list)
    subject: list[int] = field(default_factory=list)

    def add(
        self, features: dict[str, float], target: float, at: date, group: int, subject: int
    ) -> None:
        self.features.append(features)
        self.target.append(target)
        self.day.append(at.toordinal())
        self.group.append(group)
        self.subject.append(subject)


def _present_with_metrics(at: date, run: MiningRun) -> dict[int, Person]:
    with_metrics = PersonMetric.objects.filter(run=run).values("person")
    people = Person.objects.filter(employed_on_q(at), analytics_opt_out=False, pk__in=with_metrics)
    return {person.pk: person for person in people}


def _person_metrics(run: MiningRun) -> dict[int, dict[str, float]]:
    found: dict[int, dict[str, float]] = defaultdict(dict)
    for person, metric, value in PersonMetric.objects.filter(run=run).values_list(
        "person", "metric", "value"
    ):
        found[person][f"person.{metric}"] = value
    return found


def teams_at(at: date) -> dict[int, int]:
    """Person -> their team at `at` (membership in force; the lowest context id if several)."""
    rows = Membership.objects.filter(membership_in_force_q(at), context__kind=ContextKind.TEAM)
    found: dict[int, int] = {}
    for person, context in rows.order_by("context_id").values_list("person", "context"):
        found.setdefault(person, context)
    return found


def _team_metrics(run: MiningRun) -> dict[int, dict[str, float]]:
    found: dict[int, dict[str, float]] = defaultdict(dict)
    rows = ContextMetric.objects.filter(run=run, context__kind=ContextKind.TEAM)
    for context, metric, value in rows.values_list("context", "metric", "value"):
        found[context][f"team.{metric}"] = value
    return found


def _spans_at(at: date) -> dict[int, int]:
    """Manager -> direct reports employed at `at`. The reporting line has no history: this is
    today's line, restricted to the people employed then."""
    rows = Person.objects.filter(employed_on_q(at), manager__isnull=False)
    counted = rows.values("manager").annotate(direct_reports=Count("pk"))
    pairs = counted.values_list("manager", "direct_reports")
    return {manager: count for manager, count in pairs if manager is not None}


def _flagged(run: MiningRun, pattern: str) -> set[int]:
    rows = Finding.subjects.through.objects.filter(finding__run=run, finding__pattern=pattern)
    return set(rows.values_list("person_id", flat=True))


def _silo_teams(run: MiningRun) -> set[int]:
    rows = Finding.objects.filter(run=run, pattern="silo", context__isnull=False)
    return {context for context in rows.values_list("context_id", flat=True) if context}


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def team_components(metrics: Mapping[str, float], silo: bool) -> dict[str, float]:
    """The health components a team has a value of (analytics.patterns.health, per team)."""
    found = {"agility.silo_free": 0.0 if silo else 1.0}
    if "team.ei_index" in metrics:
        found["agility.boundary_spanning"] = _clip((metrics["team.ei_index"] + 1) / 2)
    if "team.exploration" in metrics:
        found["agility.exploration"] = _clip(metrics["team.exploration"])
    if "team.engagement" in metrics:
        found["wellbeing.engagement"] = _clip(metrics["team.engagement"])
    if "team.recognition_gini" in metrics:
        found["wellbeing.recognition_equity"] = _clip(1 - metrics["team.recognition_gini"])
    return found


def person_components(
    metrics: Mapping[str, float], isolated: bool, contagion: bool
) -> dict[str, float]:
    """The health components as they stand for one person: their own share of each (1 when
    the component's condition holds for them, or their own value)."""
    found = {
        "viability.connectedness": 0.0 if isolated else 1.0,
        "viability.leadership_coverage": float(metrics.get("person.leader_count", 0) >= 2),
        "viability.recognition_reach": float(metrics.get("person.recognition_received", 0) > 0),
        "wellbeing.contagion_free": 0.0 if contagion else 1.0,
    }
    if "person.reciprocity" in metrics:
        found["viability.reciprocity"] = _clip(metrics["person.reciprocity"])
    if "person.affect_exposure" in metrics:
        found["wellbeing.affect"] = _clip((metrics["person.affect_exposure"] + 1) / 2)
    return found


def _health_columns(components: Mapping[str, float]) -> dict[str, float]:
    """Component columns and each dimension's equal-weight mean of the components known, as
    the index computes it (analytics.patterns.health)."""
    found = {f"component:{name}": value for name, value in components.items()}
    for dimension, names in COMPONENTS.items():
        known = [
            components[f"{dimension}.{name}"]
            for name in names
            if f"{dimension}.{name}" in components
        ]
        if known:
            found[f"health.{dimension}"] = mean(known)
    return found


# --- outcomes ----------------------------------------------------------------------------------


def _departure_days() -> dict[int, set[date]]:
    """Person -> days of departure (outcomes.selectors.departures: Outcome rows, else left_on;
    people who opted out of analytics left out)."""
    found: dict[int, set[date]] = defaultdict(set)
    for departure in departures(date.min, date.max):
        found[departure.person_id].add(departure.on)
    return found


def _scaled(value: float, low: float | None, high: float | None) -> float:
    return (value - low) / (high - low) if low is not None and high is not None else value


def _answers(kind: str, metric: str = "") -> dict[int, list[tuple[date, float]]]:
    """Subject (person, or context for team results) -> (day, value on [0, 1] when scaled), read
    through outcomes.selectors (opted-out people left out)."""
    if kind == OutcomeKind.TEAM_RESULT:
        rows, subject = team_results(date.min, date.max).filter(metric=metric), "context"
    else:
        rows, subject = pulse_answers(date.min, date.max, [kind]), "person"
    found: dict[int, list[tuple[date, float]]] = defaultdict(list)
    for key, day, value, low, high in rows.filter(value__isnull=False).values_list(
        subject, "at", "value", "scale_min", "scale_max"
    ):
        found[key].append((day, _scaled(value, low, high)))
    return found


def _in_horizon(day: date, at: date, horizon_days: int) -> bool:
    return at < day <= at + timedelta(days=horizon_days)


def departed(days: Iterable[date], at: date, horizon_days: int) -> float:
    return float(any(_in_horizon(day, at, horizon_days) for day in days))


def mean_answer(answers: Iterable[tuple[date, float]], at: date, horizon_days: int) -> float:
    values = [value for day, value in answers if _in_horizon(day, at, horizon_days)]
    return mean(values) if values else float("nan")


# --- the design --------------------------------------------------------------------------------


def person_rows(runs: Mapping[date, MiningRun], config: BacktestConfig) -> Rows:
    rows = Rows()
    departures = _departure_days() if config.binary else {}
    answers = {} if config.binary else _answers(config.outcome)
    for at, run in sorted(runs.items()):
        for person, features in _person_features(at, run).items():
            if config.binary:
                target = departed(departures.get(person, ()), at, config.horizon_days)
            else:
                target = mean_answer(answers.get(person, ()), at, config.horizon_days)
            if not np.isnan(target):
                team = int(features.pop("_team"))
                rows.add(features, target, at, team, person)
    return rows


def _person_features(at: date, run: MiningRun) -> dict[int, dict[str, float]]:
    people = _present_with_metrics(at, run)
    metrics, team_metrics = _person_metrics(run), _team_metrics(run)
    teams, spans = teams_at(at), _spans_at(at)
    sizes: dict[int, int] = defaultdict(int)
    for members_team in teams.values():
        sizes[members_team] += 1
    isolated, contagion = _flagged(run, "isolation"), _flagged(run, "negative_contagion")
    silos = _silo_teams(run)
    found = {}
    for pk, person in people.items():
        team = teams.get(pk)
        own = metrics.get(pk, {})
        of_team = team_metrics.get(team, {}) if team else {}
        components = {
            **person_components(own, pk in isolated, pk in contagion),
            **(team_components(of_team, team in silos) if team else {}),
        }
        found[pk] = {
            **own,
            **of_team,
            **_health_columns(components),
            "hr.tenure_days": _tenure(person, at),
            "hr.team_size": float(sizes[team]) if team else float("nan"),
            "hr.manager_span": float(spans.get(pk, 0)),
            "_team": float(team if team else -pk),  # no team: a group of their own
        }
    return found


def _tenure(person: Person, at: date) -> float:
    return float((at - person.joined_on).days) if person.joined_on else float("nan")


def team_rows(runs: Mapping[date, MiningRun], config: BacktestConfig) -> Rows:
    rows = Rows()
    results = _answers(OutcomeKind.TEAM_RESULT, config.metric)
    for at, run in sorted(runs.items()):
        team_metrics, silos = _team_metrics(run), _silo_teams(run)
        members: dict[int, list[float]] = defaultdict(list)
        tenure = {pk: _tenure(person, at) for pk, person in _present_with_metrics(at, run).items()}
        for person, team in teams_at(at).items():
            members[team].append(tenure.get(person, float("nan")))
        for team, tenures in members.items():
            target = mean_answer(results.get(team, ()), at, config.horizon_days)
            if np.isnan(target) or team not in team_metrics:
                continue
            known = [value for value in tenures if not np.isnan(value)]
            features = {
                **team_metrics[team],
                **_health_columns(team_components(team_metrics[team], team in silos)),
                "hr.team_size": float(len(tenures)),
                "hr.mean_tenure_days": mean(known) if known else float("nan"),
            }
            rows.add(features, target, at, team, team)
    return rows


def design_of(rows: Rows, binary: bool) -> Design:
    columns = sorted({name for features in rows.features for name in features})
    matrix = np.array(
        [[features.get(name, np.nan) for name in columns] for features in rows.features],
        dtype=np.float64,
    ).reshape(len(rows.features), len(columns))
    keep = [index for index in range(len(columns)) if not np.isnan(matrix[:, index]).all()]
    return Design(
        matrix[:, keep],
        tuple(columns[index] for index in keep),
        np.asarray(rows.target, dtype=np.float64),
        binary,
        np.asarray(rows.day, dtype=np.int64),
        np.asarray(rows.group, dtype=np.int64),
        np.asarray(rows.subject, dtype=np.int64),
    )


def models_for(design: Design, outcome: str) -> list[ModelSpec]:
    """Baseline (HR attributes), each metric alone, each health dimension as it is, and two
    regularized models over the HR attributes plus every metric, or plus the health components
    (the one a calibrated index is learned from)."""
    hr = tuple(name for name in design.columns if name.startswith("hr."))
    metrics = tuple(name for name in design.columns if name.startswith(("person.", "team.")))
    components = tuple(name for name in design.columns if name.startswith("component:"))
    dimensions = tuple(name for name in design.columns if name.startswith("health."))
    sign = -1.0 if outcome == OutcomeKind.DEPARTURE else 1.0  # healthier: fewer departures
    return [
        ModelSpec("baseline", "baseline", hr),
        *(ModelSpec(f"single:{name}", "single", (name,)) for name in metrics),
        *(ModelSpec(name, "as_is", (name,), sign) for name in dimensions),
        ModelSpec(ALL_METRICS_MODEL, "regularized", (*metrics, *hr)),
        ModelSpec(COMPONENT_MODEL, "regularized", (*components, *hr)),
    ]


# --- the calibrated index ----------------------------------------------------------------------


def calibrated_weights(
    found: BacktestOutcome, design: Design, models: list[ModelSpec], config: BacktestConfig
) -> tuple[dict[str, float] | None, str]:
    """Learned component weights when the component model beats the HR baseline with an
    interval excluding no effect; otherwise None and a plain statement saying so."""
    score = found.score_of(COMPONENT_MODEL).scores
    lift, interval = score["lift"], score["lift_ci"]
    measure = "AUC" if config.binary else "Spearman rho"
    told = f"lift in {measure} over the HR baseline {lift} [95 % CI {_interval_text(interval)}]"
    if interval is None or interval[0] <= 0:
        return None, f"The data do not support a calibrated index: {told}."
    spec = next(spec for spec in models if spec.name == COMPONENT_MODEL)
    coefficients = standardized_coefficients(design, spec, config.seed)
    sign = -1.0 if config.binary else 1.0  # a weight counts towards health, not towards leaving
    raw = {
        name.removeprefix("component:"): sign * value
        for name, value in coefficients.items()
        if name.startswith("component:")
    }
    total = sum(abs(value) for value in raw.values())
    if total == 0:
        return (
            None,
            f"The data do not support a calibrated index: no component carries weight ({told}).",
        )
    weights = {name: round(value / total, 4) + 0.0 for name, value in sorted(raw.items())}
    return weights, f"A calibrated index is supported: {told}; weights learned from this backtest."


def _interval_text(interval: list[float] | None) -> str:
    return "not estimable" if interval is None else f"{interval[0]:+.3f}, {interval[1]:+.3f}"


def index_pair(result: BacktestResult, run: MiningRun) -> dict[str, Any]:
    """The equal-weight health index of `run` next to the one weighted as `result` learned
    (None when the backtest did not support one), labelled with its backtest."""
    org = dict(OrgMetric.objects.filter(run=run).values_list("metric", "value"))
    equal = {dimension: org.get(dimension) for dimension in COMPONENTS}
    span = f"{result.data_start}..{result.data_end}"
    label = f"learned from backtest {result.pk} ({result.outcome}, {span})"
    if not result.calibrated_weights:
        return {"equal_weight": equal, "calibrated": None, "statement": result.statement}
    # Largest weight first: a JSON field keeps no key order on PostgreSQL (jsonb).
    weights: dict[str, float] = dict(
        sorted(result.calibrated_weights.items(), key=lambda item: (-abs(item[1]), item[0]))
    )
    known = {name: weight for name, weight in weights.items() if name in org}
    total = sum(abs(weight) for weight in known.values())
    value = 100 * sum(w * org[name] for name, w in known.items()) / total if total else None
    return {
        "equal_weight": equal,
        "calibrated": {"value": value, "weights": weights, "label": label},
        "statement": result.statement,
    }


# --- the service -------------------------------------------------------------------------------


def run_backtest(config: BacktestConfig) -> BacktestResult:
    """Mine what is missing, build the design, backtest every model and store the result."""
    runs = snapshot_runs(config)
    if not runs:
        raise NoSnapshots("no snapshot: mine a series (mine_series) or widen since/until")
    builder = team_rows if config.outcome == OutcomeKind.TEAM_RESULT else person_rows
    design = design_of(builder(runs, config), config.binary)
    models = models_for(design, config.outcome)
    protocol = Protocol(config.horizon_days, resamples=config.resamples, seed=config.seed)
    found = backtest(design, models, protocol)
    weights, statement = calibrated_weights(found, design, models, config)
    return _store(config, runs, found, weights, statement)


def _store(
    config: BacktestConfig,
    runs: Mapping[date, MiningRun],
    found: BacktestOutcome,
    weights: dict[str, float] | None,
    statement: str,
) -> BacktestResult:
    baseline = found.score_of("baseline")
    parameters = {
        **config.parameters(),
        "grouping": found.grouping,
        "folds": found.folds,
        "tested_dates": [date.fromordinal(day).isoformat() for day in found.tested_days],
        "snapshot_runs": {at.isoformat(): run.pk for at, run in sorted(runs.items())},
        "departures_from": "Outcome rows of kind departure and Person.left_on",
    }
    return BacktestResult.objects.create(
        outcome=config.outcome,
        metric=config.metric,
        parameters=parameters,
        seed=config.seed,
        data_start=min(run.window_start for run in runs.values()).date(),
        data_end=max(runs) + timedelta(days=config.horizon_days),
        n_people=baseline.n_subjects,
        n_events=baseline.n_events,
        results=[{**score.as_dict(), "outcome": config.outcome} for score in found.scores],
        calibrated_weights=weights,
        statement=statement,
    )
