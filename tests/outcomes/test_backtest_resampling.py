"""The bootstrap's ranking metrics from tie groups (ResampledRanking) are the sorting functions'
(roc_auc, pr_auc, spearman_rho on the resampled rows) to the bit, ties and degenerate resamples
included: the same seed gives the same intervals as before."""

from __future__ import annotations

import numpy as np
import pytest

from outcomes.backtest_engine import (
    ResampledRanking,
    cluster_resamples,
    pr_auc,
    roc_auc,
    spearman_rho,
)


def same(found: float, expected: float) -> bool:
    return found == expected or (np.isnan(found) and np.isnan(expected))


@pytest.mark.parametrize("rows", [2000, 12])
@pytest.mark.parametrize("tied", [True, False])
def test_resampled_ranking_metrics_equal_the_sorted_ones(rows: int, tied: bool) -> None:
    rng = np.random.default_rng(rows)
    score = rng.integers(0, 30, rows) / 7 if tied else rng.random(rows)
    binary = (rng.random(rows) < 0.15).astype(np.float64)
    numeric = rng.integers(0, 5, rows).astype(np.float64)
    subjects = rng.integers(0, max(2, rows // 4), rows)
    binary_ranking = ResampledRanking(binary, {"model": score})
    numeric_ranking = ResampledRanking(numeric, {"model": score})
    teams = subjects // 5
    for resample in cluster_resamples(teams, subjects, 100, seed=2):
        drawn = binary_ranking.draw(resample)
        assert same(drawn.score("auc", "model"), roc_auc(binary[resample], score[resample]))
        assert same(drawn.score("pr_auc", "model"), pr_auc(binary[resample], score[resample]))
        drawn = numeric_ranking.draw(resample)
        expected = spearman_rho(numeric[resample], score[resample])
        assert same(drawn.score("rho", "model"), expected)


def test_a_score_with_missing_values_is_left_to_the_sorting_functions() -> None:
    ranking = ResampledRanking(np.array([0.0, 1.0, 0.0]), {"model": np.array([0.1, np.nan, 0.3])})
    assert not ranking.draw(np.array([0, 1, 2])).scores("model")
