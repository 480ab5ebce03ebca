"""The plugin kit keeps the promises of docs/plugins.md: one public surface (`engine`),
documented and typed, errors that name the rule, and a test helper that works installed."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

import engine
import plugins as builtin_rules
from engine import NightRule, Nights, NoSettings, RuleConfigError, load_rules
from engine.plugins import RuleTypeInfo, get_plugin_manager, reset_plugin_manager, rule_types
from engine.scaffold import MODULE, TEST
from engine.testing import registered

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(source: str) -> set[str]:
    """Every module a source text imports, wherever the import statement is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_the_engine_never_imports_the_builtin_rules_or_the_service() -> None:
    offenders = {
        f"{path.name}: {module}"
        for path in (ROOT / "engine").glob("*.py")
        for module in imported_modules(path.read_text())
        if module.split(".")[0] in ("plugins", "widget")
    }
    assert not offenders


def plugin_sources() -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "plugins").glob("*.py")):
        yield path.name, path.read_text()
    yield "scaffold MODULE", MODULE.format(dist="d", module="m", rule="r", cls="C")
    yield "scaffold TEST", TEST.format(dist="d", module="m", rule="r", cls="C")


def test_the_builtin_rules_and_the_template_use_only_what_engine_exports() -> None:
    deep: list[str] = []
    missing: list[str] = []
    for label, source in plugin_sources():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module == "engine":
                names = [alias.name for alias in node.names]
                missing += [f"{label}: {n}" for n in names if n not in engine.__all__]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("engine."):
                if node.module != "engine.testing":  # the test helper is its own module
                    deep.append(f"{label}: from {node.module} import …")
            elif isinstance(node, ast.Import):
                deep += [f"{label}: {a.name}" for a in node.names if a.name.startswith("engine.")]
    assert not deep, "import these from `engine`"
    assert not missing


def test_every_name_engine_exports_is_documented_for_plugin_authors() -> None:
    text = (ROOT / "docs" / "plugins.md").read_text()
    docs = text.split("## Everything `engine` exports", 1)[1].split("\n## ", 1)[0]
    undocumented = [
        name for name in engine.__all__ if not re.search(rf"`(engine\.)?{name}[`(.]", docs)
    ]
    assert not undocumented


@pytest.mark.parametrize("package", ["engine", "plugins"])
def test_the_packages_are_marked_typed(package: str) -> None:
    assert (ROOT / package / "py.typed").is_file()


def test_registered_works_when_the_plugin_is_already_installed() -> None:
    # Installed, the built-in rules are registered under their entry-point name; a test that
    # registers the same module again (as docs/plugins.md shows) must not fail, nor unplug it.
    assert get_plugin_manager().get_plugin("builtin") is builtin_rules
    with registered(builtin_rules, name="builtin-under-test"):
        assert rule_types()["base_rate"].package == "innkeep"
    assert get_plugin_manager().get_plugin("builtin") is builtin_rules
    assert "base_rate" in rule_types()


class Fragile(NightRule[NoSettings]):
    """Breaks while setting up."""

    name = "fragile"
    stage = "adjust"
    Settings = NoSettings

    def setup(self) -> None:
        raise ZeroDivisionError("division by zero")

    def price(self, nights: Nights) -> None:
        """Never reached."""


def test_a_setup_that_raises_is_one_line_naming_the_instance_and_its_package() -> None:
    types = dict(rule_types())
    types["fragile"] = RuleTypeInfo(Fragile, "innkeep-fragile", "1.2.0", "fragile")
    with pytest.raises(RuleConfigError) as caught:
        load_rules(
            [{"type": "base_rate"}, {"type": "fragile", "name": "wobbly"}],
            currency="EUR",
            types=types,
        )
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("rules[1] (wobbly): ")
    assert "'fragile'" in message and "innkeep-fragile" in message
    assert "ZeroDivisionError: division by zero" in message
    assert caught.value.index == 1 and caught.value.rule == "wobbly"


@pytest.fixture
def fresh_plugins() -> Iterator[Callable[[str | None], None]]:
    def load(allowed: str | None) -> None:
        reset_plugin_manager()
        if allowed is not None:
            patch.setenv("INNKEEP_LOAD_PLUGINS", allowed)

    patch = pytest.MonkeyPatch()
    patch.delenv("INNKEEP_LOAD_PLUGINS", raising=False)
    try:
        yield load
    finally:
        patch.undo()
        reset_plugin_manager()


def unknown_type_message(rules: list[dict[str, Any]]) -> str:
    with pytest.raises(RuleConfigError) as caught:
        load_rules(rules, currency="EUR")
    return str(caught.value)


def test_a_rule_type_left_out_by_the_allow_list_says_so(
    fresh_plugins: Callable[[str | None], None],
) -> None:
    fresh_plugins("")
    message = unknown_type_message([{"type": "base_rate", "name": "nightly"}])
    assert message.startswith("rules[0] (nightly): field 'type': ")
    assert "rule type 'base_rate' is not loaded" in message
    assert "INNKEEP_LOAD_PLUGINS" in message and "builtin" in message


def test_a_rule_type_no_installed_package_provides_says_so(
    fresh_plugins: Callable[[str | None], None],
) -> None:
    fresh_plugins(None)
    message = unknown_type_message([{"type": "holiday_surcharge", "name": "holidays-it"}])
    assert message.startswith("rules[0] (holidays-it): field 'type': ")
    assert "no installed plugin provides it" in message
    assert "innkeep plugins" in message


class Choosy(msgspec.Struct, forbid_unknown_fields=True):
    when: list[engine.Period] = []


def test_an_invalid_choice_lists_the_allowed_values() -> None:
    with pytest.raises(RuleConfigError) as caught:
        load_rules(
            [{"type": "base_rate"}, {"type": "city_tax", "per": "moon", "amount": 2}],
            currency="EUR",
        )
    assert str(caught.value).endswith(
        "field 'per': 'moon' is not one of the allowed values: 'percent', 'person_night'"
    )
    with pytest.raises(RuleConfigError) as caught:
        load_rules([{"type": "closed_to_arrival", "weekdays": ["mon", "funday"]}], currency="EUR")
    allowed = "'fri', 'mon', 'sat', 'sun', 'thu', 'tue', 'wed'"
    assert str(caught.value).endswith(f"'funday' is not one of the allowed values: {allowed}")


@pytest.mark.parametrize("written", ["2027-13-01", "05/01/2027", 20270501])
def test_a_bad_date_reads_as_not_a_date_like_the_example(written: object) -> None:
    with pytest.raises(RuleConfigError) as caught:
        load_rules(
            [
                {"type": "base_rate"},
                {
                    "type": "seasonal",
                    "percent": 10,
                    "seasons": [{"first": written, "last": "2027-05-02"}],
                },
            ],
            currency="EUR",
        )
    assert str(caught.value) == (
        f"rules[1] (seasonal): field 'seasons[0].first': {written!r} is not a date like 2027-05-01"
    )
