"""An owner's rule list loads into instances, or fails naming position, rule and field."""

from __future__ import annotations

import tomllib
from decimal import Decimal

import pytest

from engine import RuleConfigError, load_rules

TOML = """
[[rules]]
type = "base_rate"

[[rules]]
type = "seasonal"
name = "summer"
seasons = [{first = 2026-07-01, last = 2026-08-31, yearly = true}]
percent = 20

[[rules]]
type = "cleaning_fee"
amount = 25.00
room_types = ["double"]
"""


def load(text: str, **kwargs: object) -> list[object]:
    raw = tomllib.loads(text, parse_float=Decimal)["rules"]
    return load_rules(raw, currency=kwargs.pop("currency", "EUR"), **kwargs)  # type: ignore[arg-type]


def test_a_toml_rule_list_loads_in_the_owners_order_with_money_in_minor_units() -> None:
    rules = load(TOML)
    assert [rule.name for rule in rules] == ["base_rate", "summer", "cleaning_fee"]  # type: ignore[attr-defined]
    fee = rules[2]
    assert fee.rule.settings.amount == 2500  # type: ignore[attr-defined]
    assert fee.room_types == frozenset({"double"})  # type: ignore[attr-defined]


def error(raw: list[dict[str, object]], **kwargs: object) -> RuleConfigError:
    with pytest.raises(RuleConfigError) as caught:
        load_rules(raw, currency="EUR", **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_a_bad_setting_names_the_position_the_rule_and_the_field() -> None:
    problem = error(
        [
            {"type": "base_rate"},
            {"type": "base_rate", "name": "b"},
            {"type": "seasonal", "name": "summer", "seasons": [], "percent": "abc"},
        ]
    )
    assert (problem.index, problem.rule, problem.field) == (2, "summer", "percent")
    assert str(problem) == "rules[2] (summer): field 'percent': expected a number, got 'abc'"


def test_wrong_types_missing_and_unknown_fields_read_plainly() -> None:
    assert str(error([{"type": "cleaning_fee", "amount": [1]}])) == (
        "rules[0] (cleaning_fee): field 'amount': expected an amount of money, got [1]"
    )
    assert str(error([{"type": "cleaning_fee", "amount": 1, "waived_from_nights": "x"}])).endswith(
        "field 'waived_from_nights': expected a whole number or null, got 'x'"
    )
    assert error([{"type": "cleaning_fee"}]).field == "amount"
    assert "is required" in str(error([{"type": "cleaning_fee"}]))
    assert "not a setting" in str(error([{"type": "cleaning_fee", "amount": 1, "colour": 2}]))
    assert error([{"type": "day_of_week", "days": ["funday"], "percent": 1}]).field == "days[0]"


def test_money_with_too_many_decimals_is_refused_not_rounded() -> None:
    assert "more decimals than EUR" in str(error([{"type": "cleaning_fee", "amount": "9.999"}]))


def test_unknown_type_lists_the_known_ones() -> None:
    problem = error([{"type": "surge"}])
    assert problem.field == "type"
    assert "lists the loaded types:" in str(problem) and "base_rate" in str(problem)


def test_instance_names_are_unique() -> None:
    problem = error([{"type": "base_rate"}, {"type": "base_rate"}])
    assert (problem.index, problem.field) == (1, "name")


def test_room_types_are_checked_when_the_caller_knows_them() -> None:
    problem = error([{"type": "base_rate", "room_types": ["loft"]}], room_types=["double"])
    assert problem.field == "room_types" and "loft" in str(problem)


def test_floats_from_json_are_read_as_the_decimal_they_were_written_as() -> None:
    rules = load_rules([{"type": "cleaning_fee", "amount": 19.9}], currency="EUR")
    assert rules[0].rule.settings.amount == 1990  # type: ignore[attr-defined]


def test_money_written_as_words_is_explained() -> None:
    problem = error(
        [
            {"type": "base_rate"},
            {"type": "day_of_week", "name": "dow", "days": ["fri"], "amount": "fifteen"},
        ]
    )
    assert str(problem) == (
        "rules[1] (dow): field 'amount': expected an amount of money, got 'fifteen'"
    )
