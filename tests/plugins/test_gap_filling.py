"""Gap filling and lead-time minimums in the engine: a stay exactly filling a short gap
between two reservations skips the minimum stay (the `gap_night` rule's `fill_gaps`), the
calendar shows the gap's length as that day's minimum, and a minimum may apply only to
arrivals booked far enough ahead."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Occupancy, StayRefused
from engine.testing import calendar, price

MIN_3 = {"type": "min_stay", "nights": 3}
GAP = {"type": "gap_night", "percent": 20, "max_gap": 2}
TWO = {"check_in": "2027-03-02", "check_out": "2027-03-04", "today": "2027-01-01"}


@pytest.mark.parametrize(
    ("rules", "fills_gap", "allowed"),
    [
        ([MIN_3, GAP], True, True),
        ([MIN_3, GAP], False, False),  # not in a gap: the minimum stands
        ([MIN_3], True, False),  # no gap rule: nothing lowers the minimum
        ([MIN_3, {**GAP, "fill_gaps": False}], True, False),
        ([MIN_3, {**GAP, "max_gap": 1}], True, False),  # the gap is longer than max_gap
    ],
)
def test_a_stay_filling_a_short_gap_skips_the_minimum_stay(
    rules: list[dict[str, Any]], fills_gap: bool, allowed: bool
) -> None:
    try:
        quote = price(rules=rules, fills_gap=fills_gap, **TWO)
    except StayRefused as refused:
        assert not allowed and refused.code == "min_stay"
    else:
        assert allowed and len(quote.nights) == 2


def test_the_calendar_shows_a_short_gaps_length_as_its_first_days_minimum() -> None:
    nights = [
        Occupancy(1, 1),
        Occupancy(1, 0, 2, gap_from_here=2),
        Occupancy(1, 0, 2),
        Occupancy(1, 1),
        Occupancy(1, 0, 5, gap_from_here=5),
    ]
    shown = calendar(rules=[MIN_3, GAP], check_in="2027-03-01", nights=5, occupancy=nights)
    assert [night.min_stay for night in shown] == [3, 2, 3, 3, 3]
    without = calendar(rules=[MIN_3], check_in="2027-03-01", nights=5, occupancy=nights)
    assert [night.min_stay for night in without] == [3] * 5


def test_a_minimum_may_apply_only_to_arrivals_booked_far_enough_ahead() -> None:
    far = {**MIN_3, "min_days_ahead": 7}
    one_night = {"check_in": "2027-03-05", "check_out": "2027-03-06"}
    assert price(rules=[far], today="2027-03-01", **one_night).nights  # 4 days ahead
    with pytest.raises(StayRefused):
        price(rules=[far], today="2027-02-20", **one_night)  # 13 days ahead
    shown = calendar(rules=[far], check_in="2027-03-01", nights=10, today="2027-03-01")
    assert [night.min_stay for night in shown] == [1] * 7 + [3] * 3
