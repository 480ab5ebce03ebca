"""The owner's console under load: the tape chart of a 30-unit guesthouse with 500 bookings
over the next 90 nights (its three months in turn) and the Today page, next to a trivial
JSON endpoint (``/healthz``) of the same app, same server, same run, with ``wrk`` pinned to
its own core and signed in with a console session. Prints a table, then JSON on its last
line. Target: p50 ≤ 50 ms for each page."""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import psycopg
from argon2 import PasswordHasher
from psycopg.types.json import Jsonb
from stack import machine, stack
from stack import wrk as run_wrk

from widget.paths import PROPERTIES_DIR
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.tokens import new_token, token_hash

DURATION = os.environ.get("BENCH_DURATION", "10s")
# One owner at a time: the latency of a page, not a queue behind a saturated core.
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "1"))
SLUG = "tapebench"
UNITS_PER_TYPE = 10  # three room types: 30 units
BOOKINGS = 500
NIGHTS = 90


def property_file() -> str:
    """The demo guesthouse as ``tapebench``, with ten units of each of its room types."""
    text = (PROPERTIES_DIR / "demo.toml").read_text(encoding="utf-8")
    text = text.replace('slug = "demo"', f'slug = "{SLUG}"', 1)
    for old, prefix in (
        ('["Room 1", "Room 2", "Room 3"]', "Double"),
        ('["Suite 4", "Suite 5"]', "Suite"),
        ('["Room 6"]', "Single"),
    ):
        names = ", ".join(f'"{prefix} {n}"' for n in range(1, UNITS_PER_TYPE + 1))
        text = text.replace(old, f"[{names}]", 1)
    return text


def _quote(check_in: date, check_out: date) -> dict[str, object]:
    nights = (check_out - check_in).days
    return {
        "room_type": "double-sea-view",
        "check_in": check_in.isoformat(),
        "check_out": check_out.isoformat(),
        "nights": [],
        "stay_lines": [],
        "total": 12000 * nights,
        "due_now": 12000 * nights,
        "currency": "EUR",
        "quote_hash": f"bench-{check_in}",
    }


def book_the_house(conn: psycopg.Connection[dict[str, object]], today: date) -> int:
    """Fill the next 90 nights with 500 non-overlapping bookings (some arrive today and
    tomorrow, so Today has rows); returns how many were written."""
    rng = random.Random(16)
    units = [
        int(row["id"])  # type: ignore[call-overload]
        for row in conn.execute(
            "SELECT u.id FROM unit u JOIN property p ON p.id = u.property_id "
            "WHERE p.slug = %s ORDER BY u.id",
            (SLUG,),
        )
    ]
    free_from = {unit: today for unit in units}
    written = 0
    while written < BOOKINGS and units:
        unit = units[written % len(units)]
        check_in = free_from[unit] + timedelta(days=rng.choice((0, 0, 1, 2)))
        check_out = check_in + timedelta(days=rng.randint(1, 4))
        if check_out > today + timedelta(days=NIGHTS):
            units.remove(unit)  # this unit's 90 nights are full
            continue
        free_from[unit] = check_out
        conn.execute(
            """INSERT INTO reservation (property_id, unit_id, stay, status, reference, adults,
                   guest, quote, quote_hash, payment_provider, payment_ref, payment_status)
               SELECT property_id, id, daterange(%s, %s), 'confirmed', %s, 2, %s, %s,
                      'bench', 'demo', %s, 'captured' FROM unit WHERE id = %s""",
            (
                check_in,
                check_out,
                f"TB{written:05d}",
                Jsonb(
                    {
                        "name": f"Guest {written}",
                        "email": f"g{written}@example.com",
                        "language": "en",
                        "note": "late arrival" if written % 7 == 0 else None,
                    }
                ),
                Jsonb(_quote(check_in, check_out)),
                f"bench-pay-{written}",
                unit,
            ),
        )
        written += 1
    return written


def signed_in(conn: psycopg.Connection[dict[str, object]]) -> str:
    """An owner of ``tapebench`` with a session; the session cookie's token."""
    conn.execute(
        "INSERT INTO console_user (email, password_hash) VALUES ('bench@example.com', %s)",
        (PasswordHasher().hash(new_token()),),
    )
    conn.execute(
        """INSERT INTO membership (user_id, property_id, role)
           SELECT u.id, p.id, 'owner' FROM console_user u, property p
           WHERE u.email = 'bench@example.com' AND p.slug = %s""",
        (SLUG,),
    )
    token = new_token()
    conn.execute(
        """INSERT INTO console_session (token_hash, user_id, expires_at)
           SELECT %s, id, 'infinity' FROM console_user WHERE email = 'bench@example.com'""",
        (token_hash(token),),
    )
    return token


def wrk(service: str, paths: list[str], client_core: int, token: str) -> dict[str, float]:
    """wrk over ``paths`` in turn (a Lua script), signed in; req/s, p50 and p99 in ms."""
    listed = ", ".join(json.dumps(path) for path in paths)
    script = f"""
local paths = {{ {listed} }}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {{ ["Cookie"] = "innkeep_console={token}" }})
end
"""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        return run_wrk(service + paths[0], client_core, CONNECTIONS, DURATION, lua.name)
    finally:
        Path(lua.name).unlink()


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("bench/console.py needs wrk (Debian: apt-get install wrk)")
    cores = sorted(os.sched_getaffinity(0))
    client_core, server_cores = cores[-1], set(cores[:-1]) or {cores[0]}
    with stack(workers=len(server_cores), server_cores=server_cores) as (url, database_url):
        with psycopg.connect(database_url) as plain:
            apply_property(plain, parse_property(property_file()))
        with psycopg.connect(database_url, row_factory=psycopg.rows.dict_row) as conn:
            today = date.fromisoformat(
                str(
                    conn.execute(
                        "SELECT (innkeep_now() AT TIME ZONE time_zone)::date AS d FROM property "
                        "WHERE slug = %s",
                        (SLUG,),
                    ).fetchone()["d"]
                )
            )  # type: ignore[index]
            booked = book_the_house(conn, today)
            token = signed_in(conn)
        months = sorted({(today + timedelta(days=d)).strftime("%Y-%m") for d in range(NIGHTS)})
        tape = [f"/admin/{SLUG}/calendar?month={m}" for m in months]
        today_page = [f"/admin/{SLUG}/"]
        wrk(url, tape + today_page, client_core, token)  # warm-up: templates, pools, caches
        hello = wrk(url, ["/healthz"], client_core, token)
        chart = wrk(url, tape, client_core, token)
        arrivals = wrk(url, today_page, client_core, token)
    print(machine())
    print(
        f"server on cores {sorted(server_cores)}, wrk on core {client_core}, "
        f"{CONNECTIONS} connections, {DURATION} each; {booked} bookings, 30 units, "
        f"{NIGHTS} nights ({', '.join(months)})"
    )
    rows = (("hello (/healthz)", hello), ("tape chart (a month)", chart), ("Today", arrivals))
    for name, figures in rows:
        print(
            f"{name:22} {figures['rps']:9.0f} req/s   p50 {figures['p50']:7.2f} ms   "
            f"p99 {figures['p99']:7.2f} ms"
        )
    print(
        json.dumps(
            {
                "bookings": booked,
                "hello_p50_ms": hello["p50"],
                "hello_p99_ms": hello["p99"],
                "tape_p50_ms": chart["p50"],
                "tape_p99_ms": chart["p99"],
                "today_p50_ms": arrivals["p50"],
                "today_p99_ms": arrivals["p99"],
                "tape_rps": round(chart["rps"]),
                "today_rps": round(arrivals["rps"]),
                "hello_rps": round(hello["rps"]),
            }
        )
    )


if __name__ == "__main__":
    main()
