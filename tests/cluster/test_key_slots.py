"""Every Redis call of one property stays on one cluster slot: each key builder of widget/ is
found by reading the source, and each must put the property's hash tag in every key."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from redis.cluster import key_slot

from widget.inventory import calendars, gate, quotas
from widget.inventory.quotas import Client
from widget.shared_redis import property_tag

WIDGET = Path(__file__).resolve().parents[2] / "widget"
DAY = date(2027, 1, 1)
#: The key builders this test knows how to call; a new one must be added here.
BUILDERS: dict[str, Callable[[int], list[list[str]]]] = {
    "widget.inventory.gate._night_keys": lambda pid: [  # through night_keys
        gate.night_keys(pid, unit, DAY + timedelta(days=start), DAY + timedelta(days=start + n))
        for unit in (1, 7, 123)
        for start in (0, 30, 364)
        for n in (1, 2, 14)
    ],
    "widget.inventory.quotas.quota_keys": lambda pid: [
        quotas.quota_keys(pid, Client(session, address))
        for session in (None, "widget-session-0001")
        for address in ("203.0.113.7", "2001:db8::/64")
    ],
    "widget.inventory.calendars.calendar_key": lambda pid: [
        [calendars.calendar_key(pid, digest)] for digest in ("0" * 32, "f" * 32)
    ],
}


def key_builders() -> set[str]:
    """The functions of widget/ whose body holds a Redis key (a string starting with
    ``innkeep:``), by qualified name. Not the QA kit's (widget/testing/): it runs beside a
    browser, never against Redis, and its ``innkeep:`` strings are the widget's events."""
    found = set()
    for path in WIDGET.rglob("*.py"):
        if path.is_relative_to(WIDGET / "testing"):
            continue
        module = ".".join(path.relative_to(WIDGET.parent).with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                # An f-string's literal parts are constants too: both kinds are seen here.
                if _starts_a_key(node):
                    found.add(f"{module}.{function.name}")
    return found


def _starts_a_key(node: ast.AST) -> bool:
    """``innkeep:`` then a key's next part (not ``innkeep: error``, a message)."""
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.match(r"innkeep:(\S|$)", node.value) is not None
    )


def test_every_key_builder_of_the_service_is_known_here() -> None:
    assert key_builders() == set(BUILDERS), "a new Redis key builder: add it to BUILDERS"


def test_every_script_call_and_key_of_a_property_lands_on_its_own_slot() -> None:
    for property_id in (1, 2, 1000, 16384, 987654321):
        slot = key_slot(property_tag(property_id).encode())
        for name, build in BUILDERS.items():
            for keys in build(property_id):
                assert keys, name
                assert {key_slot(key.encode()) for key in keys} == {slot}, (name, keys)
                assert all(property_tag(property_id) in key for key in keys)


def test_the_scripts_touch_only_the_keys_they_are_given() -> None:
    """A key a Lua script made up itself could live on another slot (and the cluster could
    not route the call by it): every key of a script comes from KEYS."""
    for script in (gate._ACQUIRE_FIRST, gate._RELEASE, quotas._CHARGE):
        assert ".." not in script  # no string built in Lua (a key among them)
        assert "KEYS" in script
