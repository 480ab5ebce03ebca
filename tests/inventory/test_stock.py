"""The busy stays of a room type: which units are free for a stay."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from widget.inventory.stock import Stock

UNITS = [1, 2, 3]
FIRST = date(2027, 3, 1)


@st.composite
def diaries(draw: st.DrawFn) -> list[tuple[int, date, date]]:
    """Stays that never overlap on a unit (as Postgres guarantees), over a month."""
    stays = []
    for unit in UNITS:
        night = draw(st.integers(0, 5))
        while night < 30:
            nights = draw(st.integers(1, 5))
            stays.append((unit, FIRST + timedelta(night), FIRST + timedelta(night + nights)))
            night += nights + draw(st.integers(0, 6))
    return stays


@given(diaries(), st.integers(0, 34), st.integers(1, 6))
def test_a_unit_is_free_when_no_stay_touches_a_night(
    stays: list[tuple[int, date, date]], start: int, nights: int
) -> None:
    check_in = FIRST + timedelta(start)
    check_out = check_in + timedelta(nights)
    stock = Stock(UNITS, stays)
    free = {
        unit
        for unit in UNITS
        if not any(u == unit and s < check_out and check_in < e for u, s, e in stays)
    }
    assert set(stock.free_units(check_in, check_out)) == free
    assert stock.any_free(check_in, check_out) == bool(free)
