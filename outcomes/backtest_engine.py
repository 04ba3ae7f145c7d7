"""Backtests on plain arrays: do features measured before a date forecast an outcome after it?

No Django here: a `Design` is a table of rows (a person or a context at one snapshot date, with
its team), feature columns and a target (binary, or numeric). `backtest` scores every model by
cross-validation split in time and grouped by team:

- **Time**: the rows of snapshot t are forecast by a model trained only on the snapshots whose
  outcome window had closed by t (`day + horizon <= t`), an expanding window with a purge, so no
  training label was observed after the forecast date.
- **Teams**: teams are dealt once (seeded) into `group_folds` folds; the rows of fold g at t are
  forecast by a model that saw no row of the teams in fold g. Each row is forecast once, by a
  model that never saw its team nor the future. With fewer than two teams, people are the groups.

Models (`ModelSpec.kind`):
- `single`: one feature, its direction and scale learned on the training rows (univariate
  logistic or least-squares fit), so an inverted metric is not mistaken for a useless one.
- `as_is`: one feature taken as it is, with a direction fixed in advance (the health index).
- `regularized`: L2 logistic regression (C = 1) or ridge regression (penalty chosen by
  leave-one-out on the training rows) on standardized features, missing values imputed by the
  training median.
- `baseline`: the same regularized model on the HR attributes alone; every lift is against it.

Scores are computed on the pooled out-of-fold forecasts: ROC-AUC and PR-AUC (average precision)
for a binary target, Spearman's rho and the mean absolute error for a numeric one, each with a
percentile bootstrap 95 % interval from a two-stage resampling (teams, then the people of each
drawn team, each person with all their rows: people of one team share its shocks, so resampling
people alone would make the intervals too narrow; subjects alone when there are fewer than two
teams), and the lift over the baseline with a paired interval (the
same resamples).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy.stats import rankdata
from sklearn.impute import SimpleImputer
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    LogisticRegressionCV,
    RidgeCV,
)
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ModelKind = Literal["single", "as_is", "regularized", "baseline"]

RIDGE_ALPHAS = tuple(float(alpha) for alpha in np.logspace(-2, 4, 13))
LOGISTIC_CS = tuple(float(c) for c in np.logspace(-3, 1, 9))
LOGISTIC_C = 1.0  # only when the training rows cannot be split into penalty-choosing folds
PENALTY_FOLDS = 3
CALIBRATION_BINS = 10


class NotEnoughData(ValueError):
    """No fold can be formed: too few snapshots, rows or outcomes."""


@dataclass(frozen=True)
class Design:
    features: FloatArray  # rows x columns, NaN where missing
    columns: tuple[str, ...]
    target: FloatArray  # 0/1 when binary
    binary: bool
    snapshot_day: IntArray  # the snapshot date t of each row, as a day number (date.toordinal)
    group: IntArray  # the row's team
    subject: IntArray  # the person or context the row describes

    def __post_init__(self) -> None:
        rows = len(self.target)
        if self.features.shape != (rows, len(self.columns)):
            raise ValueError("features must have one row per target and one column per name")
        if not len(self.snapshot_day) == len(self.group) == len(self.subject) == rows:
            raise ValueError("snapshot_day, group and subject need one value per row")

    def column_indices(self, names: Sequence[str]) -> IntArray:
        return np.asarray([self.columns.index(name) for name in names], dtype=np.int64)


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: ModelKind
    columns: tuple[str, ...]
    sign: float = 1.0  # as_is: +1 when a higher value forecasts a higher target


@dataclass(frozen=True)
class Protocol:
    horizon_days: int
    group_folds: int = 3
    resamples: int = 500
    seed: int = 0
    min_train_rows: int = 10


@dataclass(frozen=True)
class Fold:
    train: IntArray
    test: IntArray
    test_day: int


@dataclass
class ModelScore:
    model: str
    kind: ModelKind
    n: int
    n_subjects: int
    n_events: int
    scores: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        head = {"model": self.model, "kind": self.kind, "n": self.n}
        return {**head, "n_subjects": self.n_subjects, "n_events": self.n_events, **self.scores}


@dataclass
class BacktestOutcome:
    scores: list[ModelScore]
    grouping: Literal["team", "subject"]
    folds: int
    tested_days: list[int]

    def score_of(self, model: str) -> ModelScore:
        return next(score for score in self.scores if score.model == model)


# --- splits -----------------------------------------------------------------------------------


def grouping_of(design: Design) -> tuple[IntArray, Literal["team", "subject"]]:
    if len(np.unique(design.group)) >= 2:
        return design.group, "team"
    return design.subject, "subject"


def deal_groups(groups: IntArray, folds: int, seed: int) -> IntArray:
    """The fold of each row: its group's place in a seeded shuffle of the groups, modulo folds."""
    unique, inverse = np.unique(groups, return_inverse=True)
    place = np.random.default_rng(seed).permutation(len(unique))
    return (place % folds)[inverse].astype(np.int64)


def time_group_folds(design: Design, protocol: Protocol) -> list[Fold]:
    """Expanding-window folds purged by the horizon, crossed with team folds."""
    groups, _ = grouping_of(design)
    folds = min(protocol.group_folds, len(np.unique(groups)))
    fold_of_row = deal_groups(groups, folds, protocol.seed)
    found: list[Fold] = []
    for day in np.unique(design.snapshot_day):
        closed = design.snapshot_day + protocol.horizon_days <= day
        for fold in range(folds):
            train = np.flatnonzero(closed & (fold_of_row != fold))
            test = np.flatnonzero((design.snapshot_day == day) & (fold_of_row == fold))
            if len(test) and _trainable(design, train, protocol):
                found.append(Fold(train.astype(np.int64), test.astype(np.int64), int(day)))
    return found


def _trainable(design: Design, train: IntArray, protocol: Protocol) -> bool:
    if len(train) < protocol.min_train_rows:
        return False
    return len(np.unique(design.target[train])) >= 2


# --- models -----------------------------------------------------------------------------------


Splits = list[tuple[IntArray, IntArray]]


def penalty_splits(design: Design, rows: IntArray) -> Splits | None:
    """Team-grouped folds of the training rows, in which the regularized models choose their
    penalty. A person's rows at several snapshots (and their teammates') would otherwise sit on
    both sides of a split and reward fitting them, i.e. a weak penalty. Folds whose either side
    holds one class only are left out (no AUC there); None when no fold is left."""
    groups = design.group[rows]
    if len(np.unique(groups)) < PENALTY_FOLDS:
        return None
    target = design.target[rows]
    splits = [
        (train, check)
        for train, check in GroupKFold(PENALTY_FOLDS).split(rows, groups=groups)
        if not design.binary
        or (len(np.unique(target[train])) == 2 and len(np.unique(target[check])) == 2)
    ]
    return splits or None


def _estimator(kind: ModelKind, binary: bool, seed: int, splits: Splits | None) -> Any:
    impute = SimpleImputer(strategy="median", keep_empty_features=True)
    if kind == "single":
        fit = LogisticRegression(C=1e6, random_state=seed) if binary else LinearRegression()
    elif binary and splits:
        fit = LogisticRegressionCV(
            Cs=list(LOGISTIC_CS),
            cv=splits,
            scoring="neg_log_loss",
            l1_ratios=(0.0,),
            max_iter=1000,
            random_state=seed,
            use_legacy_attributes=False,
        )
    elif binary:
        fit = LogisticRegression(C=LOGISTIC_C, l1_ratio=0.0, max_iter=1000, random_state=seed)
    else:
        fit = RidgeCV(alphas=RIDGE_ALPHAS, cv=splits)
    return make_pipeline(impute, StandardScaler(), fit)


def _fitted(design: Design, spec: ModelSpec, rows: IntArray, seed: int) -> Any:
    splits = penalty_splits(design, rows) if spec.kind == "regularized" else None
    model = _estimator(spec.kind, design.binary, seed, splits)
    model.fit(
        design.features[np.ix_(rows, design.column_indices(spec.columns))], design.target[rows]
    )
    return model


def _as_is(design: Design, spec: ModelSpec, train: IntArray, test: IntArray) -> FloatArray:
    column = design.features[:, design.column_indices(spec.columns)[0]]
    known = column[train][~np.isnan(column[train])]
    fill = float(np.median(known)) if len(known) else 0.0
    return spec.sign * np.where(np.isnan(column[test]), fill, column[test])


def fit_predict(
    design: Design, spec: ModelSpec, train: IntArray, test: IntArray, seed: int
) -> FloatArray:
    """Forecasts for the test rows: probabilities (binary) or values (numeric); as_is: the
    signed feature itself."""
    if spec.kind == "as_is":
        return _as_is(design, spec, train, test)
    model = _fitted(design, spec, train, seed)
    x_test = design.features[np.ix_(test, design.column_indices(spec.columns))]
    if design.binary:
        return np.asarray(model.predict_proba(x_test)[:, 1], dtype=np.float64)
    return np.asarray(model.predict(x_test), dtype=np.float64)


def out_of_fold(design: Design, spec: ModelSpec, folds: Sequence[Fold], seed: int) -> FloatArray:
    forecast = np.full(len(design.target), np.nan)
    for fold in folds:
        forecast[fold.test] = fit_predict(design, spec, fold.train, fold.test, seed)
    return forecast


def standardized_coefficients(design: Design, spec: ModelSpec, seed: int) -> dict[str, float]:
    """The regularized model fitted on every row: one coefficient per feature, per standard
    deviation of the feature (what a learned index would weigh the features by)."""
    model = _fitted(design, spec, np.arange(len(design.target)), seed)
    coefficients = np.ravel(model[-1].coef_)
    return {name: float(value) for name, value in zip(spec.columns, coefficients, strict=True)}


# --- metrics ----------------------------------------------------------------------------------


def roc_auc(target: FloatArray, score: FloatArray) -> float:
    """Mann-Whitney form: the chance a random event outranks a random non-event (ties: half)."""
    positives = target == 1
    n1, n0 = int(positives.sum()), int((~positives).sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[positives].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def pr_auc(target: FloatArray, score: FloatArray) -> float:
    """Average precision, as sklearn.metrics.average_precision_score computes it (tied scores
    form one threshold), without its per-call overhead: the bootstrap calls it thousands of
    times."""
    if target.min() == target.max():
        return float("nan")
    order = np.argsort(-score, kind="mergesort")
    ranked, hits = score[order], target[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(ranked)), len(ranked) - 1]
    true_positives = np.cumsum(hits)[last_of_tie]
    precision = true_positives / (last_of_tie + 1)
    recall = true_positives / true_positives[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def spearman_rho(target: FloatArray, score: FloatArray) -> float:
    """Pearson's r of the ranks (ties: mean ranks), as scipy.stats.spearmanr."""
    if np.ptp(target) == 0 or np.ptp(score) == 0:
        return float("nan")
    return float(np.corrcoef(rankdata(target), rankdata(score))[0, 1])


def mean_absolute_error(target: FloatArray, forecast: FloatArray) -> float:
    return float(np.mean(np.abs(target - forecast)))


def primary_metric(binary: bool) -> str:
    return "auc" if binary else "rho"


RANKING = frozenset({"auc", "pr_auc", "rho"})


def _metrics(binary: bool, kind: ModelKind) -> dict[str, Any]:
    """Metric name -> function of (target, forecast), the primary first. Ranking metrics are fed
    within-fold ranks (see within_fold_ranks), the others the forecasts themselves."""
    if binary:
        return {"auc": roc_auc, "pr_auc": pr_auc}
    found: dict[str, Any] = {"rho": spearman_rho}
    if kind != "as_is":  # an index taken as it is is not on the outcome's scale
        found["mae"] = mean_absolute_error
    return found


def within_fold_ranks(forecast: FloatArray, fold: IntArray) -> FloatArray:
    """Each forecast as its percentile rank among the forecasts of its own fold.

    Pooling raw forecasts of models fitted on different folds compares their intercepts too:
    a fold whose teams happen to have more events trains on the others, which have fewer, and
    gets lower forecasts, so a null model pools to an AUC below 0.5. Ranks within the fold
    compare people only with those one model forecast (a stratified AUC, near enough)."""
    ranks = np.empty_like(forecast)
    for index in np.unique(fold):
        rows = np.flatnonzero(fold == index)
        ranks[rows] = (rankdata(forecast[rows]) - 0.5) / len(rows)  # ties of a fold: 0.5
    return ranks


# --- bootstrap --------------------------------------------------------------------------------


def _split_rows(keys: IntArray) -> tuple[IntArray, list[IntArray]]:
    """The distinct keys, and the row indices of each, in key order."""
    unique, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    order = np.argsort(inverse, kind="stable")
    return unique, np.split(order, np.cumsum(counts)[:-1])


def cluster_resamples(
    cluster: IntArray, subject: IntArray, resamples: int, seed: int
) -> Iterator[IntArray]:
    """Row indices of two-stage bootstrap resamples: the clusters (teams) drawn with
    replacement, then within each drawn cluster its subjects drawn with replacement, each with
    all its rows in that cluster. Teams share shocks, so drawing people alone makes the
    intervals too narrow; drawing teams alone, too narrow again when there are few teams."""
    _, rows_of_cluster = _split_rows(cluster)
    units_of_cluster = [
        [rows[part] for part in _split_rows(subject[rows])[1]] for rows in rows_of_cluster
    ]
    rng = np.random.default_rng(seed)
    for _ in range(resamples):
        drawn: list[IntArray] = []
        for pick in rng.integers(0, len(units_of_cluster), len(units_of_cluster)):
            units = units_of_cluster[pick]
            drawn.extend(units[index] for index in rng.integers(0, len(units), len(units)))
        yield np.concatenate(drawn)


@dataclass(frozen=True)
class TieGroups:
    """The distinct values of a column, ascending, and each row's. A bootstrap resample is a
    multiplicity per row; summed per distinct value, the multiplicities give the resample's
    average ranks, ROC-AUC and average precision without sorting the resample. Those sums are
    whole numbers or halves, exact in floating point, so the results are the sorting functions'
    (rankdata, roc_auc, pr_auc) to the bit."""

    of_row: IntArray
    size: int

    @classmethod
    def of(cls, values: FloatArray) -> TieGroups:
        distinct, inverse = np.unique(values, return_inverse=True)
        return cls(inverse.ravel().astype(np.int64), len(distinct))

    def totals(self, multiplicity: FloatArray) -> FloatArray:
        totals = np.bincount(self.of_row, weights=multiplicity, minlength=self.size)
        return np.asarray(totals, dtype=np.float64)

    def ranks(self, multiplicity: FloatArray, rows: IntArray) -> FloatArray:
        """rankdata(values[rows]): the rows below a value plus the mean place among its ties."""
        counts = self.totals(multiplicity)
        return (np.cumsum(counts) - counts + (counts + 1) / 2)[self.of_row[rows]]

    def roc_auc(self, events: FloatArray, multiplicity: FloatArray) -> float:
        """roc_auc(target[rows], values[rows]), `events` the multiplicities of the rows with 1."""
        positives = self.totals(events)
        negatives = self.totals(multiplicity) - positives
        n1, n0 = positives.sum(), negatives.sum()
        if n1 == 0 or n0 == 0:
            return float("nan")
        below = np.cumsum(negatives) - negatives
        return float(np.sum(positives * (below + negatives / 2)) / (n1 * n0))

    def pr_auc(self, events: FloatArray, multiplicity: FloatArray) -> float:
        """pr_auc(target[rows], values[rows]) of a 0/1 target: one threshold per value drawn."""
        counts, hits = self.totals(multiplicity)[::-1], self.totals(events)[::-1]
        drawn = counts > 0
        true_positives = np.cumsum(hits[drawn])
        if true_positives[-1] in (0, multiplicity.sum()):
            return float("nan")
        precision = true_positives / np.cumsum(counts[drawn])
        recall = true_positives / true_positives[-1]
        return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))

    def single_value(self, multiplicity: FloatArray) -> bool:
        return int(np.count_nonzero(self.totals(multiplicity))) <= 1


class ResampledRanking:
    """The ranking metrics (RANKING) of the bootstrap's resamples, from each column's tie groups
    found once: the bootstrap evaluates every model on every resample, and sorting each resample
    anew was most of a backtest's time on 10,000 people."""

    def __init__(self, target: FloatArray, ranks: dict[str, FloatArray]) -> None:
        self.size = len(target)
        self.events = (target == 1).astype(np.float64)
        self.target = TieGroups.of(target) if np.isfinite(target).all() else None
        self.groups = {
            name: TieGroups.of(scored)
            for name, scored in ranks.items()
            if np.isfinite(scored).all()
        }

    def draw(self, rows: IntArray) -> Draw:
        multiplicity = np.bincount(rows, minlength=self.size).astype(np.float64)
        return Draw(self, rows, multiplicity)


class Draw:
    """One resample (its rows, with repeats) as ResampledRanking scores it; the target's ranks,
    shared by every model's Spearman rho, computed once."""

    def __init__(self, ranking: ResampledRanking, rows: IntArray, multiplicity: FloatArray):
        self.ranking, self.rows, self.multiplicity = ranking, rows, multiplicity
        self._target_ranks: FloatArray | None = None

    def scores(self, model: str) -> bool:
        return model in self.ranking.groups and self.ranking.target is not None

    def score(self, metric: str, model: str) -> float:
        groups = self.ranking.groups[model]
        if metric == "auc":
            return groups.roc_auc(self.multiplicity * self.ranking.events, self.multiplicity)
        if metric == "pr_auc":
            return groups.pr_auc(self.multiplicity * self.ranking.events, self.multiplicity)
        return self._spearman_rho(groups)

    def _spearman_rho(self, groups: TieGroups) -> float:
        """spearman_rho(target[rows], values[rows])."""
        target = self.ranking.target
        assert target is not None
        if target.single_value(self.multiplicity) or groups.single_value(self.multiplicity):
            return float("nan")
        if self._target_ranks is None:
            self._target_ranks = target.ranks(self.multiplicity, self.rows)
        ranks = groups.ranks(self.multiplicity, self.rows)
        return float(np.corrcoef(self._target_ranks, ranks)[0, 1])


def percentile_interval(values: Sequence[float]) -> list[float] | None:
    finite = np.asarray([value for value in values if np.isfinite(value)], dtype=np.float64)
    if len(finite) < max(20, len(values) // 2):
        return None
    low, high = np.percentile(finite, [2.5, 97.5])
    return [round(float(low), 4), round(float(high), 4)]


# --- calibration ------------------------------------------------------------------------------


def calibration(design: Design, target: FloatArray, forecast: FloatArray) -> dict[str, Any]:
    """Binary: Brier score and observed rates by decile of forecast. Numeric: the slope and
    intercept of the outcome regressed on the forecast (1 and 0 when calibrated)."""
    if not design.binary:
        if np.ptp(forecast) == 0:
            return {"slope": None, "intercept": None}
        slope, intercept = np.polyfit(forecast, target, 1)
        return {"slope": round(float(slope), 4), "intercept": round(float(intercept), 4)}
    bins = []
    for rows in np.array_split(np.argsort(forecast, kind="stable"), CALIBRATION_BINS):
        if len(rows):
            predicted, observed = float(forecast[rows].mean()), float(target[rows].mean())
            bins.append({"predicted": round(predicted, 4), "observed": round(observed, 4)})
            bins[-1]["n"] = len(rows)
    brier = float(np.mean((forecast - target) ** 2))
    return {"brier": round(brier, 4), "bins": bins}


# --- the backtest -----------------------------------------------------------------------------


def fold_of_rows(size: int, folds: Sequence[Fold]) -> IntArray:
    """The fold that forecast each row; -1 for rows never forecast."""
    found = np.full(size, -1, dtype=np.int64)
    for index, fold in enumerate(folds):
        found[fold.test] = index
    return found


def backtest(design: Design, models: Sequence[ModelSpec], protocol: Protocol) -> BacktestOutcome:
    baseline = [spec for spec in models if spec.kind == "baseline"]
    if len(baseline) != 1:
        raise ValueError("a backtest needs exactly one baseline model")
    folds = time_group_folds(design, protocol)
    if not folds:
        raise NotEnoughData(
            "no fold: a test snapshot needs an earlier snapshot whose horizon has closed, "
            f"at least {protocol.min_train_rows} training rows and both outcome values"
        )
    fold = fold_of_rows(len(design.target), folds)
    tested = np.flatnonzero(fold >= 0)
    forecasts = {
        spec.name: out_of_fold(design, spec, folds, protocol.seed)[tested] for spec in models
    }
    scores = _score_all(design, models, forecasts, tested, fold[tested], protocol)
    _, grouping = grouping_of(design)
    days = sorted({fold.test_day for fold in folds})
    return BacktestOutcome(scores, grouping, len(folds), days)


def _score_all(
    design: Design,
    models: Sequence[ModelSpec],
    forecasts: dict[str, FloatArray],
    tested: IntArray,
    fold: IntArray,
    protocol: Protocol,
) -> list[ModelScore]:
    target = design.target[tested]
    ranks = {name: within_fold_ranks(forecast, fold) for name, forecast in forecasts.items()}
    point = {spec.name: _evaluate(design.binary, spec, target, forecasts, ranks) for spec in models}
    draws: dict[str, dict[str, list[float]]] = {
        spec.name: {name: [] for name in point[spec.name]} for spec in models
    }
    ranking = ResampledRanking(target, ranks)
    clusters, _ = grouping_of(design)
    resamples = cluster_resamples(
        clusters[tested], design.subject[tested], protocol.resamples, protocol.seed
    )
    for rows in resamples:
        draw = ranking.draw(rows)
        for spec in models:
            drawn = _evaluate(design.binary, spec, target, forecasts, ranks, rows, draw)
            for name, value in drawn.items():
                draws[spec.name][name].append(value)
    baseline = next(spec.name for spec in models if spec.kind == "baseline")
    found = []
    for spec in models:
        score = _summary(spec, point, draws, baseline, primary_metric(design.binary))
        score.scores["calibration"] = (
            None if spec.kind == "as_is" else calibration(design, target, forecasts[spec.name])
        )
        found.append(_counted(score, design, tested))
    return found


def _evaluate(
    binary: bool,
    spec: ModelSpec,
    target: FloatArray,
    forecasts: dict[str, FloatArray],
    ranks: dict[str, FloatArray],
    rows: IntArray | None = None,
    draw: Draw | None = None,
) -> dict[str, float]:
    pick = slice(None) if rows is None else rows
    found = {}
    for name, metric in _metrics(binary, spec.kind).items():
        if draw is not None and draw.scores(spec.name) and name in RANKING:
            found[name] = draw.score(name, spec.name)
            continue
        scored = ranks[spec.name] if name in RANKING else forecasts[spec.name]
        found[name] = metric(target[pick], scored[pick])
    return found


def _summary(
    spec: ModelSpec,
    point: dict[str, dict[str, float]],
    draws: dict[str, dict[str, list[float]]],
    baseline: str,
    primary: str,
) -> ModelScore:
    score = ModelScore(spec.name, spec.kind, 0, 0, 0)
    for name, value in point[spec.name].items():
        score.scores[name] = _rounded(value)
        score.scores[f"{name}_ci"] = percentile_interval(draws[spec.name][name])
    if spec.name == baseline:
        score.scores["lift"], score.scores["lift_ci"] = None, None
        return score
    lift = point[spec.name][primary] - point[baseline][primary]
    paired = np.subtract(draws[spec.name][primary], draws[baseline][primary])
    score.scores["lift"] = _rounded(lift)
    score.scores["lift_ci"] = percentile_interval(list(paired))
    return score


def _counted(score: ModelScore, design: Design, tested: IntArray) -> ModelScore:
    score.n = len(tested)
    score.n_subjects = len(np.unique(design.subject[tested]))
    score.n_events = int(design.target[tested].sum()) if design.binary else len(tested)
    return score


def _rounded(value: float) -> float | None:
    return round(value, 4) if np.isfinite(value) else None


# --- placebo ----------------------------------------------------------------------------------


def with_target_shuffled_in_time(design: Design, seed: int) -> Design:
    """Each subject's outcomes rotated by a random non-zero number of its own snapshots: every
    outcome is paired with the features of another date of the same subject (a rotation, so
    none stays in place). A forecast of what happens next does not survive this; a stable trait
    of the subject would, which is why the test plants a state, not a trait."""
    rng = np.random.default_rng(seed)
    target = design.target.copy()
    for subject in np.unique(design.subject):
        rows = np.flatnonzero(design.subject == subject)
        rows = rows[np.argsort(design.snapshot_day[rows], kind="stable")]
        if len(rows) > 1:
            target[rows] = np.roll(design.target[rows], int(rng.integers(1, len(rows))))
    return replace(design, target=target)
