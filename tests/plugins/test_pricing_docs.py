"""docs/pricing.md documents every built-in rule, and every TOML example in it loads."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from engine import load_rules
from plugins import BUILTIN_RULES

TEXT = (Path(__file__).resolve().parents[2] / "docs" / "pricing.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```toml\n(.*?)```", TEXT, flags=re.S)


@pytest.mark.parametrize("rule_type", BUILTIN_RULES, ids=lambda rule: rule.name)
def test_every_builtin_rule_has_a_section(rule_type: type) -> None:
    assert f"`{rule_type.name}`" in TEXT


@pytest.mark.parametrize("example", EXAMPLES, ids=range(len(EXAMPLES)))
def test_every_example_loads(example: str) -> None:
    rules = tomllib.loads(example, parse_float=Decimal)["rules"]
    assert load_rules(rules, currency="EUR")


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 18
