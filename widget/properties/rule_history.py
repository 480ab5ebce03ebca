"""The history of a property's pricing rules (``rule_change``): who changed what, when,
whether through the console (`widget.rulebook.changes`) or the property file
(`widget.properties.apply`). The console's Prices & rules page lists it."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from widget.sql import queries

Rules = list[dict[str, Any]]
#: Who changed the rules when the property file did (the history outlives any account).
BY_PROPERTY_FILE = "innkeep property apply"


def _instance(rule: dict[str, Any]) -> str:
    return str(rule.get("name") or rule.get("type"))


def _setting_changes(before: dict[str, Any], after: dict[str, Any]) -> str:
    keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
    return ", ".join(f"{key} {_short(before.get(key))} → {_short(after.get(key))}" for key in keys)


def _short(value: Any) -> str:
    text = "—" if value is None else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def summarise(before: Rules, after: Rules) -> str:
    """``added weekend; changed summer: percent 30 → 25; new order`` (stored forms)."""
    old = {_instance(rule): rule for rule in before}
    new = {_instance(rule): rule for rule in after}
    parts = [f"added {name}" for name in new if name not in old]
    parts += [f"removed {name}" for name in old if name not in new]
    parts += [
        f"changed {name}: {_setting_changes(old[name], rule)}"
        for name, rule in new.items()
        if name in old and old[name] != rule
    ]
    kept_old = [name for name in old if name in new]
    kept_new = [name for name in new if name in old]
    if kept_old != kept_new:
        parts.append("new order: " + ", ".join(kept_new))
    return "; ".join(parts) or "no change"


def record_file_change(
    conn: psycopg.Connection[Any], property_id: int, before: Rules, after: Rules
) -> None:
    """Note a change of the rules made by applying the property file (none if equal)."""
    if before == after:
        return
    conn.execute(
        queries("rulebook")["record_rule_change"],
        {
            "property_id": property_id,
            "changed_by": BY_PROPERTY_FILE,
            "summary": summarise(before, after),
            "before": Jsonb(before),
            "after": Jsonb(after),
        },
    )
