"""Stay restrictions refuse a stay with the reason, and show up in the calendar."""

from __future__ import annotations

from datetime import date

import pytest

from engine import StayRefused
from engine.testing import calendar, price

SUMMER = {"first": date(2026, 7, 1), "last": date(2026, 8, 31), "yearly": True}


def test_min_stay_by_season() -> None:
    rule = [{"type": "min_stay", "name": "summer-min", "nights": 3, "seasons": [SUMMER]}]
    with pytest.raises(StayRefused) as refused:
        price(rules=rule, check_in="2026-07-10", check_out="2026-07-12")
    assert (refused.value.code, refused.value.rule) == ("min_stay", "summer-min")
    assert "at least 3 nights" in refused.value.message
    assert price(rules=rule, check_in="2026-07-10", check_out="2026-07-13").total == 30000
    assert price(rules=rule, check_in="2026-06-10", check_out="2026-06-11").total == 10000


def test_min_stay_by_arrival_weekday() -> None:
    rule = [{"type": "min_stay", "nights": 2, "arrival_weekdays": ["fri"]}]
    with pytest.raises(StayRefused, match="at least 2 nights"):
        price(rules=rule, check_in="2026-03-06", check_out="2026-03-07")  # a Friday
    assert price(rules=rule, check_in="2026-03-07", check_out="2026-03-08").total == 10000


def test_max_stay() -> None:
    rule = [{"type": "max_stay", "nights": 14}]
    with pytest.raises(StayRefused) as refused:
        price(rules=rule, check_in="2026-03-01", check_out="2026-03-20")
    assert refused.value.code == "max_stay"


def test_closed_to_arrival_and_departure() -> None:
    rules = [
        {"type": "closed_to_arrival", "weekdays": ["sun"]},
        {
            "type": "closed_to_departure",
            "dates": [{"first": date(2026, 12, 25), "last": date(2026, 12, 25)}],
        },
    ]
    with pytest.raises(StayRefused) as refused:
        price(rules=rules, check_in="2026-03-08", check_out="2026-03-10")
    assert refused.value.code == "closed_to_arrival"
    with pytest.raises(StayRefused) as refused:
        price(rules=rules, check_in="2026-12-22", check_out="2026-12-25")
    assert (refused.value.code, refused.value.field) == ("closed_to_departure", "check_out")


def test_calendar_carries_the_restrictions_of_each_day() -> None:
    rules = [
        {"type": "min_stay", "nights": 2},
        {"type": "min_stay", "name": "friday-min", "nights": 3, "arrival_weekdays": ["fri"]},
        {"type": "max_stay", "nights": 21},
        {"type": "closed_to_arrival", "weekdays": ["sun"]},
        {"type": "closed_to_departure", "weekdays": ["wed"]},
    ]
    week = calendar(rules=rules, check_in="2026-03-02", check_out="2026-03-09")  # Mon..Sun
    assert [day.min_stay for day in week] == [2, 2, 2, 2, 3, 2, 2]
    assert {day.max_stay for day in week} == {21}
    assert [day.closed_to_arrival for day in week] == [False] * 6 + [True]
    assert [day.closed_to_departure for day in week] == [False, False, True] + [False] * 4
