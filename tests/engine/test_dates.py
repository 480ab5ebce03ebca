"""Periods owners write: once or yearly, wrapping the new year; the fast mask agrees."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from engine.dates import Period, covered

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))


def test_a_yearly_period_wraps_the_new_year() -> None:
    winter = Period(first=date(2026, 12, 20), last=date(2027, 1, 6), yearly=True)
    assert winter.contains(date(2030, 12, 31)) and winter.contains(date(2030, 1, 6))
    assert not winter.contains(date(2030, 1, 7))


@given(st.lists(st.tuples(days, days, st.booleans()), max_size=3), days, st.integers(1, 400))
def test_covered_agrees_with_contains(
    raw: list[tuple[date, date, bool]], start: date, count: int
) -> None:
    periods = [Period(min(a, b), max(a, b), yearly) for a, b, yearly in raw]
    dates = [start + timedelta(days=i) for i in range(count)]
    expected = [not periods or any(p.contains(d) for p in periods) for d in dates]
    assert covered(periods, dates) == expected
