"""Each built-in night rule, priced through the engine the way an owner would use it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine import RuleConfigError
from engine.testing import calendar, price

JULY = {"first": date(2026, 7, 1), "last": date(2026, 8, 31), "yearly": True}


def amounts(quote_nights: list[object]) -> list[int]:
    return [night.amount for night in quote_nights]  # type: ignore[attr-defined]


def test_base_rate_reads_the_room_types_base_price() -> None:
    quote = price(rules=[], base_price="120.00", check_in="2026-03-02", check_out="2026-03-04")
    assert amounts(quote.nights) == [12000, 12000]
    assert quote.nights[0].lines[0].rule == "base_rate"
    assert "120.00" in quote.nights[0].lines[0].note


def test_seasonal_percentage_applies_inside_the_season_only() -> None:
    quote = price(
        rules=[{"type": "seasonal", "name": "summer", "seasons": [JULY], "percent": 25}],
        check_in="2026-06-29",
        check_out="2026-07-02",
    )
    assert amounts(quote.nights) == [10000, 10000, 12500]
    assert [line.rule for line in quote.nights[2].lines] == ["base_rate", "summer"]


def test_seasonal_yearly_season_recurs_and_may_wrap_the_new_year() -> None:
    winter = {"first": date(2020, 12, 20), "last": date(2021, 1, 6), "yearly": True}
    quote = price(
        rules=[{"type": "seasonal", "seasons": [winter], "price": "150.00"}],
        check_in="2026-12-19",
        check_out="2026-12-21",
    )
    assert amounts(quote.nights) == [10000, 15000]
    quote = price(
        rules=[{"type": "seasonal", "seasons": [winter], "price": "150.00"}],
        check_in="2027-01-06",
        check_out="2027-01-08",
    )
    assert amounts(quote.nights) == [15000, 10000]


def test_seasonal_one_off_dates_do_not_recur() -> None:
    once = {"first": date(2026, 7, 1), "last": date(2026, 7, 31)}
    rules = [{"type": "seasonal", "seasons": [once], "percent": -10}]
    assert price(rules=rules, check_in="2026-07-10", check_out="2026-07-11").total == 9000
    assert price(rules=rules, check_in="2027-07-10", check_out="2027-07-11").total == 10000


def test_seasonal_needs_exactly_one_of_price_and_percent() -> None:
    with pytest.raises(RuleConfigError, match="either 'percent' or 'price'"):
        price(
            rules=[{"type": "seasonal", "seasons": [JULY]}],
            check_in="2026-07-01",
            check_out="2026-07-02",
        )


def test_day_of_week_surcharges_friday_and_saturday_nights() -> None:
    # 2026-03-06 is a Friday
    quote = price(
        rules=[{"type": "day_of_week", "days": ["fri", "sat"], "percent": 20}],
        check_in="2026-03-05",
        check_out="2026-03-09",
    )
    assert amounts(quote.nights) == [10000, 12000, 12000, 10000]


def test_day_of_week_fixed_amount_never_makes_a_price_negative() -> None:
    quote = price(
        rules=[{"type": "day_of_week", "days": ["sun"], "amount": "-150.00"}],
        check_in="2026-03-08",
        check_out="2026-03-09",
    )
    assert amounts(quote.nights) == [0]


def test_occupancy_tier_follows_the_share_sold_that_night() -> None:
    tiers = [{"from_percent": 50, "percent": 10}, {"from_percent": 80, "percent": 25}]
    quote = price(
        rules=[{"type": "occupancy", "tiers": tiers}],
        check_in="2026-03-02",
        check_out="2026-03-06",
        units=10,
        max_guests=2,
        units_sold=[0, 5, 7, 8],
    )
    assert amounts(quote.nights) == [10000, 11000, 11000, 12500]
    assert "8 of 10 units sold" in quote.nights[3].lines[-1].note


def test_lead_time_stepped_last_minute_discount_and_far_out_premium() -> None:
    steps = [{"days": 0, "percent": -20}, {"days": 3, "percent": 0}, {"days": 180, "percent": 10}]
    rule = [{"type": "lead_time", "steps": steps}]
    stay = {"check_in": "2026-06-10", "check_out": "2026-06-11"}
    assert price(rules=rule, today="2026-06-09", **stay).total == 8000
    assert price(rules=rule, today="2026-06-01", **stay).total == 10000
    assert price(rules=rule, today="2025-12-01", **stay).total == 11000


def test_lead_time_gradual_slides_between_steps() -> None:
    steps = [{"days": 0, "percent": -20}, {"days": 10, "percent": 0}]
    rule = [{"type": "lead_time", "steps": steps, "mode": "gradual"}]
    stay = {"check_in": "2026-06-20", "check_out": "2026-06-21"}
    assert price(rules=rule, today="2026-06-20", **stay).total == 8000  # 0 days: -20 %
    assert price(rules=rule, today="2026-06-15", **stay).total == 9000  # 5 days: -10 %
    assert price(rules=rule, today="2026-06-12", **stay).total == 9600  # 8 days: -4 %
    assert price(rules=rule, today="2026-06-01", **stay).total == 10000


def test_lead_time_in_a_quote_is_counted_to_arrival_for_every_night() -> None:
    steps = [{"days": 0, "percent": -20}, {"days": 3, "percent": 0}]
    quote = price(
        rules=[{"type": "lead_time", "steps": steps}],
        today="2026-06-10",
        check_in="2026-06-10",
        check_out="2026-06-15",
    )
    assert amounts(quote.nights) == [8000] * 5
    nights = calendar(
        rules=[{"type": "lead_time", "steps": steps}],
        today="2026-06-10",
        check_in="2026-06-10",
        check_out="2026-06-15",
    )
    assert [night.amount for night in nights] == [8000, 8000, 8000, 10000, 10000]


def test_gap_night_discounts_short_orphan_gaps_only() -> None:
    quote = price(
        rules=[{"type": "gap_night", "percent": 30, "max_gap": 2}],
        check_in="2026-03-02",
        check_out="2026-03-05",
        free_gap=[2, 2, 5],
    )
    assert amounts(quote.nights) == [7000, 7000, 10000]


def test_clamp_holds_prices_between_min_and_max() -> None:
    quote = price(
        rules=[
            {"type": "day_of_week", "days": ["sat"], "percent": 90},
            {"type": "day_of_week", "name": "cheap-sunday", "days": ["sun"], "percent": -60},
            {"type": "clamp", "min_price": "60.00", "max_price": "150.00"},
        ],
        check_in="2026-03-07",
        check_out="2026-03-10",
    )
    assert amounts(quote.nights) == [15000, 6000, 10000]
    assert quote.nights[0].lines[-1].note == "lowered to the maximum of EUR 150.00"


@pytest.mark.parametrize(
    ("settings", "base", "expected"),
    [
        ({"mode": "whole"}, "123.45", 12300),
        ({"mode": "whole", "direction": "up"}, "123.05", 12400),
        ({"mode": "ending", "ending": "0.90"}, "123.45", 12390),
        ({"mode": "ending", "ending": "0.90", "direction": "down"}, "123.95", 12390),
        ({"mode": "step", "step": "5.00"}, "123.45", 12500),
        ({"mode": "none"}, "123.45", 12345),
    ],
)
def test_rounding_modes(settings: dict[str, object], base: str, expected: int) -> None:
    quote = price(
        rules=[{"type": "rounding", **settings}],
        base_price=base,
        check_in="2026-03-02",
        check_out="2026-03-03",
    )
    assert quote.total == expected


def test_rounding_stays_inside_the_clamp_range() -> None:
    # 149.95 rounds to 149.90 nearest-ending-.90; "up" would give 150.90 above the max 150.00
    quote = price(
        rules=[
            {"type": "clamp", "max_price": "150.00"},
            {"type": "rounding", "mode": "ending", "ending": "0.90", "direction": "up"},
        ],
        base_price="149.95",
        check_in="2026-03-02",
        check_out="2026-03-03",
    )
    assert quote.total == 14990
    quote = price(
        rules=[
            {"type": "clamp", "min_price": "80.00"},
            {"type": "rounding", "mode": "ending", "ending": "0.90", "direction": "down"},
        ],
        base_price="80.50",
        check_in="2026-03-02",
        check_out="2026-03-03",
    )
    assert quote.total == 8090


def test_extra_guests_pay_per_night_above_the_included_guests() -> None:
    rule = [
        {"type": "extra_guests", "amount": "20.00", "child_amount": "10.00", "free_under_age": 3}
    ]
    stay = {
        "check_in": "2026-03-02",
        "check_out": "2026-03-04",
        "included_guests": 2,
        "max_guests": 5,
    }
    assert price(rules=rule, adults=2, **stay).total == 20000
    assert price(rules=rule, adults=3, **stay).total == 24000
    # two adults fill the included places; a 7-year-old pays the child rate, a baby nothing
    assert price(rules=rule, adults=2, children=[7, 1], **stay).total == 22000


def test_night_rules_follow_the_owners_order() -> None:
    seasonal = {"type": "seasonal", "seasons": [JULY], "price": "200.00"}
    weekend = {"type": "day_of_week", "days": ["sat"], "percent": 10}
    stay = {"check_in": "2026-07-04", "check_out": "2026-07-05"}  # a Saturday
    assert price(rules=[seasonal, weekend], **stay).total == 22000
    assert price(rules=[weekend, seasonal], **stay).total == 20000


def test_rules_limited_to_room_types_skip_the_others() -> None:
    rule = [{"type": "day_of_week", "days": ["mon"], "percent": 50, "room_types": ["suite"]}]
    stay = {"check_in": "2026-03-02", "check_out": "2026-03-03"}
    assert price(rules=rule, room_type="suite", **stay).total == 15000
    assert price(rules=rule, room_type="double", **stay).total == 10000


def test_calendar_prices_each_night_without_lines() -> None:
    start = date(2026, 1, 1)
    nights = calendar(
        rules=[{"type": "day_of_week", "days": ["sat"], "percent": 10}],
        check_in=start,
        check_out=start + timedelta(days=14),
    )
    assert len(nights) == 14
    assert {night.amount for night in nights if night.date.weekday() == 5} == {11000}
