"""Rate plans, extras and rule inputs in the engine: a plan adjusts after every night rule
(so a floor never eats its discount), extras are stay lines of their own with their VAT,
and every choice the request makes is checked, recorded in the quote and in its hash."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import Extra, InvalidChoice, RatePlan, quote_to_json
from engine.testing import calendar, price
from tests.engine.test_invariants import configurations

NON_REFUNDABLE = RatePlan(slug="non-refundable", name="Non-refundable", percent=Decimal(-10))
BREAKFAST = Extra(
    slug="breakfast", name="Breakfast", price=1200, per="guest_night", vat_percent=Decimal(10)
)
PARKING = Extra(
    slug="parking",
    name="Parking",
    price=1500,
    per="night",
    max_quantity=1,
    vat_percent=Decimal(22),
    vat_inclusive=False,
    payable="at_property",
)
STAY = {"check_in": "2027-03-01", "check_out": "2027-03-03", "base_price": "80.00"}


def test_a_plan_discount_comes_after_the_clamp_so_the_floor_never_eats_it() -> None:
    quote = price(rules=[{"type": "clamp", "min_price": "90.00"}], rate_plan=NON_REFUNDABLE, **STAY)
    night = quote.nights[0]
    # base 80 → floor 90 → plan -10 %: 81, below the floor, because the plan comes last.
    assert night.amount == 8100
    assert [(line.rule, line.stage, line.amount) for line in night.lines][-2:] == [
        ("clamp", "clamp", 1000),
        ("non-refundable", "plan", -900),
    ]
    assert night.lines[-1].note == "-10%: Non-refundable rate"
    assert quote.rate_plan == "non-refundable"


def test_a_plan_comes_after_rounding_and_an_amount_plan_never_goes_below_zero() -> None:
    rounded = [{"type": "rounding", "mode": "ending", "ending": "0.90"}]
    quote = price(rules=rounded, rate_plan=RatePlan(slug="member", amount=-500), **STAY)
    assert [line.stage for line in quote.nights[0].lines] == ["base", "round", "plan"]
    assert quote.nights[0].amount == 7990 - 500
    free = price(rules=[], rate_plan=RatePlan(slug="gift", amount=-20000), **STAY)
    assert [night.amount for night in free.nights] == [0, 0]


def test_a_plan_that_does_not_sell_the_room_type_is_refused_naming_rate_plan() -> None:
    suites_only = RatePlan(slug="suites", percent=Decimal(5), room_types=frozenset({"suite"}))
    with pytest.raises(InvalidChoice) as refused:
        price(rules=[], rate_plan=suites_only, **STAY)
    assert refused.value.field == "rate_plan" and refused.value.code == "invalid"


def test_the_calendar_shows_the_lowest_price_over_the_plans_that_sell_the_room() -> None:
    flexible = RatePlan(slug="flexible")
    dearer = RatePlan(slug="half-board", amount=3000)
    elsewhere = RatePlan(slug="suites", percent=Decimal(-50), room_types=frozenset({"suite"}))
    nights = calendar(rules=[], rate_plans=[dearer, NON_REFUNDABLE, flexible, elsewhere], **STAY)
    assert [night.amount for night in nights] == [7200, 7200]
    quotes = [price(rules=[], rate_plan=plan, **STAY).total for plan in (dearer, flexible)]
    assert quotes == [22000, 16000]


def test_extras_are_stay_lines_with_their_vat_and_only_now_lines_are_due_now() -> None:
    quote = price(
        rules=[], offered_extras=[BREAKFAST, PARKING], extras={"breakfast": 2, "parking": 1}, **STAY
    )
    lines = [
        (line.rule, line.kind, line.amount, line.included, line.payable)
        for line in quote.stay_lines
    ]
    assert lines == [
        ("extras.breakfast", "extra", 4800, False, "now"),  # 12 × 2 guests × 2 nights
        ("extras.breakfast", "tax", 436, True, "now"),  # 10 % included: 4800 × 10/110
        ("extras.parking", "extra", 3000, False, "at_property"),  # 15 × 2 nights
        ("extras.parking", "tax", 660, False, "at_property"),  # 22 % added
    ]
    assert quote.total == 16000 + 4800 + 3000 + 660
    assert quote.due_now == 16000 + 4800
    assert quote.extras == {"breakfast": 2, "parking": 1}
    assert quote.stay_lines[0].note == "Breakfast × 2: EUR 12.00 a guest a night"


@pytest.mark.parametrize(
    ("chosen", "field", "words"),
    [
        ({"spa": 1}, "extras.spa", "unknown extra 'spa'"),
        ({"parking": 2}, "extras.parking", "at most 1"),
        ({"breakfast": 3}, "extras.breakfast", "at most 2"),  # a party of two
        ({"breakfast": -1}, "extras.breakfast", "0 or more"),
    ],
)
def test_a_choice_of_extras_that_does_not_fit_names_the_extra(
    chosen: dict[str, int], field: str, words: str
) -> None:
    with pytest.raises(InvalidChoice) as refused:
        price(rules=[], offered_extras=[BREAKFAST, PARKING], extras=chosen, **STAY)
    assert refused.value.field == field and words in refused.value.message


def test_an_extra_offered_only_with_one_plan_is_refused_with_another() -> None:
    with_flexible = Extra(slug="late-checkout", price=2000, rate_plans=frozenset({"flexible"}))
    with pytest.raises(InvalidChoice) as refused:
        price(
            rules=[],
            rate_plan=NON_REFUNDABLE,
            offered_extras=[with_flexible],
            extras={"late-checkout": 1},
            **STAY,
        )
    assert refused.value.field == "extras.late-checkout"


PETS = {"type": "pets", "amount": "10.00"}


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({"cats": 1}, "inputs.cats"),
        ({"pets": 5}, "inputs.pets"),
        ({"pets": -1}, "inputs.pets"),
        ({"pets": True}, "inputs.pets"),
    ],
)
def test_an_input_that_is_unknown_or_out_of_bounds_names_the_input(
    inputs: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidChoice) as refused:
        price(rules=[PETS], inputs=inputs, **STAY)
    assert refused.value.field == field


def test_choices_are_in_the_quote_and_its_hash_and_defaults_change_nothing() -> None:
    plain = price(rules=[PETS], **STAY)
    assert b"rate_plan" not in quote_to_json(plain) and b"inputs" not in quote_to_json(plain)
    assert price(rules=[PETS], inputs={"pets": 0}, **STAY).quote_hash == plain.quote_hash
    assert (
        price(rules=[PETS], offered_extras=[BREAKFAST], extras={"breakfast": 0}, **STAY).quote_hash
        == plain.quote_hash
    )
    with_pet = price(rules=[PETS], inputs={"pets": 1}, **STAY)
    assert with_pet.inputs == {"pets": 1} and with_pet.quote_hash != plain.quote_hash
    assert with_pet.total == plain.total + 2000
    with_breakfast = price(
        rules=[PETS], offered_extras=[BREAKFAST], extras={"breakfast": 1}, **STAY
    )
    assert with_breakfast.quote_hash not in (plain.quote_hash, with_pet.quote_hash)


plans = st.one_of(
    st.none(),
    st.builds(lambda p: RatePlan(slug="p", percent=Decimal(p)), st.integers(-100, 50)),
    st.builds(lambda a: RatePlan(slug="p", amount=a), st.integers(-20000, 5000)),
)
extras = st.lists(
    st.builds(
        lambda i, price_, per, vat, inclusive, payable: Extra(
            slug=f"e{i}",
            price=price_,
            per=per,
            max_quantity=3,
            vat_percent=Decimal(vat) if vat else None,
            vat_inclusive=inclusive,
            payable=payable,
        ),
        st.integers(0, 9),
        st.integers(0, 5000),
        st.sampled_from(["stay", "night", "guest", "guest_night"]),
        st.sampled_from([0, 5, 10, 22]),
        st.booleans(),
        st.sampled_from(["now", "at_property"]),
    ),
    max_size=3,
    unique_by=lambda extra: extra.slug,
)


@settings(max_examples=100, deadline=None)
@given(configurations(), plans, extras, st.data())
def test_totals_equal_their_lines_with_plans_and_extras(
    config: tuple[list[dict[str, Any]], dict[str, Any]],
    plan: RatePlan | None,
    offered: list[Extra],
    data: st.DataObject,
) -> None:
    rules, stay = config
    guests = stay["adults"] + len(stay["children"])
    chosen = {extra.slug: data.draw(st.integers(0, extra.most(guests))) for extra in offered}
    quote = price(rules=rules, rate_plan=plan, offered_extras=offered, extras=chosen, **stay)
    for night in quote.nights:
        assert night.amount >= 0
        assert night.amount == sum(line.amount for line in night.lines)
    added = [line for line in quote.stay_lines if not line.included]
    assert quote.total == sum(n.amount for n in quote.nights) + sum(x.amount for x in added)
    at_property = sum(line.amount for line in added if line.payable == "at_property")
    assert quote.due_now == quote.total - at_property
    assert quote.extras == {slug: n for slug, n in sorted(chosen.items()) if n}
    assert {line.rule for line in quote.stay_lines if line.kind == "extra"} == {
        f"extras.{slug}" for slug in quote.extras
    }


def test_a_stored_quote_rehashes_the_same_whatever_order_its_column_gives_back() -> None:
    from engine import quote_from_builtins, quote_hash, quote_to_builtins

    quote = price(
        rules=[PETS],
        offered_extras=[BREAKFAST, PARKING],
        extras={"parking": 1, "breakfast": 1},
        inputs={"pets": 1},
        **STAY,
    )
    stored = quote_to_builtins(quote)
    stored["extras"] = dict(reversed(list(stored["extras"].items())))  # as JSONB may order it
    assert list(stored["extras"]) == ["parking", "breakfast"]
    assert quote_hash(quote_from_builtins(stored)) == quote.quote_hash


def test_a_reader_sees_the_extras_and_their_vat_in_their_language() -> None:
    colazione = msgspec.structs.replace(BREAKFAST, names={"en": "Breakfast", "it": "Colazione"})
    quote = price(
        rules=[],
        offered_extras=[colazione, PARKING],
        extras={"breakfast": 2, "parking": 1},
        **STAY,
    )
    breakfast, included_vat, parking, added_vat = quote.stay_lines
    assert breakfast.note_in("it") == "Colazione × 2: 12,00\xa0€ a persona a notte"
    assert breakfast.note_in("de") == "Breakfast × 2: 12,00\xa0€ pro Gast und Nacht"
    assert included_vat.note_in("it") == "IVA 10% inclusa"
    assert parking.note_in("fr") == "Parking × 1 : 15,00\xa0€ par nuit"
    assert added_vat.note_in("de") == "22 % MwSt."
    assert breakfast.note == "Breakfast × 2: EUR 12.00 a guest a night"  # English as before


def test_a_reader_sees_the_plans_night_line_in_their_language() -> None:
    plan = msgspec.structs.replace(
        NON_REFUNDABLE, names={"en": "Non-refundable", "it": "Non rimborsabile"}
    )
    line = price(rules=[], rate_plan=plan, **STAY).nights[0].lines[-1]
    assert line.stage == "plan" and line.note == "-10%: Non-refundable rate"
    assert line.note_in("it") == "-10%: tariffa Non rimborsabile"
    assert line.note_in("de") == "-10 %: Tarif Non-refundable"  # no German name: the default
    member = price(rules=[], rate_plan=RatePlan(slug="member", amount=-500), **STAY)
    assert member.nights[0].lines[-1].note_in("es") == "-5,00\xa0€ por noche: tarifa member"


def test_a_plans_words_rehash_the_same_whatever_order_they_come_back_in() -> None:
    from engine import quote_from_builtins, quote_hash, quote_to_builtins

    rules = [
        {"type": "gap_night", "percent": "20"},
        {"type": "rounding", "mode": "step", "step": "7.00"},
    ]
    quote = price(rules=rules, rate_plan=NON_REFUNDABLE, free_gap=[2, 2], **STAY)
    stored = quote_to_builtins(quote)
    # every night line with words: the base price, the gap, the rounding and the plan
    assert [line["stage"] for line in stored["nights"][0]["lines"]] == [
        *("base", "adjust", "round", "plan")
    ]
    for night in stored["nights"]:
        for line in night["lines"]:
            assert list(line["notes"]) == ["de", "en", "es", "fr", "it"]
            line["notes"] = dict(reversed(list(line["notes"].items())))  # as JSONB may give them
    again = quote_from_builtins(stored)
    assert quote_hash(again) == quote.quote_hash and quote_to_json(again) == quote_to_json(quote)
