"""Checks migrations on a reservation table of a million rows while guests keep writing.

Starts a throw-away Postgres (the embedded one, in a temp folder), applies Innkeep's
migrations, fills ``reservation`` with BENCH_RESERVATIONS rows (default 1,000,000: one
property, 1,000 units, stays of two nights under the exclusion constraint), then applies
each candidate migration (files named ``NNNN_name.sql``, numbered above the shipped ones;
default: the two samples in bench/migrations/) while a writer makes and cancels holds
without pause. For each it prints how long the migration took and how long the writes
waited meanwhile: a migration that blocks the table shows as a write stalled for the whole
migration.

    .venv/bin/python bench/migration_check.py [MIGRATION.sql ...]
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stack import demo_with_bench_units, machine  # noqa: E402
from widget.local_servers import EmbeddedPostgres  # noqa: E402
from widget.migrate import available, migrate  # noqa: E402

RESERVATIONS = int(os.environ.get("BENCH_RESERVATIONS", "1000000"))
UNITS = 1000
SAMPLES = sorted((ROOT / "bench" / "migrations").glob("*.sql"))


def seed(url: str) -> None:
    """The demo guesthouse with UNITS more units, and RESERVATIONS stays of two nights (one
    in ten cancelled), all under the exclusion constraint."""
    per_unit = max(1, RESERVATIONS // UNITS)
    with psycopg.connect(url, autocommit=True) as conn:
        demo_with_bench_units(conn, UNITS)
        began = time.monotonic()
        for first in range(0, per_unit, 100):
            last = min(per_unit, first + 100)
            conn.execute(
                """INSERT INTO reservation (property_id, unit_id, stay, status, adults)
                   SELECT u.property_id, u.id,
                          daterange(DATE '2000-01-01' + 3 * k, DATE '2000-01-01' + 3 * k + 2),
                          (CASE WHEN k %% 10 = 0 THEN 'cancelled' ELSE 'confirmed' END)
                              ::reservation_status,
                          2
                   FROM unit u, generate_series(%s::int, %s::int) k
                   WHERE u.name LIKE 'Bench %%'""",
                (first, last - 1),
            )
            done = UNITS * last
            print(f"  {done:>9,} reservations ({time.monotonic() - began:.0f} s)", flush=True)
        conn.execute("ALTER TABLE reservation ENABLE TRIGGER reservation_bumps_inventory")
        conn.execute("VACUUM ANALYZE reservation")


class Writer(threading.Thread):
    """A guest after another: each makes a hold on a free night and cancels it, and the time
    each of those transactions took is kept."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.waits: list[tuple[float, float]] = []  # (when it began, seconds)

    def run(self) -> None:
        rng = random.Random(1)
        with psycopg.connect(self.url, autocommit=True) as conn:
            units = [r[0] for r in conn.execute("SELECT id FROM unit").fetchall()]
            while not self.stop.is_set():
                began = time.monotonic()
                with conn.transaction():
                    row = conn.execute(
                        """INSERT INTO reservation (property_id, unit_id, stay, status, adults,
                                                    hold_expires_at)
                           SELECT property_id, id, daterange(d, d + 2), 'held', 2,
                                  now() + interval '10 minutes'
                           FROM unit, (SELECT DATE '2040-01-01' + %s::int AS d) night
                           WHERE id = %s
                           RETURNING id""",
                        (rng.randrange(3650), rng.choice(units)),
                    ).fetchone()
                    assert row is not None
                    conn.execute(
                        "UPDATE reservation SET status = 'cancelled' WHERE id = %s", (row[0],)
                    )
                self.waits.append((began, time.monotonic() - began))


def check(url: str, candidate: Path) -> str:
    """Apply ``candidate`` while the writer writes; one line of figures."""
    folder = Path(tempfile.mkdtemp(prefix="innkeep-migration-"))
    try:
        shutil.copy(candidate, folder / candidate.name)
        shipped = {m.version for m in available()}
        if any(m.version in shipped for m in available(folder)):
            raise SystemExit(f"{candidate.name}: number it above the shipped migrations")
        writer = Writer(url)
        writer.start()
        time.sleep(1.0)  # the writer's ordinary pace first
        began = time.monotonic()
        migrate(url, folder)
        took = time.monotonic() - began
        time.sleep(1.0)
        writer.stop.set()
        writer.join()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    during = [s for when, s in writer.waits if began - 0.001 <= when <= began + took]
    # A write that began just before the migration and waited through it counts too.
    longest = max(s for when, s in writer.waits if when <= began + took)
    ordinary = [s for when, s in writer.waits if when < began]
    return (
        f"{candidate.name}: migration {took:.1f} s; writes during it {len(during)}, "
        f"longest wait {longest * 1000:.0f} ms (ordinary: median "
        f"{statistics.median(ordinary) * 1000:.1f} ms)"
    )


def main() -> None:
    candidates = [Path(a) for a in sys.argv[1:]] or SAMPLES
    data = Path(tempfile.mkdtemp(prefix="innkeep-migcheck-"))
    postgres = EmbeddedPostgres(data)
    try:
        url = postgres.start()
        migrate(url)
        print(f"{machine()}; filling reservation with {RESERVATIONS:,} rows", flush=True)
        seed(url)
        for candidate in candidates:
            print(check(url, candidate), flush=True)
    finally:
        postgres.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
