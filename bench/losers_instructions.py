"""Instructions per request, counted by callgrind: the one figure this shared machine cannot
blur. Wall-clock latency and even CPU time move by ±10-15 % from run to run here (other
tenants, the cache, the clock); the instructions one worker executes for the same request
move by about 1 %, so a change worth 3 % can be seen in a single run.

What it counts: the app's workers (``BENCH_WORKERS``, 2, as `bench/holds.py` runs them),
in one process, each with its own pool, memories and listener, driven through their ASGI
interface as uvicorn would (no sockets: uvicorn's own share is not counted), requests
dealt to them in turn; real Postgres and Valkey run in their own processes (not counted
either: they are not under valgrind). Per request, after warm-up:

- ``/healthz``, the cheapest answer (the floor of every figure below);
- a losing hold, one at a time (the room is taken: refused from memory), one room and a
  two-room group;
- a winning hold, one at a time, one room and a two-room group;
- a race: 100 guests at once for one unit-night (one winner), and 100 guests at once for
  overlapping two-room groups (at most three winners); per request, the round's whole
  count over its 100 requests, winners included, as the core pays for them.

The demo guesthouse has ``BENCH_STAYS`` (300) bookings ahead, as over a season: every
change makes a worker read them all again. Every figure is also given as a ratio to
``/healthz`` in the same run. Needs valgrind
(Debian: ``apt-get install valgrind``); it runs itself under it.

    .venv/bin/python bench/losers_instructions.py
    # BENCH_REQUESTS=40 BENCH_ROUNDS=4 BENCH_STAYS=300

JSON figures on the last line.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
from holds import PAIRS, group, monday, stay
from stack import EmbeddedServices, demo_for_load, machine

UNDER = "BENCH_UNDER_CALLGRIND"
HOLDS = "/api/v1/properties/demo/holds"
Headers = tuple[tuple[bytes, bytes], ...]


def main() -> None:
    if os.environ.get(UNDER):
        asyncio.run(counted(Path(os.environ[UNDER])))
        return
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        sys.exit("valgrind is needed (Debian: apt-get install valgrind)")
    out = Path(tempfile.mkdtemp(prefix="innkeep-callgrind-"))
    try:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",  # only the stretches this script switches on are counted
            f"--callgrind-out-file={out / 'count'}",
            f"--log-file={out / 'valgrind.log'}",
            sys.executable,
            __file__,
        ]
        env = {**os.environ, UNDER: str(out)}
        finished = subprocess.run(command, env=env, check=False)
        sys.exit(finished.returncode)
    finally:
        shutil.rmtree(out, ignore_errors=True)


class Counter:
    """Switches callgrind's counting on and off for this process, and reads the count."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.pid = str(os.getpid())

    def _control(self, *args: str) -> None:
        subprocess.run(["callgrind_control", *args, self.pid], check=True, capture_output=True)

    async def count(self, work: Callable[[], Awaitable[None]]) -> int:
        """Instructions this process executed for ``work``."""
        self._control("--zero")
        self._control("--instr=on")
        await work()
        self._control("--instr=off")
        before = set(self.out.glob("count*"))
        self._control("--dump")
        dumps = set(self.out.glob("count*")) - before
        total = 0
        for dump in dumps:
            for line in dump.read_text().splitlines():
                if line.startswith(("summary:", "totals:")):
                    total = max(total, int(line.split()[1]))
            dump.unlink()
        return total


async def ask(app: Any, method: str, path: str, body: bytes = b"", headers: Headers = ()) -> int:
    """One request through the app's ASGI interface, as uvicorn hands it over; its status."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-length", str(len(body)).encode()),
            (b"content-type", b"application/json"),
            *headers,
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client stays until the answer is sent
        raise AssertionError("unreachable")

    status: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


class Workers:
    """The workers, each request dealt to the next in turn (as the kernel deals out the
    connections of a shared socket)."""

    def __init__(self, apps: list[Any]) -> None:
        self._apps = itertools.cycle(apps)

    async def ask(self, method: str, path: str, body: bytes = b"", headers: Headers = ()) -> int:
        return await ask(next(self._apps), method, path, body, headers)


GUESTS = itertools.count(1)


def guest(tag: str, n: int) -> Headers:
    """A guest of its own: session and address (the deployment trusts 127.0.0.1 as proxy)."""
    number = next(GUESTS)
    return (
        (b"x-innkeep-session", f"{tag}-{n}".encode()),
        (b"x-forwarded-for", f"2001:db8:{number >> 16:x}:{number & 0xFFFF:x}::1".encode()),
    )


def one_night(room_type: str, night: date) -> bytes:
    return stay(room_type, night, 1)


async def counted(out: Path) -> None:
    data = Path(tempfile.mkdtemp(prefix="innkeep-bench-"))
    services = EmbeddedServices(data)
    database_url, redis_url = services.start()
    try:
        demo_for_load(database_url)
        with psycopg.connect(database_url) as conn:
            fill_with_bookings(conn, int(os.environ.get("BENCH_STAYS", "300")))
        os.environ.update(
            {
                "INNKEEP_DATABASE_URL": database_url,
                "INNKEEP_REDIS_URL": redis_url,
                "INNKEEP_ENV": "test",
                "INNKEEP_TRUSTED_PROXIES": "127.0.0.1/32",
                "INNKEEP_HOLDS_PER_ADDRESS": "1000000",
                "INNKEEP_HOLD_ATTEMPTS_PER_MINUTE": "1000000",
                "INNKEEP_HOLDS_PER_SESSION": "1000000",
            }
        )
        import widget.shared_redis
        from widget.app import create_app_from_env

        # Under valgrind everything runs about 50 times slower: Redis's quarter of a second
        # would pass for an outage, and the requests would take the path without Redis.
        widget.shared_redis.TIMEOUT_SECONDS = 10.0
        # As each worker builds it (its garbage collector set up too).
        apps = [create_app_from_env() for _ in range(int(os.environ.get("BENCH_WORKERS", "2")))]
        async with contextlib.AsyncExitStack() as running:
            for app in apps:
                await running.enter_async_context(serving(app))
            figures = await measure(Workers(apps), Counter(out))
    finally:
        services.stop()
        shutil.rmtree(data, ignore_errors=True)
    floor = figures["healthz"]
    print(f"{machine()}; {len(apps)} workers in process, instructions per request (callgrind)")
    for name, value in figures.items():
        print(f"{name:>22}: {value / 1000:8.0f}k  ({value / floor:5.2f} × /healthz)")
    print(json.dumps({name: round(value) for name, value in figures.items()}))


def fill_with_bookings(conn: psycopg.Connection[Any], stays: int) -> None:
    """``stays`` one-night bookings spread over the demo's units, every other night from a
    month ahead (before the nights the races use): what a worker reads again after every
    change grows with them, as it does over a season and over `bench/holds.py`'s runs."""
    conn.execute(
        """INSERT INTO reservation (property_id, unit_id, stay, status)
           SELECT u.property_id, u.id,
                  daterange(current_date + 30 + 2 * (n / units.count),
                            current_date + 31 + 2 * (n / units.count)),
                  'confirmed'
           FROM generate_series(0, %(stays)s - 1) AS n,
                (SELECT count(*)::int AS count FROM unit) AS units,
                LATERAL (SELECT * FROM unit ORDER BY id OFFSET n %% units.count LIMIT 1) AS u""",
        {"stays": stays},
    )
    conn.commit()


@contextlib.asynccontextmanager
async def serving(app: Any) -> Any:
    """The app's lifespan (pool, listener, jobs) around the measurements."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.create_task(app(scope, inbox.get, outbox.put))
    started = await outbox.get()
    assert started["type"] == "lifespan.startup.complete", started
    await asyncio.sleep(2.0)  # the listener connects: only then is anything remembered
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await task


async def measure(workers: Workers, counter: Counter) -> dict[str, float]:
    requests = int(os.environ.get("BENCH_REQUESTS", "40"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "4"))
    taken, taken_group = monday(290), monday(480)
    one = one_night("garden-single", taken)
    pair = group(PAIRS[0], taken_group)
    assert await workers.ask("POST", HOLDS, one, guest("first", 0)) == 201
    assert await workers.ask("POST", HOLDS, pair, guest("first", 1)) == 201

    async def repeated(method: str, path: str, body: bytes, status: int) -> float:
        async def work() -> None:
            for _ in range(requests):
                assert await workers.ask(method, path, body) == status

        await work()  # warm: the first of a kind fills memories and caches
        return await counter.count(work) / requests

    figures: dict[str, float] = {}
    figures["healthz"] = await repeated("GET", "/healthz", b"", 200)
    figures["loser, one room"] = await repeated("POST", HOLDS, one, 409)
    figures["loser, group of two"] = await repeated("POST", HOLDS, pair, 409)

    nights = iter(range(1000))

    def night(first: date) -> date:
        n = next(nights)  # Monday to Thursday nights: no weekend minimum stay
        return first + timedelta(days=7 * (1 + n // 4) + n % 4)

    async def wins(make: Callable[[date], bytes], first: date) -> float:
        counts = []
        for n in range(rounds + 1):
            body = make(night(first))

            async def work(body: bytes = body, n: int = n) -> None:
                assert await workers.ask("POST", HOLDS, body, guest("winner", n)) == 201

            counts.append(await counter.count(work))
        return statistics.median(counts[1:])

    figures["winner, one room"] = await wins(lambda d: one_night("garden-single", d), taken)
    figures["winner, group of two"] = await wins(lambda d: group(PAIRS[0], d), taken_group)

    async def races(make: Callable[[date, int], bytes], first: date, tag: str) -> float:
        counts = []
        for round_ in range(rounds + 1):
            when = night(first)

            async def work(when: date = when, round_: int = round_) -> None:
                statuses = await asyncio.gather(
                    *(
                        workers.ask("POST", HOLDS, make(when, n), guest(f"{tag}{round_}", n))
                        for n in range(100)
                    )
                )
                assert set(statuses) <= {201, 409} and 201 in statuses, statuses

            counts.append(await counter.count(work) / 100)
        return statistics.median(counts[1:])  # the first round of a kind is a warm-up

    figures["race, one room"] = await races(
        lambda d, n: one_night("garden-single", d), taken, "race"
    )
    figures["race, groups of two"] = await races(
        lambda d, n: group(PAIRS[n % len(PAIRS)], d), taken_group, "groups"
    )
    return figures


if __name__ == "__main__":
    main()
