"""The busy stays of a room type: which units are free for a stay."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from widget.inventory.stay_changes import Nights
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


@given(diaries(), st.integers(0, 34), st.integers(1, 6), st.sampled_from(UNITS))
def test_a_changed_stock_answers_anew_and_the_old_one_as_before(
    stays: list[tuple[int, date, date]], start: int, nights: int, unit: int
) -> None:
    # Answers are kept per stock (every request of a race asks the same): a change makes a
    # new stock, which must not answer from its parent's, nor alter them.
    check_in = FIRST + timedelta(start)
    check_out = check_in + timedelta(nights)
    stock = Stock(UNITS, stays)
    before = stock.free_units(check_in, check_out), stock.gap_units(check_in, check_out)
    if unit not in before[0]:
        return
    taken = Nights(unit, check_in.toordinal(), check_out.toordinal())
    after = stock.changed(None, taken)
    assert unit not in after.free_units(check_in, check_out)
    assert unit not in after.gap_units(check_in, check_out)
    fresh = Stock(UNITS, [*stays, (unit, check_in, check_out)])
    assert after.free_units(check_in, check_out) == fresh.free_units(check_in, check_out)
    assert (stock.free_units(check_in, check_out), stock.gap_units(check_in, check_out)) == before
    freed = after.changed(taken, None)
    assert freed.free_units(check_in, check_out) == before[0]
