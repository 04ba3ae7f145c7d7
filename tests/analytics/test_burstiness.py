"""Burstiness over distinct instants, and Kim & Jo's finite-size correction."""

import math
import random

import pytest

from analytics import measures


def test_a_meeting_logged_as_many_arcs_is_one_instant() -> None:
    regular = [0.0, 10.0, 20.0, 30.0, 40.0]
    assert measures.burstiness(regular + [20.0] * 8) == -1.0
    assert measures.burstiness_corrected(regular + [20.0] * 8) == pytest.approx(-1.0)


def test_too_few_distinct_instants() -> None:
    assert measures.burstiness([5, 5, 5, 9, 9]) is None
    assert measures.burstiness_corrected([5, 5, 9]) is None


def corrected_by_hand(gaps: list[float]) -> float:
    n = len(gaps)
    mean = sum(gaps) / n
    ratio = math.sqrt(sum((g - mean) ** 2 for g in gaps) / n) / mean
    return (math.sqrt(n + 1) * ratio - math.sqrt(n - 1)) / (
        (math.sqrt(n + 1) - 2) * ratio + math.sqrt(n - 1)
    )


def test_corrected_burstiness_of_the_documented_example() -> None:
    times = [0, 1, 3, 8, 12]
    assert measures.burstiness_corrected(times) == pytest.approx(corrected_by_hand([1, 2, 5, 4]))


def test_regular_series_is_minus_one() -> None:
    assert measures.burstiness_corrected([3 * i for i in range(7)]) == pytest.approx(-1.0)


def test_maximally_bursty_series_is_one() -> None:
    """n gaps, all but one as short as possible: r tends to sqrt(n - 1), A_n to 1, B stays below."""
    times = [i * 1e-9 for i in range(10)] + [1000.0]
    assert measures.burstiness_corrected(times) == pytest.approx(1.0, abs=1e-6)
    assert measures.burstiness(times) == pytest.approx((3 - 1) / (3 + 1), abs=1e-6)  # r = sqrt(9)


@pytest.mark.parametrize("seed", range(5))
def test_poisson_series_is_near_zero(seed: int) -> None:
    generator = random.Random(seed)
    times = [0.0]
    for _ in range(20_000):
        times.append(times[-1] + generator.expovariate(1.0))
    assert measures.burstiness_corrected(times) == pytest.approx(0.0, abs=0.03)


def test_large_n_limit_is_goh_barabasi() -> None:
    generator = random.Random(7)
    times = [0.0]
    for _ in range(200_000):
        times.append(times[-1] + generator.paretovariate(1.8))
    corrected = measures.burstiness_corrected(times)
    plain = measures.burstiness(times)
    assert corrected is not None
    assert plain is not None
    assert corrected == pytest.approx(plain, abs=0.01)


def test_small_poisson_samples_are_less_biased_than_b() -> None:
    """Kim & Jo's point: B of a short Poisson series is biased below 0; A_n much less so."""
    generator = random.Random(11)
    plain, corrected = [], []
    for _ in range(2000):
        times = [0.0]
        for _ in range(8):
            times.append(times[-1] + generator.expovariate(1.0))
        plain.append(measures.burstiness(times))
        corrected.append(measures.burstiness_corrected(times))
    mean_plain = sum(v for v in plain if v is not None) / len(plain)
    mean_corrected = sum(v for v in corrected if v is not None) / len(corrected)
    assert abs(mean_corrected) < abs(mean_plain)
