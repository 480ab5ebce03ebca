"""The pipeline: stages, the owner's order, failures that name the rule, the quote's shape."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import msgspec
import pytest

from engine import (
    Bill,
    Charge,
    InvalidParty,
    InvalidStay,
    NightRule,
    Nights,
    NoBaseRate,
    NoSettings,
    RuleFailed,
    StayRule,
    quote_from_json,
    quote_to_json,
)
from engine.testing import price


class Explodes(NightRule[NoSettings]):
    """Always fails."""

    name = "explodes"
    stage = "adjust"
    Settings = NoSettings

    def price(self, nights: Nights) -> None:
        raise ZeroDivisionError("division by zero")


class Floaty(NightRule[NoSettings]):
    """Puts a float into the amounts."""

    name = "floaty"
    stage = "adjust"
    Settings = NoSettings

    def price(self, nights: Nights) -> None:
        nights.amounts[0] = nights.amounts[0] * 1.1  # type: ignore[call-overload]


class Negative(StayRule[NoSettings]):
    """A fee below zero."""

    name = "negative_fee"
    stage = "fee"
    Settings = NoSettings

    def price(self, bill: Bill) -> Iterable[Charge]:
        return [Charge(-5, "oops")]


STAY = {"check_in": "2026-03-02", "check_out": "2026-03-04"}


def test_quote_json_has_exactly_the_public_shape() -> None:
    quote = price(rules=[{"type": "cleaning_fee", "amount": "10.00"}], **STAY)
    data = msgspec.json.decode(quote_to_json(quote))
    assert list(data) == [
        "room_type",
        "check_in",
        "check_out",
        "nights",
        "stay_lines",
        "total",
        "due_now",
        "currency",
        "quote_hash",
    ]
    assert list(data["nights"][0]) == ["date", "amount", "lines"]
    assert list(data["nights"][0]["lines"][0]) == ["rule", "stage", "amount", "note", "notes"]
    assert list(data["stay_lines"][0]) == [
        *("rule", "kind", "amount", "note", "included", "payable", "notes")
    ]
    assert data["check_in"] == "2026-03-02" and data["total"] == 21000
    assert quote_from_json(quote_to_json(quote)) == quote


def test_same_inputs_same_bytes_and_hash_changes_with_the_price() -> None:
    one = price(rules=[{"type": "cleaning_fee", "amount": "10.00"}], **STAY)
    two = price(rules=[{"type": "cleaning_fee", "amount": "10.00"}], **STAY)
    assert quote_to_json(one) == quote_to_json(two)
    other = price(rules=[{"type": "cleaning_fee", "amount": "10.01"}], **STAY)
    assert other.quote_hash != one.quote_hash


def test_a_rule_that_raises_fails_the_quote_naming_instance_and_package() -> None:
    with pytest.raises(RuleFailed) as failed:
        price(rules=[{"type": "explodes", "name": "surge"}], rule_types=[Explodes], **STAY)
    assert failed.value.rule == "surge"
    assert failed.value.package == "test_pipeline"
    assert "ZeroDivisionError" in str(failed.value) and "'surge'" in str(failed.value)


def test_floats_and_wrong_signs_are_refused_not_passed_on() -> None:
    with pytest.raises(RuleFailed, match="not an integer"):
        price(rules=[{"type": "floaty"}], rule_types=[Floaty], **STAY)
    with pytest.raises(RuleFailed, match="must be zero or more"):
        price(rules=[{"type": "negative_fee"}], rule_types=[Negative], **STAY)


def test_without_a_base_rate_the_quote_says_what_to_add() -> None:
    with pytest.raises(NoBaseRate, match='type = "base_rate"'):
        price(rules=[], with_base_rate=False, **STAY)


@pytest.mark.parametrize(
    ("stay", "field"),
    [
        ({"check_in": "2026-03-04", "check_out": "2026-03-04"}, "check_out"),
        ({"check_in": "2026-03-04", "check_out": "2027-03-05"}, "check_out"),
    ],
)
def test_impossible_dates_name_the_field(stay: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidStay) as invalid:
        price(rules=[], **stay)
    assert invalid.value.field == field


def test_a_party_too_large_for_the_room_is_refused() -> None:
    with pytest.raises(InvalidParty, match="at most 2 guests"):
        price(rules=[], adults=2, children=[5], max_guests=2, **STAY)
    with pytest.raises(InvalidParty):
        price(rules=[], adults=0, **STAY)


def test_amounts_due_now_leave_out_taxes_paid_at_the_property() -> None:
    quote = price(
        rules=[
            {"type": "city_tax", "per": "person_night", "amount": "1.00", "payable": "at_property"}
        ],
        **STAY,
    )
    assert (quote.total, quote.due_now) == (20400, 20000)


def test_each_night_equals_its_lines_and_the_total_equals_nights_and_lines() -> None:
    quote = price(
        rules=[
            {"type": "day_of_week", "days": ["tue"], "percent": 15},
            {"type": "rounding", "mode": "ending", "ending": "0.90"},
            {"type": "length_of_stay", "tiers": [{"min_nights": 2, "percent": 5}]},
            {"type": "vat", "percent": 7},
        ],
        **STAY,
    )
    for night in quote.nights:
        assert night.amount == sum(line.amount for line in night.lines)
    added = sum(line.amount for line in quote.stay_lines if not line.included)
    assert quote.total == sum(night.amount for night in quote.nights) + added
    assert quote.nights[0].date == date(2026, 3, 2)


def test_testing_helper_takes_a_number_of_nights_or_occupancy_entries() -> None:
    from engine import Occupancy

    quote = price(
        rules=[{"type": "gap_night", "percent": 50}],
        check_in="2026-03-02",
        nights=2,
        occupancy=[Occupancy(1, 0, 1), Occupancy(1, 0, 9)],
    )
    assert [night.amount for night in quote.nights] == [5000, 10000]
