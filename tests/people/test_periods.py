from datetime import date

import pytest

from people.periods import (
    dates_problem,
    derived_is_active,
    describe_period,
    parse_day,
    period_problem,
    periods_overlap,
)

D = date
Period = tuple[date | None, date | None]


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ((None, None), (D(2024, 1, 1), D(2024, 1, 1)), True),
        ((None, D(2024, 1, 1)), (D(2024, 1, 1), None), True),  # both ends are inclusive
        ((None, D(2023, 12, 31)), (D(2024, 1, 1), None), False),
        ((D(2024, 1, 1), D(2024, 3, 1)), (D(2024, 3, 2), D(2024, 4, 1)), False),
        ((D(2024, 1, 1), None), (None, D(2023, 1, 1)), False),
    ],
)
def test_periods_overlap_on_a_shared_day(a: Period, b: Period, overlap: bool) -> None:
    assert periods_overlap(*a, *b) is overlap
    assert periods_overlap(*b, *a) is overlap


def test_is_active_follows_left_on_and_is_kept_without_it() -> None:
    today = D(2026, 6, 1)
    assert derived_is_active(D(2026, 6, 1), True, today) is False
    assert derived_is_active(D(2026, 6, 2), False, today) is True
    assert derived_is_active(None, False, today) is False


def test_date_cells_and_rules_name_the_column() -> None:
    assert parse_day("since", "2024-02-29") == D(2024, 2, 29)
    assert parse_day("since", "") is None
    for bad in ("20240101", "2024-2-1", "2023-02-29"):
        with pytest.raises(ValueError, match=r"since: .* is not a date"):
            parse_day("since", bad)
    assert dates_problem(D(2024, 1, 1), D(2024, 1, 1)) is not None
    assert dates_problem(D(2024, 1, 1), D(2024, 1, 2)) is None
    assert (
        period_problem(D(2024, 1, 2), D(2024, 1, 1))
        == "until: 2024-01-01 is before since 2024-01-02"
    )
    assert describe_period(None, D(2024, 1, 1)) == "the period with no start until 2024-01-01"
