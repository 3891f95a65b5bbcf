"""Dashboard building blocks that need no database: periods of whole months and A/R age buckets (the figures
themselves are checked against a seeded store in tests/web/test_pages.py)."""

from __future__ import annotations

from datetime import date

import pytest

from rcm.denials.dashboard import AGE_BUCKETS, ArAging, ArRow, CleanClaimRate, Period, RateRow, _bucket
from rcm.errors import InputError
from rcm.store import ZERO


def test_a_period_is_whole_months() -> None:
    period = Period("2025-11", "2026-02")
    assert (period.start, period.end) == (date(2025, 11, 1), date(2026, 2, 28))
    assert "2025-11" in period and "2026-02" in period and "2026-03" not in period and "2025-10" not in period
    assert Period("2024-02", "2024-02").end == date(2024, 2, 29)


def test_the_months_ending_on_a_day() -> None:
    assert Period.months_ending(date(2026, 3, 20)) == Period("2025-04", "2026-03")
    assert Period.months_ending(date(2026, 12, 1), 1) == Period("2026-12", "2026-12")
    assert Period.months_ending(date(2026, 1, 5), 25) == Period("2024-01", "2026-01")


@pytest.mark.parametrize(("first", "last"), [("2026-13", "2026-12"), ("2026-1", "2026-02"), ("2026-03", "2026-02")])
def test_periods_that_are_not(first: str, last: str) -> None:
    with pytest.raises(InputError):
        Period(first, last)


@pytest.mark.parametrize(("age", "label"), [(0, "0-30"), (30, "0-30"), (31, "31-60"), (90, "61-90"),
                                            (120, "91-120"), (121, "120+"), (4000, "120+"), (-3, "0-30")])
def test_age_buckets(age: int, label: str) -> None:
    assert AGE_BUCKETS[_bucket(age)][0] == label


def test_rates_and_totals() -> None:
    assert RateRow("X", 4, 1).rate == 0.25 and RateRow("X", 0, 0).rate is None
    period = Period("2026-01", "2026-01")
    assert CleanClaimRate(period, 0, 0).rate is None and CleanClaimRate(period, 8, 6).rate == 0.75
    from decimal import Decimal

    a = ArRow("A", "A", 1, [Decimal("1.00"), ZERO, ZERO, ZERO, Decimal("2.50")])
    b = ArRow("B", "B", 2, [ZERO, Decimal("4.00"), ZERO, ZERO, ZERO])
    aging = ArAging(date(2026, 1, 1), [a, b])
    assert aging.claims == 3 and aging.total == Decimal("7.50")
    assert aging.bucket_totals == [Decimal("1.00"), Decimal("4.00"), ZERO, ZERO, Decimal("2.50")]
