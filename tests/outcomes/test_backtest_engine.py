"""The backtest engine on simulated arrays: a planted effect is recovered within its interval, a
null design is not, and shuffling the outcomes in time breaks a planted effect."""

from __future__ import annotations

import numpy as np
import pytest

from outcomes.backtest_engine import (
    Design,
    ModelSpec,
    NotEnoughData,
    Protocol,
    backtest,
    roc_auc,
    spearman_rho,
    standardized_coefficients,
    time_group_folds,
    with_target_shuffled_in_time,
)

PEOPLE, SNAPSHOTS, TEAMS, EVERY = 300, 6, 12, 28
INTERCEPT = -1.5
MODELS = (
    ModelSpec("single:signal", "single", ("signal",)),
    ModelSpec("as_is:signal", "as_is", ("signal",), sign=1.0),
    ModelSpec("single:noise", "single", ("noise",)),
    ModelSpec("regularized", "regularized", ("signal", "noise", "tenure")),
    ModelSpec("baseline", "baseline", ("tenure",)),
)
PROTOCOL = Protocol(horizon_days=EVERY, resamples=200, seed=0)


def planted_binary(effect: float, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    chance = 1 / (1 + np.exp(-(INTERCEPT + effect * x)))
    return (rng.random(len(x)) < chance).astype(np.float64)


def simulated(effect: float, binary: bool = True, seed: int = 1) -> Design:
    """Rows = person x snapshot; the signal is a state (redrawn at each snapshot), so only the
    outcome of the same date depends on it."""
    rng = np.random.default_rng(seed)
    rows = PEOPLE * SNAPSHOTS
    subject = np.repeat(np.arange(PEOPLE), SNAPSHOTS).astype(np.int64)
    day = np.tile(np.arange(SNAPSHOTS) * EVERY, PEOPLE).astype(np.int64)
    group = (subject % TEAMS).astype(np.int64)
    signal, noise, tenure = rng.normal(size=(3, rows))
    if binary:
        target = planted_binary(effect, signal, rng)
    else:
        target = effect * signal + rng.normal(size=rows)
    features = np.column_stack([signal, noise, tenure])
    return Design(features, ("signal", "noise", "tenure"), target, binary, day, group, subject)


def planted_auc(effect: float) -> float:
    rng = np.random.default_rng(99)
    x = rng.normal(size=400_000)
    return roc_auc(planted_binary(effect, x, rng), x)


def planted_rho(effect: float) -> float:
    rng = np.random.default_rng(99)
    x = rng.normal(size=400_000)
    return spearman_rho(effect * x + rng.normal(size=len(x)), x)


def contains(interval: list[float] | None, value: float) -> bool:
    assert interval is not None
    return interval[0] <= value <= interval[1]


def test_planted_binary_effect_is_recovered() -> None:
    result = backtest(simulated(effect=1.0), MODELS, PROTOCOL)
    planted = planted_auc(1.0)
    signal = result.score_of("single:signal").scores
    assert contains(signal["auc_ci"], planted), (signal["auc"], signal["auc_ci"], planted)
    regularized = result.score_of("regularized").scores
    assert contains(regularized["auc_ci"], planted)
    assert regularized["lift_ci"][0] > 0  # the metric adds to the HR attributes
    assert result.score_of("as_is:signal").scores["auc"] == pytest.approx(signal["auc"], abs=0.01)
    assert contains(result.score_of("baseline").scores["auc_ci"], 0.5)


def test_null_design_gives_intervals_around_no_effect() -> None:
    result = backtest(simulated(effect=0.0), MODELS, PROTOCOL)
    for model in ("single:signal", "regularized", "baseline"):
        assert contains(result.score_of(model).scores["auc_ci"], 0.5), model
    assert contains(result.score_of("regularized").scores["lift_ci"], 0.0)


def test_planted_numeric_effect_is_recovered() -> None:
    result = backtest(simulated(effect=0.5, binary=False), MODELS, PROTOCOL)
    signal = result.score_of("single:signal").scores
    assert contains(signal["rho_ci"], planted_rho(0.5)), (signal["rho"], signal["rho_ci"])
    assert signal["mae"] < result.score_of("baseline").scores["mae"]
    assert result.score_of("regularized").scores["lift_ci"][0] > 0
    null = backtest(simulated(effect=0.0, binary=False), MODELS, PROTOCOL)
    assert contains(null.score_of("single:signal").scores["rho_ci"], 0.0)


def test_shuffling_the_outcomes_in_time_breaks_a_planted_effect() -> None:
    shuffled = with_target_shuffled_in_time(simulated(effect=1.0), seed=3)
    result = backtest(shuffled, MODELS, PROTOCOL)
    assert contains(result.score_of("single:signal").scores["auc_ci"], 0.5)
    assert contains(result.score_of("regularized").scores["lift_ci"], 0.0)


def test_folds_never_train_on_open_horizons_nor_on_the_test_teams() -> None:
    design = simulated(effect=1.0)
    protocol = Protocol(horizon_days=2 * EVERY, resamples=10)
    folds = time_group_folds(design, protocol)
    assert folds
    for fold in folds:
        assert (design.snapshot_day[fold.train] + 2 * EVERY <= fold.test_day).all()
        assert not set(design.group[fold.train]) & set(design.group[fold.test])
    first_tested = min(fold.test_day for fold in folds)
    assert first_tested == 2 * EVERY  # snapshots 0 and 1 have no closed history


def test_one_snapshot_is_not_enough() -> None:
    design = simulated(effect=1.0)
    alone = design.snapshot_day == 0
    single = Design(
        design.features[alone],
        design.columns,
        design.target[alone],
        True,
        design.snapshot_day[alone],
        design.group[alone],
        design.subject[alone],
    )
    with pytest.raises(NotEnoughData):
        backtest(single, MODELS, PROTOCOL)


def test_standardized_coefficients_name_the_planted_feature() -> None:
    coefficients = standardized_coefficients(simulated(effect=1.0), MODELS[3], seed=0)
    assert coefficients["signal"] > 0.5
    assert abs(coefficients["noise"]) < 0.2


def test_fast_metrics_agree_with_sklearn_and_scipy() -> None:
    from scipy.stats import spearmanr
    from sklearn.metrics import average_precision_score, roc_auc_score

    from outcomes.backtest_engine import pr_auc

    rng = np.random.default_rng(5)
    target = (rng.random(500) < 0.2).astype(np.float64)
    score = np.round(rng.normal(size=500) + target, 1)  # ties on purpose
    assert roc_auc(target, score) == pytest.approx(roc_auc_score(target, score))
    assert pr_auc(target, score) == pytest.approx(average_precision_score(target, score))
    numeric = score + rng.normal(size=500)
    assert spearman_rho(numeric, score) == pytest.approx(spearmanr(numeric, score).statistic)


def test_a_constant_score_ranks_at_one_half_whatever_the_fold_sizes() -> None:
    from outcomes.backtest_engine import within_fold_ranks

    folds = np.array([0, 0, 1, 1, 1, 1, 1], dtype=np.int64)
    ranks = within_fold_ranks(np.ones(7), folds)
    assert ranks == pytest.approx(np.full(7, 0.5))
