"""Ten thousand guesthouses on one deployment (issue 18): does one guesthouse stay fast while
thousands of others are busy, and does a worker's memory stay bounded?

Starts a throw-away Postgres and Valkey, applies one "hot" guesthouse, then grows the
deployment with `guesthouses.grow` (COPY) to each size of BENCH_STEPS (default 100 and
10,000 properties, 8 units each, a year of stays in BENCH_BOOKED_SHARE of them). At each
size a fresh ``innkeep serve`` (one worker per server core) is measured:

1. calendar, cold: each property of a random working set (BENCH_WORKING_SET, 1,000)
   asked once for 60 nights, 32 at a time (what a worker meets after a restart);
2. calendar, warm: ``wrk`` over the same working set, random property per request, and
   ``/healthz`` in the same run: the ratio (target ≥ 0.3);
3. the hot guesthouse, one request at a time: calendar, quote and hold (released at once)
   p50/p99, first alone (hold p99 target ≤ 20 ms), then while the working set is asked for
   calendars at half the warm rate (the ratio to alone is the price of the neighbours);
4. throughput on the server's core(s): quotes, and holds (each released), of the hot
   guesthouse, 8 at a time for BENCH_THROUGHPUT_SECONDS;
5. what one hold (made and released) and one booking (hold, checkout with the demo
   provider, confirm) cost: Redis commands, Postgres commits, rows written and WAL bytes;
6. the worker's RSS after all that (target ≤ 300 MB), Redis keys (every one must expire:
   a key without a TTL would grow with the properties), and ``property apply`` of one
   guesthouse's file (a price changed; the median of five) in the large database.

    .venv/bin/python bench/tenancy.py   # BENCH_STEPS=100,10000 BENCH_WORKING_SET=1000
                                        # BENCH_BOOKED_SHARE=0.1 BENCH_DURATION=10s

The client (and wrk) run on the last core, everything else on the others. JSON on the
last line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psutil
import psycopg
import redis
from availability import wrk
from guesthouses import grow, guesthouse_file
from holds import LOAD_ENV, Connection, stay
from stack import ROOT, machine, percentile

sys.path.insert(0, str(ROOT))

from widget.local_servers import EmbeddedServices
from widget.migrate import migrate
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.testing.stack import Launch, Running, innkeep_serve

STEPS = [int(s) for s in os.environ.get("BENCH_STEPS", "100,10000").split(",")]
WORKING_SET = int(os.environ.get("BENCH_WORKING_SET", "1000"))
BOOKED_SHARE = float(os.environ.get("BENCH_BOOKED_SHARE", "0.1"))
PROBES = int(os.environ.get("BENCH_PROBES", "200"))
THROUGHPUT_SECONDS = float(os.environ.get("BENCH_THROUGHPUT_SECONDS", "5"))
BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "40"))
#: Postgres reports a busy connection's counts when it has been idle this long (PG 15+).
STATS_SETTLE_SECONDS = 11
GUEST = {
    "guest": {
        "name": "Anna Schmidt",
        "email": "anna@example.com",
        "phone": None,
        "language": "en",
        "note": None,
    },
    "accept_cancellation_policy": True,
}
CONNECTIONS = 32
START = date.today() + timedelta(days=14)


def calendar_path(slug: str) -> str:
    end = START + timedelta(days=60)
    return f"/api/v1/properties/{slug}/calendar?start={START}&end={end}&adults=2"


def host_port(url: str) -> tuple[str, int]:
    name, port = url.removeprefix("http://").split(":")
    return name, int(port)


async def cold_pass(url: str, slugs: list[str]) -> dict[str, float]:
    """Every property of ``slugs`` asked once, CONNECTIONS at a time."""
    queue = list(slugs)
    latencies: list[float] = []
    began = time.perf_counter()

    async def worker() -> None:
        conn = Connection(*host_port(url))
        while queue:
            path = calendar_path(queue.pop())
            t = time.perf_counter()
            status, body = await conn.request("GET", path)
            assert status == 200, (status, body[:200])
            latencies.append((time.perf_counter() - t) * 1000)

    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    elapsed = time.perf_counter() - began
    return {
        "rps": len(slugs) / elapsed,
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
    }


def random_paths_script(folder: Path, slugs: list[str]) -> Path:
    """A wrk Lua script that asks a random property of ``slugs`` on every request."""
    paths = ",\n".join(json.dumps(calendar_path(s)) for s in slugs)
    script = folder / "working_set.lua"
    script.write_text(
        f"local paths = {{\n{paths}\n}}\n"
        "request = function()\n"
        "  return wrk.format('GET', paths[math.random(#paths)])\n"
        "end\n"
    )
    return script


async def hot_probes(url: str, count: int) -> dict[str, dict[str, float]]:
    """Calendar, quote and hold (released at once) of the hot guesthouse, one at a time."""
    conn = Connection(*host_port(url))
    taken: dict[str, list[float]] = {"calendar": [], "quote": [], "hold": []}
    first = START + timedelta(days=120)
    for n in range(count + 10):
        body = stay("double-sea-view", first + timedelta(days=n % 40), 2, 2)
        session = {"X-Innkeep-Session": f"hot-guest-{n:06d}"}
        steps = [
            ("calendar", "GET", calendar_path("hot"), b""),
            ("quote", "POST", "/api/v1/properties/hot/quotes", body),
            ("hold", "POST", "/api/v1/properties/hot/holds", body),
        ]
        for name, method, path, payload in steps:
            t = time.perf_counter()
            status, answer = await conn.request(method, path, payload, session)
            elapsed = (time.perf_counter() - t) * 1000
            assert status in (200, 201), (name, status, answer[:300])
            if n >= 10:  # the first ones warm the worker up
                taken[name].append(elapsed)
        held = json.loads(answer)
        await conn.request(
            "DELETE", f"/api/v1/holds/{held['id']}", b"", {"X-Hold-Token": held["token"]}
        )
    return {
        name: {"p50": percentile(v, 0.5), "p99": percentile(v, 0.99)} for name, v in taken.items()
    }


async def neighbours(url: str, slugs: list[str], rate: float, stop: asyncio.Event) -> int:
    """Calendars of random working-set properties at ``rate`` a second (open loop) until
    ``stop``; how many were asked."""
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(CONNECTIONS):
        idle.put_nowait(Connection(*host_port(url)))
    sent = 0

    async def one(conn: Connection) -> None:
        try:
            await conn.request("GET", calendar_path(random.choice(slugs)))
        finally:
            idle.put_nowait(conn)

    tasks = set()
    began = time.perf_counter()
    while not stop.is_set():
        due = began + sent / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        conn = await idle.get()
        task = asyncio.create_task(one(conn))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        sent += 1
    await asyncio.gather(*tasks)
    return sent


async def hot_under_load(url: str, slugs: list[str], rate: float) -> dict[str, Any]:
    stop = asyncio.Event()
    load = asyncio.create_task(neighbours(url, slugs, rate, stop))
    began = time.perf_counter()
    try:
        probes = await hot_probes(url, PROBES)
    finally:
        stop.set()
    sent = await load
    return {"probes": probes, "neighbour_rps": sent / (time.perf_counter() - began)}


ROOMS = (("double-sea-view", 2), ("family-suite", 3), ("garden-single", 1))


def hot_stay(rng: random.Random) -> bytes:
    room, adults = rng.choice(ROOMS)
    check_in = START + timedelta(days=rng.randrange(30, 300))
    return stay(room, check_in, 3, adults)  # three nights: no minimum stay in the way


async def throughput(url: str, kind: str, seconds: float) -> dict[str, float]:
    """Quotes or holds (each released) of the hot guesthouse, 8 at a time: per second."""
    done: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def client(n: int) -> None:
        conn, rng = Connection(*host_port(url), f"2001:db8:77:{n:x}::1"), random.Random(n)
        while time.perf_counter() < deadline:
            path = f"/api/v1/properties/hot/{kind}"
            status, answer = await conn.request("POST", path, hot_stay(rng))
            done[status] = done.get(status, 0) + 1
            if status == 201:
                held = json.loads(answer)
                token = {"X-Hold-Token": held["token"]}
                await conn.request("DELETE", f"/api/v1/holds/{held['id']}", b"", token)

    await asyncio.gather(*(client(n) for n in range(8)))
    return {"per_s": sum(done.values()) / seconds, "statuses": done}  # type: ignore[dict-item]


def counts(database_url: str, redis_url: str) -> dict[str, int]:
    """Postgres's and Redis's running totals (Postgres's settled first: see STATS_SETTLE)."""
    time.sleep(STATS_SETTLE_SECONDS)
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted,"
            " pg_current_wal_lsn() - '0/0'::pg_lsn"
            " FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    stats = redis.Redis.from_url(redis_url).info("commandstats")
    calls = sum(int(v["calls"]) for k, v in stats.items() if k != "cmdstat_info")
    return {"commits": row[0], "rows_written": row[1], "wal_bytes": int(row[2]), "redis": calls}


async def holds_made(url: str, count: int) -> None:
    conn, rng = Connection(*host_port(url), "2001:db8:78::1"), random.Random(7)
    for n in range(count):
        status, answer = await conn.request(
            "POST", "/api/v1/properties/hot/holds", hot_stay(rng), {"X-Innkeep-Session": f"c{n}"}
        )
        if status == 201:
            held = json.loads(answer)
            await conn.request(
                "DELETE", f"/api/v1/holds/{held['id']}", b"", {"X-Hold-Token": held["token"]}
            )


async def bookings_made(url: str, count: int) -> int:
    """Guests who hold, pay (demo provider) and confirm, one after another; how many booked."""
    conn, booked = Connection(*host_port(url), "2001:db8:79::1"), 0
    first = START + timedelta(days=320)
    for n in range(count):
        room, adults = ROOMS[n % 3]
        body = stay(room, first + timedelta(days=3 * (n // 3)), 2, adults)
        session = {"X-Innkeep-Session": f"booker-{n}"}
        status, answer = await conn.request("POST", "/api/v1/properties/hot/holds", body, session)
        if status != 201:
            continue
        held = json.loads(answer)
        token = {**session, "X-Hold-Token": held["token"]}
        path = f"/api/v1/holds/{held['id']}"
        paying = json.dumps(GUEST).encode()
        status, _ = await conn.request("POST", path + "/checkout", paying, token)
        status, _ = await conn.request("POST", path + "/confirm", b"{}", token)
        booked += status == 200
    return booked


def cost_of(database_url: str, redis_url: str, url: str, what: str) -> dict[str, float]:
    """Per hold (made and released) or per booking: Redis commands and Postgres writes."""
    before = counts(database_url, redis_url)
    if what == "hold":
        asyncio.run(holds_made(url, BOOKINGS))
        done = BOOKINGS
    else:
        done = asyncio.run(bookings_made(url, BOOKINGS))
    after = counts(database_url, redis_url)
    return {k: round((after[k] - before[k]) / max(done, 1), 1) for k in before} | {"n": done}


def worker_rss_mb(host: Running) -> list[float]:
    parent = psutil.Process(host.process.pid)
    workers = parent.children(recursive=True) or [parent]
    return [round(p.memory_info().rss / 2**20, 1) for p in workers if "python" in p.name()]


def redis_keys(redis_url: str) -> dict[str, int]:
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(count=1000))
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.ttl(key)
    ttls = pipe.execute()
    tags = {k.split(b"}")[0] for k in keys if b"{p:" in k}
    return {
        "keys": len(keys),
        "keys_without_expiry": sum(1 for t in ttls if t == -1),
        "properties_with_keys": len(tags),
    }


def apply_seconds(database_url: str) -> float:
    """``property apply`` of one guesthouse's file with a price changed: the median of five."""
    taken = []
    with psycopg.connect(database_url) as conn:
        for n in range(5):
            price = f"base_price = {141 + n}.00"
            spec = parse_property(guesthouse_file().replace("base_price = 140.00", price, 1))
            began = time.perf_counter()
            apply_property(conn, spec)
            taken.append(time.perf_counter() - began)
    return percentile(taken, 0.5)


def measure(
    env: dict[str, str], cores: set[int], client_core: int, slugs: list[str], folder: Path
) -> dict[str, Any]:
    launch = Launch(env, cores=frozenset(cores))
    database_url, redis_url = env["INNKEEP_DATABASE_URL"], env["INNKEEP_REDIS_URL"]
    with innkeep_serve(launch, workers=len(cores)) as host:
        cold = asyncio.run(cold_pass(host.url, slugs))
        script = random_paths_script(folder, slugs)
        hello = wrk(host.url + "/healthz", client_core)
        warm = wrk(host.url, client_core, str(script))
        alone = asyncio.run(hot_probes(host.url, PROBES))
        loaded = asyncio.run(hot_under_load(host.url, slugs, warm["rps"] / 2))
        per_s = {
            kind: asyncio.run(throughput(host.url, kind, THROUGHPUT_SECONDS))
            for kind in ("quotes", "holds")
        }
        cost = {w: cost_of(database_url, redis_url, host.url, w) for w in ("hold", "booking")}
        rss = worker_rss_mb(host)
    return {
        "cold": cold,
        "warm": warm,
        "hello": hello,
        "alone": alone,
        "loaded": loaded,
        "throughput": per_s,
        "cost": cost,
        "rss_mb": rss,
    }


@contextlib.contextmanager
def deployment(server_cores: set[int]) -> Iterator[tuple[str, str, Path]]:
    folder = Path(tempfile.mkdtemp(prefix="innkeep-tenancy-"))
    services = EmbeddedServices(folder / "data")
    client_cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, server_cores)  # Postgres and Valkey inherit it
    try:
        database_url, redis_url = services.start()
        os.sched_setaffinity(0, client_cores)
        migrate(database_url)
        with psycopg.connect(database_url) as conn:
            apply_property(conn, parse_property(guesthouse_file()))
        yield database_url, redis_url, folder
    finally:
        os.sched_setaffinity(0, client_cores)
        services.stop()
        shutil.rmtree(folder, ignore_errors=True)


def one_size(size: int, urls: tuple[str, str, Path], cores: tuple[set[int], int]) -> dict[str, Any]:
    database_url, redis_url, folder = urls
    server_cores, client_core = cores
    began = time.perf_counter()
    with psycopg.connect(database_url) as conn:
        written = grow(conn, "hot", size, BOOKED_SHARE)
        slugs = [r[0] for r in conn.execute("SELECT slug FROM property WHERE slug <> 'hot'")]
        reservations = conn.execute("SELECT count(*) FROM reservation").fetchone()
    loaded_in = time.perf_counter() - began
    working = random.Random(size).sample(slugs, min(WORKING_SET, len(slugs)))
    redis.Redis.from_url(redis_url).flushall()
    env = {
        **os.environ,
        "INNKEEP_DATABASE_URL": database_url,
        "INNKEEP_REDIS_URL": redis_url,
        "INNKEEP_ENV": "test",
        **LOAD_ENV,
    }
    figures = measure(env, server_cores, client_core, working, folder)
    figures |= {
        "properties": size,
        "working_set": len(working),
        "reservations": int(reservations[0]) if reservations else 0,
        "written": written,
        "load_seconds": round(loaded_in, 1),
        "redis": redis_keys(redis_url),
        "apply_seconds": round(apply_seconds(database_url), 3),
    }
    return figures


def report(f: dict[str, Any]) -> None:
    ms = lambda d: f"p50 {d['p50']:.1f} / p99 {d['p99']:.1f} ms"  # noqa: E731
    ratio = f["warm"]["rps"] / f["hello"]["rps"]
    print(
        f"\n{f['properties']:,} properties ({f['reservations']:,} reservations; loaded in "
        f"{f['load_seconds']} s), working set {f['working_set']}"
    )
    print(f"  calendar cold   {f['cold']['rps']:8.0f} req/s  {ms(f['cold'])}")
    print(f"  calendar warm   {f['warm']['rps']:8.0f} req/s  {ms(f['warm'])}")
    print(f"  /healthz        {f['hello']['rps']:8.0f} req/s  {ms(f['hello'])}")
    cold = f["cold"]["rps"] / f["hello"]["rps"]
    print(f"  ratio warm/healthz {ratio:.2f} (target ≥ 0.3); cold/healthz {cold:.2f}")
    for name in ("calendar", "quote", "hold"):
        alone, loaded = f["alone"][name], f["loaded"]["probes"][name]
        print(
            f"  hot {name:8} alone {ms(alone)}; beside {f['loaded']['neighbour_rps']:.0f} "
            f"calendars/s of others {ms(loaded)} (p99 × {loaded['p99'] / alone['p99']:.1f})"
        )
    for kind, got in f["throughput"].items():
        print(f"  hot {kind}, 8 at a time: {got['per_s']:.0f}/s {got['statuses']}")
    for what, cost in f["cost"].items():
        print(f"  one {what}: {cost}")
    print(f"  worker RSS {f['rss_mb']} MB (target ≤ 300); Redis {f['redis']}")
    print(f"  property apply of one guesthouse: {f['apply_seconds'] * 1000:.0f} ms")


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("bench/tenancy.py needs wrk (Debian: apt-get install wrk)")
    cores = sorted(os.sched_getaffinity(0))
    client_core, server_cores = cores[-1], set(cores[:-1]) or {cores[0]}
    results = []
    with deployment(server_cores) as urls:
        for size in STEPS:
            results.append(one_size(size, urls, (server_cores, client_core)))
            report(results[-1])
    print(machine(), f"; load average {os.getloadavg()}")
    print(json.dumps(results, default=str))


if __name__ == "__main__":
    main()
