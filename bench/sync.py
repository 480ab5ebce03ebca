"""Channel sync at scale, on real Postgres and Redis (issue 14's benchmark).

1. Import: 200 properties x 3 feeds (three units each), two years of events per feed,
   served by a local HTTP server; every feed is imported once, then every feed changes at
   once (each event moves by a day) and the time for one worker to fetch and apply them all
   is measured (target: within one interval, 10 minutes).
2. Export: answers per second for one unit's export URL next to ``/healthz`` of the same
   server in the same run, with ``wrk`` pinned to its own core (target: an export costs no
   more than a calendar request, see bench/availability.py).

``BENCH_SYNC_PROPERTIES`` (default 200) and ``BENCH_DURATION`` scale it down for a smoke
run. Prints a table, then JSON on its last line.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
from availability import wrk
from stack import machine, stack

from widget.db import create_pool
from widget.local_servers import EmbeddedServices
from widget.migrate import migrate
from widget.paths import PROPERTIES_DIR
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import DEV_SECRET_KEY, load_settings
from widget.sync.feeds import export_urls
from widget.sync.polling import SyncOptions, import_due_feeds

PROPERTIES = int(os.environ.get("BENCH_SYNC_PROPERTIES", "200"))
UNITS = ("Room 1", "Room 2", "Room 3")
CHANNELS = ("Airbnb", "Booking.com", "Vrbo")


def feed(seed: str, shift: int) -> bytes:
    """Two years of stays (2 to 6 nights, 0 to 4 nights apart), moved by ``shift`` days."""
    rng = random.Random(seed)
    day, lines = date.today() + timedelta(days=1 + shift), ["BEGIN:VCALENDAR", "VERSION:2.0"]
    end = date.today() + timedelta(days=730)
    n = 0
    while day < end:
        day += timedelta(days=rng.randint(0, 4))
        out = day + timedelta(days=rng.randint(2, 6))
        lines += [
            "BEGIN:VEVENT",
            f"UID:{seed}-{n}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{out:%Y%m%d}",
            "SUMMARY:Reserved",
            "END:VEVENT",
        ]
        day, n = out, n + 1
    return ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()


class Feeds:
    """Every feed of the run, by path, served on 127.0.0.1 with ETag and 304."""

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                body = bodies[self.path]
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


def properties(conn: psycopg.Connection[Any], feeds: Feeds) -> None:
    demo = (PROPERTIES_DIR / "demo.toml").read_text(encoding="utf-8")
    for p in range(PROPERTIES):
        text = demo.replace('slug = "demo"', f'slug = "bench-{p}"', 1)
        for unit, channel in zip(UNITS, CHANNELS, strict=True):
            path = f"/{p}/{channel}.ics"
            feeds.bodies[path] = feed(path, 0)
            text += f'\n[[feeds]]\nunit = "{unit}"\nname = "{channel}"\nurl = "{feeds.url(path)}"\n'
        apply_property(conn, parse_property(text))


async def import_all(database_url: str) -> tuple[float, int]:
    """Make every feed due, then import until none is: (seconds, feeds imported)."""
    settings = load_settings(
        {}, database_url=database_url, redis_url="redis://unused", env="test",
        sync_allow_private_networks=("127.0.0.0/8",),
    )  # fmt: skip
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE channel_feed SET next_fetch_at = now() - interval '1 second'")
    pool = create_pool(database_url, 4)
    await pool.open()
    done, started = 0, time.perf_counter()
    try:
        options = SyncOptions(settings)
        while outcomes := await import_due_feeds(pool, options):
            bad = [o for o in outcomes if not o.ok]
            if bad:
                raise SystemExit(f"a feed failed: {bad[0].error}")
            done += len(outcomes)
    finally:
        await pool.close()
    return time.perf_counter() - started, done


def import_run() -> dict[str, Any]:
    data = Path(tempfile.mkdtemp(prefix="innkeep-bench-sync-"))
    feeds = Feeds()
    services = EmbeddedServices(data)
    try:
        database_url, _ = services.start()
        migrate(database_url)
        with psycopg.connect(database_url, autocommit=True) as conn:
            properties(conn, feeds)
        first, count = asyncio.run(import_all(database_url))
        for path in feeds.bodies:
            feeds.bodies[path] = feed(path, 1)  # every event moves by a day
        changed, _ = asyncio.run(import_all(database_url))
        unchanged, _ = asyncio.run(import_all(database_url))
    finally:
        services.stop()
        feeds.httpd.shutdown()
        shutil.rmtree(data, ignore_errors=True)
    events = sum(body.count(b"BEGIN:VEVENT") for body in feeds.bodies.values())
    return {
        "feeds": count,
        "events": events,
        "first_import_s": round(first, 1),
        "all_changed_s": round(changed, 1),
        "all_unchanged_304_s": round(unchanged, 1),
    }


def export_run() -> dict[str, Any]:
    cores = sorted(os.sched_getaffinity(0))
    client_core, server_cores = cores[-1], set(cores[:-1]) or {cores[0]}
    with stack(workers=len(server_cores), server_cores=server_cores) as (url, database_url):
        with psycopg.connect(database_url, autocommit=True) as conn:
            for n in range(40):  # a busy unit: forty stays ahead
                conn.execute(
                    "INSERT INTO reservation (property_id, unit_id, stay, status, block_reason) "
                    "SELECT property_id, id, daterange(current_date + %s, current_date + %s), "
                    "'blocked', 'bench' FROM unit WHERE name = 'Room 1'",
                    (10 + 5 * n, 12 + 5 * n),
                )
            [full] = [
                e.url for e in export_urls(conn, "demo", DEV_SECRET_KEY, url)
                if e.unit == "Room 1" and e.channel is None
            ]  # fmt: skip
        wrk(full, client_core)  # warm-up
        hello = wrk(url + "/healthz", client_core)
        export = wrk(full, client_core)
    return {"export_rps": round(export["rps"]), "hello_rps": round(hello["rps"]),
            "ratio": round(export["rps"] / hello["rps"], 2),
            "export_p50_ms": export["p50"], "export_p99_ms": export["p99"]}  # fmt: skip


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("bench/sync.py needs wrk (Debian: apt-get install wrk)")
    imported = import_run()
    exported = export_run()
    print(machine())
    print(
        f"import: {imported['feeds']} feeds, {imported['events']} events; first import "
        f"{imported['first_import_s']} s, all changed {imported['all_changed_s']} s, "
        f"all unchanged (304) {imported['all_unchanged_304_s']} s on one worker "
        "(target: all changed within one interval, 600 s)"
    )
    print(
        f"export: {exported['export_rps']} req/s (p50 {exported['export_p50_ms']:.2f} ms) "
        f"next to /healthz {exported['hello_rps']} req/s: ratio {exported['ratio']}"
    )
    print(json.dumps({**imported, **exported}))


if __name__ == "__main__":
    main()
