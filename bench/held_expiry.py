"""How long a new hold's write, which expires the lapsed holds on its unit, takes on a large
table, with and without the partial index ``reservation_held_by_unit`` (migration 0033).

Starts a throw-away Postgres (the embedded one, in a temp folder), applies Innkeep's
migrations, fills ``reservation`` for BENCH_UNITS units (default 8,000: a thousand
guesthouses of eight rooms) with a year of two-night bookings, ended holds, and a hold in
progress on every other unit, then writes a one-night hold (``innkeep_hold_rooms``, migration
0041) on random units inside transactions it rolls back, and prints the median and p99 time;
then the same without the index. (Which rows a write reads is tested:
tests/inventory/test_held_index.py.)

    .venv/bin/python bench/held_expiry.py   # BENCH_UNITS=8000 BENCH_CALLS=500
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stack import demo_with_bench_units, machine  # noqa: E402
from widget.local_servers import EmbeddedPostgres  # noqa: E402
from widget.migrate import migrate  # noqa: E402

UNITS = int(os.environ.get("BENCH_UNITS", "8000"))
CALLS = int(os.environ.get("BENCH_CALLS", "500"))
#: Two-night bookings, one every third night of a year, per unit.
BOOKINGS = 120
#: Ended (expired or released) holds per unit, kept for their history.
ENDED = 30


def seed(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        demo_with_bench_units(conn, UNITS)
        began = time.monotonic()
        conn.execute(
            """INSERT INTO reservation (property_id, unit_id, stay, status, adults)
               SELECT u.property_id, u.id,
                      daterange(DATE '2027-01-01' + 3 * k, DATE '2027-01-01' + 3 * k + 2),
                      'confirmed', 2
               FROM unit u, generate_series(0, %s::int - 1) k WHERE u.name LIKE 'Bench %%'""",
            (BOOKINGS,),
        )
        conn.execute(
            """INSERT INTO reservation (property_id, unit_id, stay, status, adults,
                                        hold_expires_at)
               SELECT u.property_id, u.id,
                      daterange(DATE '2027-01-02' + 3 * k, DATE '2027-01-02' + 3 * k + 1),
                      (CASE WHEN k %% 2 = 0 THEN 'expired' ELSE 'cancelled' END)
                          ::reservation_status,
                      2, now() - interval '1 day'
               FROM unit u, generate_series(0, %s::int - 1) k WHERE u.name LIKE 'Bench %%'""",
            (ENDED,),
        )
        # A hold in progress on every other unit, on nights after the bookings.
        conn.execute(
            """INSERT INTO reservation (property_id, unit_id, stay, status, adults,
                                        hold_expires_at)
               SELECT property_id, id, daterange(DATE '2028-03-01', DATE '2028-03-04'), 'held',
                      2, now() + interval '10 minutes'
               FROM unit WHERE name LIKE 'Bench %' AND mod(id, 2) = 0"""
        )
        conn.execute("ALTER TABLE reservation ENABLE TRIGGER reservation_bumps_inventory")
        conn.execute("VACUUM ANALYZE reservation")
        rows = conn.execute("SELECT count(*) FROM reservation").fetchone()
        assert rows is not None
        print(f"  {rows[0]:,} reservations ({time.monotonic() - began:.0f} s)", flush=True)


#: A write of one room, as `widget.inventory.hold_rows.write_rooms` makes it.
HOLD = (
    "SELECT * FROM innkeep_hold_rooms((SELECT property_id FROM unit WHERE id = %(unit)s),"
    " %(rooms)s::jsonb, 600)"
)


def measure(url: str, label: str) -> None:
    rng = random.Random(7)
    with psycopg.connect(url) as conn:
        units = [r[0] for r in conn.execute("SELECT id FROM unit").fetchall()]
        conn.rollback()
        took = []
        for _ in range(CALLS):
            unit = rng.choice(units)
            room = {"id": str(uuid.uuid4()), "unit_id": unit, "check_in": "2028-03-05",
                    "check_out": "2028-03-06", "adults": 2, "children": []}  # fmt: skip
            began = time.perf_counter()
            conn.execute(HOLD, {"unit": unit, "rooms": json.dumps([room])}).fetchall()
            took.append(time.perf_counter() - began)
            conn.rollback()
    took.sort()
    p99 = took[int(len(took) * 0.99) - 1]
    print(
        f"{label}: median {statistics.median(took) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms "
        f"over {CALLS} units",
        flush=True,
    )


def main() -> None:
    data = Path(tempfile.mkdtemp(prefix="innkeep-heldexpiry-"))
    postgres = EmbeddedPostgres(data)
    try:
        url = postgres.start()
        migrate(url)
        print(f"{machine()}; {UNITS:,} units", flush=True)
        seed(url)
        measure(url, "with reservation_held_by_unit")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP INDEX reservation_held_by_unit")
            conn.execute("ANALYZE reservation")
        measure(url, "without it")
    finally:
        postgres.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
