"""docs/pricing.md documents every built-in rule, and every TOML example in it loads."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from engine import load_rules
from plugins import BUILTIN_RULES
from widget.properties.file import parse_property

TEXT = (Path(__file__).resolve().parents[2] / "docs" / "pricing.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```toml\n(.*?)```", TEXT, flags=re.S)


@pytest.mark.parametrize("rule_type", BUILTIN_RULES, ids=lambda rule: rule.name)
def test_every_builtin_rule_has_a_section(rule_type: type) -> None:
    assert f"`{rule_type.name}`" in TEXT


#: A property around the examples that are not rules (rate plans, extras).
HOUSE = """
[property]
slug = "casa"
name = "Casa"
contact_email = "owner@casa.example"
time_zone = "Europe/Rome"
currency = "EUR"

[[room_types]]
slug = "double"
name = "Double"
max_guests = 2
base_price = 100.00
units = ["Room 1"]
"""


@pytest.mark.parametrize("example", EXAMPLES, ids=range(len(EXAMPLES)))
def test_every_example_loads(example: str) -> None:
    tables = tomllib.loads(example, parse_float=Decimal)
    if "rules" in tables:
        assert load_rules(tables["rules"], currency="EUR")
    else:
        spec = parse_property(HOUSE + example)
        assert spec.rate_plans or spec.extras


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 18
