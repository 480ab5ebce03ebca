"""Small builders shared by tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import redis

from widget.paths import PROPERTIES_DIR

DEMO_TOML = (PROPERTIES_DIR / "demo.toml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "property.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def set_clock(conn: psycopg.Connection[Any], at: datetime) -> None:
    """Move the database's clock (``innkeep_now()``) to ``at``; tests never sleep."""
    conn.execute(
        """INSERT INTO clock_offset (shift) VALUES (%(at)s - now())
           ON CONFLICT (only_row) DO UPDATE SET shift = EXCLUDED.shift""",
        {"at": at},
    )
    conn.commit()


def advance_clock(conn: psycopg.Connection[Any], by: timedelta) -> None:
    """Let ``by`` pass on the database's clock."""
    conn.execute(
        """INSERT INTO clock_offset (shift) VALUES (%(by)s)
           ON CONFLICT (only_row) DO UPDATE SET shift = clock_offset.shift + EXCLUDED.shift""",
        {"by": by},
    )
    conn.commit()


def property_toml(slug: str = "demo", time_zone: str = "Europe/Rome", rules: str = "") -> str:
    """The demo guesthouse under another slug and zone; ``rules`` replaces its rules."""
    head, _, demo_rules = DEMO_TOML.partition("\n[[rules]]")
    text = head.replace('slug = "demo"', f'slug = "{slug}"', 1).replace(
        'time_zone = "Europe/Rome"', f'time_zone = "{time_zone}"', 1
    )
    return text + (rules if rules else "\n[[rules]]" + demo_rules)


def age_gates(settings: Any, seconds: int) -> None:
    """Let ``seconds`` pass for the Redis gates too (they keep real time, not the DB's)."""
    client = redis.Redis.from_url(settings.redis_url or "")
    for key in client.scan_iter("innkeep:*:gate:*"):
        holder, _, taken = client.get(key).decode().partition(":")  # type: ignore[union-attr]
        client.set(key, f"{holder}:{int(taken) - seconds * 1000}", keepttl=True)
