"""Plugins load through entry points, lazily, restricted and traced by environment, and the
order they were registered in never changes a price."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import NightRule, Nights, NoSettings, RuleTypeConflict, hookimpl, quote_to_json
from engine.plugins import get_plugin_manager, rule_types
from engine.testing import price, registered

ROOT = Path(__file__).resolve().parents[2]


class Plus(NightRule[NoSettings]):
    """Adds 1.00 a night."""

    name = "plus_one"
    stage = "adjust"
    Settings = NoSettings

    def price(self, nights: Nights) -> None:
        nights.amounts[:] = [amount + 100 for amount in nights.amounts]


class Double(NightRule[NoSettings]):
    """Doubles each night."""

    name = "double_it"
    stage = "adjust"
    Settings = NoSettings

    def price(self, nights: Nights) -> None:
        nights.amounts[:] = [amount * 2 for amount in nights.amounts]


class plugin:  # lower case: reads as a factory in the tests
    """A plugin object registering ``types``, as a plugin module would."""

    def __init__(self, *types: type[Any]) -> None:
        self.types = types

    @hookimpl
    def innkeep_register_rules(self, register: Callable[[type[Any]], None]) -> None:
        for rule_type in self.types:
            register(rule_type)


def run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INNKEEP_")}
    environment.update(env, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_the_builtin_rules_load_as_a_plugin_like_any_other() -> None:
    types = rule_types()
    assert types["base_rate"].plugin == "builtin"
    assert types["base_rate"].package == "innkeep"


def test_importing_the_engine_loads_no_plugins() -> None:
    result = run("import engine, engine.plugins as p; print(p.plugins_loaded())")
    assert result.stdout.strip() == "False", result.stderr


def test_innkeep_load_plugins_restricts_what_loads() -> None:
    code = "import engine; print(sorted(engine.rule_types()))"
    assert run(code, INNKEEP_LOAD_PLUGINS="").stdout.strip() == "[]"
    assert "base_rate" in run(code, INNKEEP_LOAD_PLUGINS="builtin").stdout


def test_the_trace_switch_prints_each_hook_call() -> None:
    result = run("import engine; engine.rule_types()", INNKEEP_TRACE_PLUGINS="1")
    assert "innkeep: calling innkeep_register_rules(register) on [builtin]" in result.stderr


def test_a_registered_plugin_is_found_and_removed_again() -> None:
    with registered(plugin(Plus), name="plus-plugin"):
        assert rule_types()["plus_one"].plugin == "plus-plugin"
        quote = price(rules=[{"type": "plus_one"}], check_in="2026-03-02", check_out="2026-03-03")
        assert quote.total == 10100
    assert "plus_one" not in rule_types()
    assert not get_plugin_manager().has_plugin("plus-plugin")


class Tenth(NightRule[NoSettings]):
    """Takes a tenth off."""

    name = "tenth_off"
    stage = "adjust"
    Settings = NoSettings

    def price(self, nights: Nights) -> None:
        nights.amounts[:] = [amount - amount // 10 for amount in nights.amounts]


OWNERS_RULES = [{"type": "double_it"}, {"type": "plus_one"}, {"type": "tenth_off"}]


@settings(max_examples=20, deadline=None)
@given(st.permutations(["a", "b", "c"]))
def test_registration_order_never_changes_a_price(order: list[str]) -> None:
    plugins = {"a": plugin(Plus), "b": plugin(Double), "c": plugin(Tenth)}
    manager = get_plugin_manager()
    try:
        for name in order:
            manager.register(plugins[name], name=f"order-{name}")
        listed = [(name, info.rule_type) for name, info in rule_types().items()]
        quote = price(rules=OWNERS_RULES, check_in="2026-03-02", check_out="2026-03-03")
    finally:
        for name in order:
            manager.unregister(name=f"order-{name}")
    assert listed == sorted(listed, key=lambda item: item[0])
    assert quote.total == 18090  # the owner's order: (100.00 × 2 + 1.00) - 10 %
    assert quote_to_json(quote) == quote_to_json(
        price(
            rules=OWNERS_RULES,
            rule_types=[Tenth, Plus, Double],
            check_in="2026-03-02",
            check_out="2026-03-03",
        )
    )


def test_two_packages_claiming_one_rule_name_stop_loading() -> None:
    class Impostor(Plus):
        """Same name, other class."""

    with (
        registered(plugin(Plus), name="first"),
        registered(plugin(Impostor), name="second"),
        pytest.raises(RuleTypeConflict, match="plus_one"),
    ):
        rule_types()
    assert "plus_one" not in rule_types()


def test_a_plugin_registering_something_else_than_a_rule_type_is_told_what_is_wrong() -> None:
    with registered(plugin(dict), name="confused"), pytest.raises(TypeError, match="confused"):
        rule_types()
