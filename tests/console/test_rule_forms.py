"""Each rule as a form generated from its settings Struct, and the form back as the rule."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from engine.testing import registered
from tests.helpers import DEMO_TOML
from tests.rule_plugin import EVERY_SECTION_TOML, FestivalPlugin
from widget.properties.file import PropertyFileError, parse_property, rule_problem
from widget.properties.rule_forms import form_data, rule_form, rules_from_form

ROOMS = ["double-sea-view", "family-suite", "garden-single"]


@pytest.fixture
def festival() -> Iterator[None]:
    with registered(FestivalPlugin(), "festival-test"):
        yield


def _stored(toml: str) -> list[dict[str, Any]]:
    """The rules as `property apply` stores them (JSON: decimals and dates as strings)."""
    rules: list[dict[str, Any]] = msgspec.to_builtins(parse_property(toml).rules)
    return rules


def _through_forms(rules: list[dict[str, Any]], rooms: list[str]) -> list[dict[str, Any]]:
    forms = [rule_form(i, table, rooms, "EUR") for i, table in enumerate(rules)]
    back: list[dict[str, Any]] = msgspec.to_builtins(rules_from_form(form_data(forms)))
    return back


def test_every_demo_rule_comes_back_from_its_form_unchanged() -> None:
    stored = _stored(DEMO_TOML)
    assert _through_forms(stored, ROOMS) == stored


def test_every_rule_type_and_a_third_party_one_come_back_unchanged(festival: None) -> None:
    stored = _stored(EVERY_SECTION_TOML)
    rooms = ["family-suite", "single"]
    assert {rule["type"] for rule in stored} >= {"festival", "city_tax", "closed_to_arrival"}
    assert _through_forms(stored, rooms) == stored


def test_the_form_follows_the_struct(festival: None) -> None:
    table = tomllib.loads(EVERY_SECTION_TOML, parse_float=Decimal)["rules"][-1]
    form = rule_form(3, table, ["family-suite", "single"], "EUR")
    kinds = {made.label: made.kind for made in form.inputs}
    assert kinds == {
        "name": "text",
        "room_types": "choices",
        "percent": "number",
        "starts": "date",
        "bands": "rows",
        "window": "group",
        "label": "text",
        "weekdays": "choices",
        "loud": "yes_no",
        "cap": "money",
        "extras": "raw",
    }
    bands = next(made for made in form.inputs if made.label == "bands")
    # Each band, then one blank row to add another without JavaScript.
    assert [row.name for row in bands.children] == ["r3.bands.0", "r3.bands.1", "r3.bands.2"]
    mood = bands.children[0].children[3]
    assert (mood.kind, mood.value, mood.choices) == ("choice", "busy", ("calm", "busy"))
    label = next(made for made in form.inputs if made.label == "label")
    assert label.hint == "default: festival"


def test_a_blank_row_adds_nothing_and_a_cleared_row_is_removed() -> None:
    stored = _stored(DEMO_TOML)
    forms = [rule_form(i, table, ROOMS, "EUR") for i, table in enumerate(stored)]
    data = form_data(forms)
    # The occupancy rule (index 4) has two tiers; the owner clears the first.
    data["r4.tiers.0.from_percent"] = [""]
    data["r4.tiers.0.percent"] = [""]
    data["r4.tiers.2.from_percent"] = ["95"]
    data["r4.tiers.2.percent"] = ["22.5"]
    rules = rules_from_form(data)
    assert msgspec.to_builtins(rules[4]["tiers"]) == [
        {"from_percent": 85, "percent": 15},
        {"from_percent": 95, "percent": "22.5"},
    ]


@pytest.mark.parametrize(
    ("key", "typed", "written"),
    [
        ("percent", "abc", '"abc"'),
        ("seasons.0.first", "2026-02-30", '"2026-02-30"'),
        ("seasons.0.yearly", "maybe", '"maybe"'),
    ],
)
def test_a_bad_value_gets_the_message_property_apply_gives(
    key: str, typed: str, written: str
) -> None:
    stored = _stored(DEMO_TOML)
    forms = [rule_form(i, table, ROOMS, "EUR") for i, table in enumerate(stored)]
    data = form_data(forms)
    data[f"r1.{key}"] = [typed]
    problem = rule_problem(rules_from_form(data), currency="EUR", room_types=ROOMS)
    assert problem is not None
    # The same value written in the file: the same message, naming the same key.
    summer = 'name = "summer"\npercent = 30'
    if key == "percent":
        toml = DEMO_TOML.replace(summer, f'name = "summer"\npercent = {written}')
    elif key.endswith("first"):
        toml = DEMO_TOML.replace("first = 2026-06-20", f"first = {written}")
    else:
        toml = DEMO_TOML.replace(
            "last = 2026-09-05, yearly = true", f"last = 2026-09-05, yearly = {written}"
        )
    with pytest.raises(PropertyFileError) as raised:
        parse_property(toml)
    assert raised.value.message == problem.message
    assert raised.value.key.split(" ")[0] == _dotted(problem.path)


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def test_an_empty_required_field_is_required() -> None:
    forms = [
        rule_form(0, {"type": "base_rate"}, ROOMS, "EUR"),
        rule_form(1, {"type": "gap_night", "percent": 20}, ROOMS, "EUR"),
    ]
    data = form_data(forms)
    data["r1.percent"] = [""]
    problem = rule_problem(rules_from_form(data), currency="EUR", room_types=ROOMS)
    assert problem is not None
    assert (problem.path, problem.message) == (("rules", 1, "percent"), "is required")
