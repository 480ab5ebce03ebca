"""Property-based checks of what every quote must satisfy, whatever the owner configured."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine import PricingError, quote_to_json
from engine.testing import calendar, price

STAGE_ORDER = {"base": 0, "adjust": 1, "clamp": 2, "round": 3}
percent = st.integers(min_value=-50, max_value=80)
weekdays = st.lists(
    st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
    min_size=1,
    max_size=3,
    unique=True,
)

night_rules = st.one_of(
    st.builds(
        lambda p: {
            "type": "seasonal",
            "percent": p,
            "seasons": [{"first": date(2026, 6, 1), "last": date(2026, 9, 30), "yearly": True}],
        },
        percent,
    ),
    st.builds(lambda d, p: {"type": "day_of_week", "days": d, "percent": p}, weekdays, percent),
    st.builds(
        lambda d, a: {"type": "day_of_week", "days": d, "amount": a},
        weekdays,
        st.integers(min_value=-80, max_value=80),
    ),
    st.builds(
        lambda p: {"type": "occupancy", "tiers": [{"from_percent": 50, "percent": p}]}, percent
    ),
    st.builds(
        lambda p, mode: {
            "type": "lead_time",
            "mode": mode,
            "steps": [{"days": 0, "percent": p}, {"days": 30, "percent": 0}],
        },
        percent,
        st.sampled_from(["stepped", "gradual"]),
    ),
    st.builds(lambda p: {"type": "gap_night", "percent": p}, st.integers(1, 60)),
    st.builds(lambda a: {"type": "extra_guests", "amount": a}, st.integers(0, 40)),
)
clamp = st.builds(
    lambda low, span: {"type": "clamp", "min_price": low, "max_price": low + span},
    st.integers(20, 120),
    st.integers(0, 150),
)
rounding = st.builds(
    lambda mode, direction, ending: {
        "type": "rounding",
        "mode": mode,
        "direction": direction,
        "ending": ending,
        "step": "5.00",
    },
    st.sampled_from(["whole", "ending", "step"]),
    st.sampled_from(["nearest", "up", "down"]),
    st.sampled_from(["0.00", "0.90", "0.50", "0.99"]),
)
stay_rules = st.one_of(
    st.builds(
        lambda p: {"type": "length_of_stay", "tiers": [{"min_nights": 3, "percent": p}]},
        st.integers(1, 60),
    ),
    st.builds(lambda a: {"type": "cleaning_fee", "amount": a}, st.integers(0, 90)),
    st.builds(
        lambda p, inc: {"type": "vat", "percent": p, "inclusive": inc},
        st.integers(1, 25),
        st.booleans(),
    ),
    st.builds(
        lambda a, where: {
            "type": "city_tax",
            "per": "person_night",
            "amount": a,
            "exempt_under_age": 12,
            "max_nights": 7,
            "payable": where,
        },
        st.integers(0, 5),
        st.sampled_from(["now", "at_property"]),
    ),
    st.builds(lambda p: {"type": "city_tax", "per": "percent", "percent": p}, st.integers(0, 15)),
)


@st.composite
def configurations(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rules: list[dict[str, Any]] = [{"type": "base_rate"}]
    rules += draw(st.lists(night_rules, max_size=4))
    if draw(st.booleans()):
        rules.append(draw(clamp))
    if draw(st.booleans()):
        rules.append(draw(rounding))
    rules += draw(st.lists(stay_rules, max_size=3))
    order = draw(st.permutations(range(len(rules))))
    rules = [dict(rules[i], name=f"r{i}") for i in order]  # stages interleaved at random
    check_in = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 700)))
    nights = draw(st.integers(1, 21))
    stay = {
        "check_in": check_in,
        "check_out": check_in + timedelta(days=nights),
        "today": check_in - timedelta(days=draw(st.integers(0, 60))),
        "base_price": draw(st.sampled_from(["49.99", "100.00", "137.45", "250.00"])),
        "adults": draw(st.integers(1, 3)),
        "children": draw(st.lists(st.integers(0, 17), max_size=2)),
        "max_guests": 5,
        "units": 4,
        "units_sold": draw(st.lists(st.integers(0, 4), min_size=nights, max_size=nights)),
        "free_gap": draw(
            st.lists(st.one_of(st.none(), st.integers(1, 9)), min_size=nights, max_size=nights)
        ),
    }
    return rules, stay


@settings(max_examples=150, deadline=None)
@given(configurations())
def test_totals_equal_their_lines_and_nothing_is_negative(
    config: tuple[list[dict[str, Any]], dict[str, Any]],
) -> None:
    rules, stay = config
    quote = price(rules=rules, **stay)
    for night in quote.nights:
        assert night.amount >= 0
        assert night.amount == sum(line.amount for line in night.lines)
    nights_total = sum(night.amount for night in quote.nights)
    added = [line for line in quote.stay_lines if not line.included]
    assert quote.total == nights_total + sum(line.amount for line in added)
    at_property = sum(line.amount for line in added if line.payable == "at_property")
    assert quote.due_now == quote.total - at_property
    assert 0 <= quote.due_now <= quote.total
    for line in quote.stay_lines:
        assert (line.amount <= 0) if line.kind == "discount" else (line.amount >= 0)


@settings(max_examples=150, deadline=None)
@given(configurations())
def test_clamps_hold_after_rounding(config: tuple[list[dict[str, Any]], dict[str, Any]]) -> None:
    rules, stay = config
    clamps = [rule for rule in rules if rule["type"] == "clamp"]
    quote = price(rules=rules, **stay)
    for rule in clamps:
        low, high = rule["min_price"] * 100, rule["max_price"] * 100
        assert all(low <= night.amount <= high for night in quote.nights)


@settings(max_examples=100, deadline=None)
@given(configurations())
def test_same_inputs_give_the_same_bytes(
    config: tuple[list[dict[str, Any]], dict[str, Any]],
) -> None:
    rules, stay = config
    assert quote_to_json(price(rules=rules, **stay)) == quote_to_json(price(rules=rules, **stay))


@settings(max_examples=100, deadline=None)
@given(configurations())
def test_lines_follow_stage_then_the_owners_order(
    config: tuple[list[dict[str, Any]], dict[str, Any]],
) -> None:
    rules, stay = config
    position = {rule["name"]: index for index, rule in enumerate(rules)}
    quote = price(rules=rules, **stay)
    for night in quote.nights:
        keys = [(STAGE_ORDER[line.stage], position[line.rule]) for line in night.lines]
        assert keys == sorted(keys)
    kinds = {"discount": 0, "fee": 1, "tax": 2}
    keys = [(kinds[line.kind], position[line.rule]) for line in quote.stay_lines]
    assert keys == sorted(keys)


@settings(max_examples=60, deadline=None)
@given(configurations())
def test_calendar_and_quote_agree_when_lead_time_is_not_involved(
    config: tuple[list[dict[str, Any]], dict[str, Any]],
) -> None:
    rules, stay = config
    rules = [rule for rule in rules if rule["type"] != "lead_time"]
    try:
        quote = price(rules=rules, **stay)
    except PricingError:
        return
    nights = calendar(rules=rules, **stay)
    assert [night.amount for night in nights] == [night.amount for night in quote.nights]
