"""Built-in stay rules: length-of-stay, promo codes, cleaning fee, VAT, city tax."""

from __future__ import annotations

from datetime import date

import pytest

from engine import PromoCodeRejected, RuleFailed, UnknownPromoCode
from engine.testing import price

TIERS = [
    {"min_nights": 7, "percent": 10},
    {"min_nights": 28, "percent": 20},
    {"min_nights": 14, "percent": 25},
]


def lines(quote: object, kind: str) -> list[int]:
    return [line.amount for line in quote.stay_lines if line.kind == kind]  # type: ignore[attr-defined]


def test_length_of_stay_longest_tier_wins_by_default() -> None:
    quote = price(
        rules=[{"type": "length_of_stay", "tiers": TIERS}],
        check_in="2026-03-01",
        check_out="2026-03-31",
    )  # 30 nights
    assert lines(quote, "discount") == [-60000]  # the 28-night tier: 20 % of 3000.00
    assert quote.total == 240000


def test_length_of_stay_largest_discount_can_win_instead() -> None:
    quote = price(
        rules=[{"type": "length_of_stay", "tiers": TIERS, "wins": "largest"}],
        check_in="2026-03-01",
        check_out="2026-03-31",
    )
    assert lines(quote, "discount") == [-75000]


def test_length_of_stay_short_stays_get_nothing() -> None:
    quote = price(
        rules=[{"type": "length_of_stay", "tiers": TIERS}],
        check_in="2026-03-01",
        check_out="2026-03-04",
    )
    assert quote.stay_lines == []


def test_cleaning_fee_once_per_stay_and_waived_for_long_stays() -> None:
    rule = [{"type": "cleaning_fee", "amount": "35.00", "waived_from_nights": 7}]
    assert price(rules=rule, check_in="2026-03-01", check_out="2026-03-03").total == 23500
    assert price(rules=rule, check_in="2026-03-01", check_out="2026-03-08").total == 70000


PROMO = {
    "type": "promo_code",
    "code": "SPRING10",
    "percent": 10,
    "booking": {"first": date(2026, 1, 1), "last": date(2026, 3, 31)},
    "stay": {"first": date(2026, 4, 1), "last": date(2026, 5, 31)},
    "min_nights": 2,
}


def test_promo_code_percentage_inside_its_windows_any_case() -> None:
    quote = price(
        rules=[PROMO],
        promo_code=" spring10 ",
        today="2026-02-01",
        check_in="2026-04-10",
        check_out="2026-04-13",
    )
    assert lines(quote, "discount") == [-3000]
    assert quote.total == 27000


def test_promo_code_only_discounts_nights_inside_the_stay_window() -> None:
    quote = price(
        rules=[PROMO],
        promo_code="SPRING10",
        today="2026-02-01",
        check_in="2026-05-30",
        check_out="2026-06-03",
    )  # 2 of 4 nights inside
    assert lines(quote, "discount") == [-2000]


@pytest.mark.parametrize(
    ("today", "check_in", "check_out", "reason"),
    [
        ("2026-04-02", "2026-04-10", "2026-04-13", "bookings made"),
        ("2026-02-01", "2026-04-10", "2026-04-11", "at least 2 nights"),
        ("2026-02-01", "2026-07-10", "2026-07-13", "valid for nights"),
    ],
)
def test_promo_code_outside_its_conditions_is_refused_with_the_reason(
    today: str, check_in: str, check_out: str, reason: str
) -> None:
    with pytest.raises(PromoCodeRejected, match=reason):
        price(
            rules=[PROMO],
            promo_code="SPRING10",
            today=today,
            check_in=check_in,
            check_out=check_out,
        )


def test_unknown_promo_code_fails_the_quote() -> None:
    with pytest.raises(UnknownPromoCode):
        price(rules=[PROMO], promo_code="WINTER", check_in="2026-04-10", check_out="2026-04-13")


def test_fixed_promo_code_never_takes_more_than_the_rooms_cost() -> None:
    rule = [{"type": "promo_code", "code": "FREE", "amount": "500.00"}]
    quote = price(rules=rule, promo_code="FREE", check_in="2026-04-10", check_out="2026-04-12")
    assert lines(quote, "discount") == [-20000]
    assert quote.total == 0


def test_inclusive_vat_is_shown_but_not_added() -> None:
    quote = price(
        rules=[{"type": "cleaning_fee", "amount": "20.00"}, {"type": "vat", "percent": 10}],
        check_in="2026-03-01",
        check_out="2026-03-03",
    )
    vat = quote.stay_lines[-1]
    # (200.00 + 20.00) × 10/110 = 20.00
    assert (vat.amount, vat.included) == (2000, True)
    assert quote.total == 22000


def test_exclusive_vat_is_added_on_the_chosen_lines_only() -> None:
    quote = price(
        rules=[
            {"type": "cleaning_fee", "amount": "20.00"},
            {"type": "vat", "percent": 10, "inclusive": False, "applies_to": ["rooms"]},
        ],
        check_in="2026-03-01",
        check_out="2026-03-03",
    )
    assert lines(quote, "tax") == [2000]
    assert quote.total == 24000


def test_city_tax_per_person_night_with_age_exemption_and_cap() -> None:
    rule = [
        {
            "type": "city_tax",
            "per": "person_night",
            "amount": "2.50",
            "exempt_under_age": 12,
            "max_nights": 5,
            "payable": "at_property",
        }
    ]
    quote = price(
        rules=rule,
        adults=2,
        children=[4, 14],
        max_guests=4,
        check_in="2026-03-01",
        check_out="2026-03-08",
    )
    # 3 taxed guests × 5 capped nights × 2.50
    assert lines(quote, "tax") == [3750]
    assert quote.total == 70000 + 3750
    assert quote.due_now == 70000


def test_city_tax_long_stays_can_be_exempt() -> None:
    rule = [
        {
            "type": "city_tax",
            "per": "person_night",
            "amount": "2.50",
            "long_stay_exempt_from_nights": 28,
        }
    ]
    quote = price(rules=rule, check_in="2026-03-01", check_out="2026-03-31")
    assert lines(quote, "tax") == [0]
    assert "exempt" in quote.stay_lines[0].note


def test_city_tax_percentage_of_the_room_price_after_discounts() -> None:
    rule = [
        {"type": "length_of_stay", "tiers": [{"min_nights": 2, "percent": 50}]},
        {"type": "city_tax", "per": "percent", "percent": 10},
    ]
    quote = price(rules=rule, check_in="2026-03-01", check_out="2026-03-03")
    assert lines(quote, "tax") == [1000]  # 10 % of (200.00 - 100.00)


def test_a_rejected_promo_code_names_the_rule_instance() -> None:
    with pytest.raises(PromoCodeRejected) as rejected:
        price(
            rules=[dict(PROMO, name="spring-campaign")],
            promo_code="SPRING10",
            today="2026-04-02",
            check_in="2026-04-10",
            check_out="2026-04-13",
        )
    assert (rejected.value.rule, rejected.value.field) == ("spring-campaign", "promo_code")


def test_one_code_in_two_rules_fails_instead_of_discounting_twice() -> None:
    rules = [
        {"type": "promo_code", "name": "a", "code": "X", "percent": 10},
        {"type": "promo_code", "name": "b", "code": "x", "percent": 10},
    ]
    with pytest.raises(RuleFailed, match=r"'b'.*already applied X"):
        price(rules=rules, promo_code="X", check_in="2026-04-10", check_out="2026-04-12")
