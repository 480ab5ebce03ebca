"""A large deployment for benchmarks: thousands of guesthouses loaded with COPY in seconds.

Each guesthouse is a copy of one applied template (the demo's rooms, rate plans, extras and
20 pricing rules, reshaped to eight units in three room types), with its own slug, name, site,
time zone and prices (±30 %). A share of them (``booked_share``) carries a year of stays
around today, unit by unit: bookings of one to six nights with gaps of up to five, and about
one stay in ten a block, all under the exclusion constraint. Nothing here is an Innkeep
command: it writes the tables directly, as a restore would, and is for benchmarks only.

    guesthouse_file()                 # the template's property file (TOML text)
    grow(conn, "hot", upto=10_000)    # add guesthouses until there are ``upto`` of them
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from stack import ROOT

DEMO = ROOT / "properties" / "demo.toml"
ZONES = ("Europe/Rome", "Europe/Lisbon", "Europe/Berlin", "Europe/London", "Europe/Athens")
#: Columns the copies set themselves (the rest come from the template as they are).
OWN = {"id", "slug", "name", "allowed_origins", "time_zone", "created_at", "updated_at"}
JSONB = 3802


def guesthouse_file(slug: str = "hot", share_percent: int = 1000) -> str:
    """The template: the demo guesthouse with eight units (four doubles, three suites, one
    single); ``share_percent`` so that one load client may play many guests."""
    text = DEMO.read_text(encoding="utf-8")
    text = text.replace('slug = "demo"', f'slug = "{slug}"', 1)
    text = text.replace("share_percent = 25", f"share_percent = {share_percent}", 1)
    text = text.replace(
        '["Room 1", "Room 2", "Room 3"]', '["Room 1", "Room 2", "Room 3", "Room 7"]'
    )
    text = text.replace('["Suite 4", "Suite 5"]', '["Suite 4", "Suite 5", "Suite 8"]')
    return re.sub(
        r"(?m)^allowed_origins = .*$", f'allowed_origins = ["https://{slug}.example"]', text
    )


@dataclass
class Template:
    columns: list[str]
    row: dict[str, Any]
    room_types: list[dict[str, Any]]
    units: list[dict[str, Any]]


def _rows(conn: psycopg.Connection[Any], sql: str, slug: str) -> list[dict[str, Any]]:
    cur = conn.execute(sql, {"slug": slug})
    names = [c.name for c in cur.description or ()]
    jsonb = {c.name for c in cur.description or () if c.type_code == JSONB}
    return [
        {n: Jsonb(v) if n in jsonb and v is not None else v for n, v in zip(names, r, strict=True)}
        for r in cur.fetchall()
    ]


def template(conn: psycopg.Connection[Any], slug: str) -> Template:
    (row,) = _rows(conn, "SELECT * FROM property WHERE slug = %(slug)s", slug)
    room_types = _rows(
        conn,
        "SELECT rt.* FROM room_type rt JOIN property p ON p.id = rt.property_id "
        "WHERE p.slug = %(slug)s ORDER BY rt.id",
        slug,
    )
    units = _rows(
        conn,
        "SELECT u.* FROM unit u JOIN property p ON p.id = u.property_id "
        "WHERE p.slug = %(slug)s ORDER BY u.id",
        slug,
    )
    return Template(list(row), row, room_types, units)


def _next_ids(conn: psycopg.Connection[Any], table: str) -> int:
    found = conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()
    assert found is not None
    return int(found[0])


def _copy(
    conn: psycopg.Connection[Any], table: str, columns: list[str], rows: Iterator[list[Any]]
) -> int:
    count = 0
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def grow(
    conn: psycopg.Connection[Any],
    template_slug: str,
    upto: int,
    booked_share: float = 0.1,
    seed: int = 18,
) -> dict[str, int]:
    """Add guesthouses ``g00001``… until the deployment has ``upto`` properties; how many
    rows of each kind were written. Runs in one transaction; triggers and foreign-key checks
    are skipped (``session_replication_role = replica``), the exclusion constraint is not."""
    shape = template(conn, template_slug)
    found = conn.execute("SELECT count(*) FROM property").fetchone()
    have = int(found[0]) if found else 0
    if have >= upto:
        return {}
    rng = random.Random(seed + have)
    first_property, first_type, first_unit = (
        _next_ids(conn, t) for t in ("property", "room_type", "unit")
    )
    count = upto - have
    plans = [_plan(rng, shape, n, first_property + i) for i, n in enumerate(range(have, upto))]
    written: dict[str, int] = {}
    with conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        written["properties"] = _copy(
            conn, "property", shape.columns, (_property_row(shape, p) for p in plans)
        )
        types, units = _type_and_unit_rows(shape, plans, first_type, first_unit)
        written["room_types"] = _copy(conn, "room_type", list(shape.room_types[0]), iter(types))
        written["units"] = _copy(conn, "unit", list(shape.units[0]), iter(units))
        stays = _stays(rng, plans, units, booked_share)
        written["reservations"] = _copy(conn, "reservation", STAY_COLUMNS, stays)
        for table in ("property", "room_type", "unit"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
            )
    conn.execute("ANALYZE")
    written["guesthouses_added"] = count
    return written


@dataclass
class Plan:
    id: int
    slug: str
    zone: str
    price_factor: float


def _plan(rng: random.Random, shape: Template, n: int, property_id: int) -> Plan:
    del shape
    return Plan(property_id, f"g{n:05d}", rng.choice(ZONES), rng.uniform(0.7, 1.3))


def _property_row(shape: Template, plan: Plan) -> list[Any]:
    own = {
        "id": plan.id,
        "slug": plan.slug,
        "name": f"Guesthouse {plan.slug[1:]}",
        "allowed_origins": [f"https://{plan.slug}.example"],
        "time_zone": plan.zone,
        "created_at": shape.row["created_at"],
        "updated_at": shape.row["updated_at"],
    }
    return [own[c] if c in OWN else shape.row[c] for c in shape.columns]


def _type_and_unit_rows(
    shape: Template, plans: list[Plan], first_type: int, first_unit: int
) -> tuple[list[list[Any]], list[list[Any]]]:
    types: list[list[Any]] = []
    units: list[list[Any]] = []
    for plan in plans:
        new_type: dict[int, int] = {}
        for room in shape.room_types:
            new_type[room["id"]] = first_type + len(types)
            row = dict(room, id=new_type[room["id"]], property_id=plan.id)
            row["base_price"] = round(room["base_price"] * plan.price_factor / 100) * 100
            types.append(list(row.values()))
        for unit in shape.units:
            row = dict(
                unit,
                id=first_unit + len(units),
                property_id=plan.id,
                room_type_id=new_type[unit["room_type_id"]],
            )
            units.append(list(row.values()))
    return types, units


STAY_COLUMNS = [
    "property_id",
    "unit_id",
    "stay",
    "status",
    "reference",
    "adults",
    "guest",
    "block_reason",
]


def _stays(
    rng: random.Random, plans: list[Plan], units: list[list[Any]], booked_share: float
) -> Iterator[list[Any]]:
    """A year of stays (six months either side of today) in each unit of the booked share."""
    booked = {p.id for p in plans if rng.random() < booked_share}
    today = date.today()
    reference = 0
    for unit in units:
        unit_id, property_id = unit[0], unit[1]
        if property_id not in booked:
            continue
        day = today - timedelta(days=182)
        while day < today + timedelta(days=182):
            day += timedelta(days=rng.randint(0, 5))
            nights = rng.randint(1, 6)
            stay = f"[{day},{day + timedelta(days=nights)})"
            if rng.random() < 0.1:
                yield [property_id, unit_id, stay, "blocked", None, None, None, "maintenance"]
            else:
                reference += 1
                guest = Jsonb({"name": f"Guest {reference}", "email": f"g{reference}@example.com"})
                yield [
                    property_id,
                    unit_id,
                    stay,
                    "confirmed",
                    f"T{property_id}-{reference}",
                    2,
                    guest,
                    None,
                ]
            day += timedelta(days=nights)
