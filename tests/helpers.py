"""Small builders shared by tests."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import redis
from psycopg import sql
from psycopg.types.json import Jsonb

from widget.paths import PROPERTIES_DIR
from widget.sql import queries

DEMO_TOML = (PROPERTIES_DIR / "demo.toml").read_text(encoding="utf-8")


def sync_redis(url: str, *, cluster: bool) -> redis.Redis | redis.RedisCluster:
    """A blocking client for the tests' own look at Redis: of a cluster when ``cluster``
    (``url`` then names its seed nodes, comma-separated)."""
    if cluster:
        return redis.RedisCluster.from_url(url.split(",")[0])
    return redis.Redis.from_url(url)


def settings_redis(settings: Any) -> redis.Redis | redis.RedisCluster:
    """`sync_redis` for the Redis that ``settings`` name."""
    return sync_redis(settings.redis_url or "", cluster=settings.redis_cluster)


def flush_redis(url: str, *, cluster: bool) -> None:
    """Empty the Redis (every primary of a cluster)."""
    client = sync_redis(url, cluster=cluster)
    if isinstance(client, redis.RedisCluster):
        client.flushdb(target_nodes=redis.RedisCluster.PRIMARIES)
    else:
        client.flushdb()
    client.close()


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


def move_property_clock(conn: psycopg.Connection[Any], slug: str, by: timedelta) -> None:
    """Make ``slug`` a property of the testing API and move its own clock ``by`` forward,
    with the testing API's query (decision 16); the deployment's clock stays."""
    row = conn.execute(
        "UPDATE property SET created_by_testing = true WHERE slug = %s RETURNING id", (slug,)
    ).fetchone()
    assert row is not None
    conn.execute(
        queries("testmode")["advance_property_clock"],
        {"property_id": row[0], "seconds": int(by.total_seconds())},
    )
    conn.commit()


def property_toml(slug: str = "demo", time_zone: str = "Europe/Rome", rules: str = "") -> str:
    """The demo guesthouse under another slug and zone; ``rules`` replaces its rules."""
    head, _, demo_rules = DEMO_TOML.partition("\n[[rules]]")
    text = head.replace('slug = "demo"', f'slug = "{slug}"', 1).replace(
        'time_zone = "Europe/Rome"', f'time_zone = "{time_zone}"', 1
    )
    return text + (rules if rules else "\n[[rules]]" + demo_rules)


def with_hold_share(toml: str, percent: int) -> str:
    """A property file whose clients may each hold ``percent`` of its units at once (holds of
    any dates count); at 1000 one test machine may hold the house ten times over."""
    line = "share_percent = 25"
    assert line in toml
    return toml.replace(line, f"share_percent = {percent}", 1)


#: The demo guesthouse for tests in which one machine plays many guests, on many dates.
OPEN_DEMO_TOML = with_hold_share(DEMO_TOML, 1000)


def age_gates(settings: Any, seconds: int) -> None:
    """Let ``seconds`` pass for the Redis gates too (they keep real time, not the DB's)."""
    client = settings_redis(settings)
    for key in client.scan_iter("innkeep:*:gate:*"):
        holder, _, taken = client.get(key).decode().partition(":")  # type: ignore[union-attr]
        client.set(key, f"{holder}:{int(taken) - seconds * 1000}", keepttl=True)


#: How long a held row of `add_reservation` lasts unless told otherwise.
HOLD_FOR = timedelta(minutes=10)


def reservation_insert(
    *,
    check_in: date | str,
    check_out: date | str,
    status: str = "confirmed",
    unit: str | int = "Room 1",
    property_slug: str = "demo",
    hold_for: timedelta | None = None,
    **columns: object,
) -> tuple[sql.Composed, dict[str, Any]]:
    """The INSERT of one reservation and its parameters (see `add_reservation`)."""
    if status == "held" and hold_for is None:
        hold_for = HOLD_FOR
    params: dict[str, Any] = {
        "check_in": date.fromisoformat(check_in) if isinstance(check_in, str) else check_in,
        "check_out": date.fromisoformat(check_out) if isinstance(check_out, str) else check_out,
        "status": status,
        "hold_for": hold_for,
        "unit": unit,
        "property": property_slug,
    }
    for name, value in columns.items():
        params[f"column_{name}"] = Jsonb(value) if isinstance(value, dict) else value
    query = sql.SQL(
        """INSERT INTO reservation (property_id, unit_id, stay, status, hold_expires_at{names})
           SELECT u.property_id, u.id, daterange(%(check_in)s, %(check_out)s), %(status)s,
                  innkeep_now() + %(hold_for)s::interval{values}
           FROM unit u JOIN property p ON p.id = u.property_id
           WHERE p.slug = %(property)s AND {unit} = %(unit)s
           RETURNING id"""
    ).format(
        names=sql.SQL("").join(sql.SQL(", ") + sql.Identifier(name) for name in columns),
        values=sql.SQL("").join(sql.SQL(", ") + sql.Placeholder(f"column_{n}") for n in columns),
        unit=sql.SQL("u.name" if isinstance(unit, str) else "u.id"),
    )
    return query, params


def add_reservation(
    conn: psycopg.Connection[Any],
    *,
    check_in: date | str,
    check_out: date | str,
    status: str = "confirmed",
    unit: str | int = "Room 1",
    property_slug: str = "demo",
    hold_for: timedelta | None = None,
    commit: bool = True,
    **columns: object,
) -> uuid.UUID:
    """Insert one reservation of ``unit`` (a name, or an id) of ``property_slug`` for the
    nights from ``check_in`` to ``check_out``, as the service would leave it; its id.

    A ``held`` row expires ``hold_for`` (default `HOLD_FOR`) after the database's clock,
    ``innkeep_now()``; a negative ``hold_for`` makes a lapsed hold. Any other column of
    ``reservation`` is a keyword (``reference=``, ``guest=``, ``quote=``, …); dicts are
    stored as JSON. ``commit=False`` leaves the transaction open (to see it refused)."""
    query, params = reservation_insert(
        check_in=check_in,
        check_out=check_out,
        status=status,
        unit=unit,
        property_slug=property_slug,
        hold_for=hold_for,
        **columns,
    )
    row = conn.execute(query, params).fetchone()
    assert row is not None, f"no unit {unit!r} in {property_slug!r}"
    if commit:
        conn.commit()
    return uuid.UUID(str(row[0]))


async def add_reservation_async(conn: psycopg.AsyncConnection[Any], **options: Any) -> uuid.UUID:
    """`add_reservation` on an async connection (in autocommit mode)."""
    query, params = reservation_insert(**options)
    cur = await conn.execute(query, params)
    row = await cur.fetchone()
    assert row is not None, f"no such unit: {options}"
    return uuid.UUID(str(row["id"] if isinstance(row, dict) else row[0]))


def stored_quote(
    check_in: str, check_out: str, *, due_now: int, total: int, currency: str = "EUR"
) -> dict[str, Any]:
    """A quote as a hold stores it (``reservation.quote``): ``total - due_now`` is a city
    tax payable at the property."""
    return {
        "room_type": "double-sea-view",
        "check_in": check_in,
        "check_out": check_out,
        "nights": [],
        "stay_lines": [
            {
                "rule": "city-tax",
                "kind": "tax",
                "amount": total - due_now,
                "note": "City tax",
                "included": False,
                "payable": "at_property",
            }
        ],
        "total": total,
        "due_now": due_now,
        "currency": currency,
        "quote_hash": "q-" + check_in,
    }


def counter(exposition: str, name: str, **labels: str) -> float:
    """The value of one series in Prometheus' text format (0 when absent)."""
    total = 0.0
    for line in exposition.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        series, _, value = line.rpartition(" ")
        if series.split("{")[0] != name:
            continue
        if all(f'{key}="{wanted}"' in series for key, wanted in labels.items()):
            total += float(value)
    return total
