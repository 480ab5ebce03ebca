"""A stored property whose rules cannot load (a rule type not loaded, or a plugin's setup()
that raises) answers its prices with 500 `pricing_failed` and one logged line naming the rule
instance, never a guessed price; the CLI says the same in one line."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from engine import NightRule, Nights, NoSettings, hookimpl
from engine.testing import registered
from tests.inventory.test_quotes_api import URL, stay

Client = AsyncTestClient  # type: ignore[type-arg]
ROOT = Path(__file__).resolve().parents[2]


def add_rule(db: psycopg.Connection[Any], rule: dict[str, Any]) -> None:
    """Store one more rule for the demo property, as an earlier release might have."""
    db.execute(
        "UPDATE property SET pricing_rules = pricing_rules || %s::jsonb, version = version + 7 "
        "WHERE slug = 'demo'",
        (json.dumps([rule]),),
    )
    db.commit()


class Fragile(NightRule[NoSettings]):
    """Breaks while setting up."""

    name = "fragile"
    stage = "adjust"
    Settings = NoSettings

    def setup(self) -> None:
        raise KeyError("region")

    def price(self, nights: Nights) -> None:
        """Never reached."""


def fragile_plugin() -> types.ModuleType:
    module = types.ModuleType("innkeep_fragile")

    @hookimpl
    def innkeep_register_rules(register: Callable[[type[Any]], None]) -> None:
        register(Fragile)

    module.innkeep_register_rules = innkeep_register_rules  # type: ignore[attr-defined]
    return module


async def refused(api: Client, caplog: pytest.LogCaptureFixture) -> str:
    with caplog.at_level(logging.ERROR):
        response = await api.post(URL, json=stay())
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "pricing_failed"
    assert "rules[" not in body["message"]  # the guest is told it is being fixed, not how
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(logged) == 1, logged
    return logged[0]


async def test_a_stored_rule_type_that_is_not_loaded_refuses_prices_with_a_logged_line(
    api: Client, demo: psycopg.Connection[Any], caplog: pytest.LogCaptureFixture
) -> None:
    add_rule(demo, {"type": "holiday_surcharge", "name": "holidays-it", "country": "IT"})
    line = await refused(api, caplog)
    assert "demo" in line and "rules[" in line and "(holidays-it)" in line
    assert "rule type 'holiday_surcharge' is not loaded" in line
    assert "\n" not in line


async def test_a_setup_that_raises_refuses_prices_naming_the_rule_and_package(
    api: Client, demo: psycopg.Connection[Any], caplog: pytest.LogCaptureFixture
) -> None:
    add_rule(demo, {"type": "fragile", "name": "wobbly"})
    with registered(fragile_plugin(), name="fragile-under-test"):
        line = await refused(api, caplog)
    assert "(wobbly)" in line and "'fragile'" in line and "innkeep_fragile" in line
    assert "KeyError: 'region'" in line


def test_the_cli_quote_of_such_a_property_is_one_line(
    demo: psycopg.Connection[Any], database_url: str
) -> None:
    add_rule(demo, {"type": "holiday_surcharge", "name": "holidays-it", "country": "IT"})
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "widget.cli",
            "quote",
            "--property",
            "demo",
            "--room-type",
            "garden-single",
            "--check-in",
            "2031-03-04",
            "--check-out",
            "2031-03-06",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
        env={**os.environ, "INNKEEP_DATABASE_URL": database_url},
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("innkeep: error: property 'demo': rules[")
    assert "(holidays-it): field 'type': rule type 'holiday_surcharge' is not loaded" in lines[0]
