"""Two service hosts behind one PgBouncer (transaction mode) and one Redis: the load spread
over both, and one host killed in the middle of confirmations.

Starts a throw-away Postgres and Valkey, PgBouncer in front of Postgres (Debian's
``pgbouncer``), and two ``innkeep serve --workers 2`` with their own ports, sharing them
(``INNKEEP_DATABASE_POOLER=pgbouncer``, LISTEN on Postgres directly). Then:

1. 100 guests racing for one unit-night, the guests spread over both hosts, BENCH_ROUNDS
   rounds: exactly one winner per round, no overlap;
2. BENCH_ATTEMPTS hold attempts from 100 guests over both hosts: no overlap;
3. BENCH_BOOKINGS guests each hold, pay (the demo provider authorises) and confirm, half of
   them on each host; once half the payments are authorised, the first host is killed with
   SIGKILL (its supervisor and workers). Then the database's clock moves three hours on, the
   reconciler runs and the second host's sweeper expires what lapsed; afterwards there must
   be no captured payment without a booking, no booking without a captured payment, no
   authorisation left hanging and no hold left behind.

    .venv/bin/python bench/hosts.py [--cluster]   # BENCH_ROUNDS=100 BENCH_ATTEMPTS=10000
                                                  # BENCH_BOOKINGS=60

Without ``--cluster`` one Valkey serves both hosts; with it, a Valkey Cluster of three
primaries and three replicas (the suite's, `tests/redis_cluster.py`) on the servers' cores,
the hosts using the cluster client (``INNKEEP_REDIS_CLUSTER=1``, every node as a seed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psutil
import psycopg
from holds import LOAD_ENV, Connection, crowd, guest_address, monday, overlaps, racing, stay
from psycopg.rows import dict_row
from stack import ROOT, machine

sys.path.insert(0, str(ROOT))

from tests.redis_cluster import Cluster
from widget.local_servers import EmbeddedServices
from widget.migrate import migrate
from widget.paths import PROPERTIES_DIR
from widget.payments.demo_provider import DemoProvider
from widget.payments.reconcile import reconcile
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.testing.pooler import PgBouncer, pgbouncer_binary
from widget.testing.stack import Launch, Running, innkeep_serve

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


@contextlib.contextmanager
def two_hosts(server_cores: set[int], cluster: bool) -> Iterator[tuple[list[Running], str]]:
    """Two hosts sharing PgBouncer and Redis (a Valkey Cluster if ``cluster``); yields them
    and the direct database URL."""
    binary = pgbouncer_binary()
    if binary is None:
        sys.exit("bench/hosts.py needs pgbouncer (apt-get install pgbouncer)")
    data = Path(tempfile.mkdtemp(prefix="innkeep-hosts-"))
    services = EmbeddedServices(data)
    client_cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, server_cores)  # the servers inherit it
    bouncer = PgBouncer(data / "pgbouncer", "")
    nodes = Cluster(data / "cluster")
    try:
        database_url, redis_url = services.start()
        bouncer.postgres_url = database_url
        bouncer.start(binary)
        if cluster:
            nodes.start()
            redis_url = nodes.seeds
        os.sched_setaffinity(0, client_cores)
        migrate(database_url)
        with psycopg.connect(database_url) as conn:
            demo = (PROPERTIES_DIR / "demo.toml").read_text(encoding="utf-8")
            apply_property(
                conn, parse_property(demo.replace("share_percent = 25", "share_percent = 1000", 1))
            )
        env = {
            **os.environ,
            "INNKEEP_DATABASE_URL": bouncer.url("postgres"),
            "INNKEEP_DATABASE_POOLER": "pgbouncer",
            "INNKEEP_DATABASE_LISTEN_URL": database_url,
            "INNKEEP_REDIS_URL": redis_url,
            "INNKEEP_REDIS_CLUSTER": "1" if cluster else "",
            "INNKEEP_ENV": "test",
            **LOAD_ENV,
        }
        launch = Launch(env, cores=frozenset(server_cores))
        with innkeep_serve(launch, workers=2) as first, innkeep_serve(launch, workers=2) as second:
            yield [first, second], database_url
    finally:
        os.sched_setaffinity(0, client_cores)
        nodes.stop()
        bouncer.stop()
        services.stop()
        shutil.rmtree(data, ignore_errors=True)


def endpoint(host: Running) -> tuple[str, int]:
    name, port = host.url.removeprefix("http://").split(":")
    return name, int(port)


def redis_trouble(host: Running) -> dict[str, float]:
    """What the host's workers counted of Redis: failed calls, calls skipped by the breaker."""
    with urllib.request.urlopen(host.url + "/metrics", timeout=5) as answer:  # our own host
        text = answer.read().decode()
    wanted = ("innkeep_redis_errors_total", "innkeep_redis_skipped_total")
    totals = dict.fromkeys(wanted, 0.0)
    for line in text.splitlines():
        name = line.split("{")[0].split(" ")[0]
        if name in totals:
            totals[name] += float(line.rsplit(" ", 1)[1])
    return totals


def kill_host(host: Running) -> None:
    """SIGKILL to the host's supervisor and every worker: nothing gets to clean up."""
    parent = psutil.Process(host.process.pid)
    for process in [*parent.children(recursive=True), parent]:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    host.process.wait()


async def ask(
    conn: Connection, method: str, path: str, body: Any, headers: dict[str, str]
) -> tuple[int, Any]:
    """One request; 599 when the host is gone."""
    try:
        status, answer = await conn.request(method, path, json.dumps(body).encode(), headers)
    except (OSError, IndexError, asyncio.IncompleteReadError):
        return 599, None
    return status, json.loads(answer) if answer else None


async def bookings_with_a_host_killed(hosts: list[Running], guests: int) -> dict[str, int]:
    """Every guest holds, pays and confirms on its host; host 0 dies half-way."""
    endpoints = [endpoint(h) for h in hosts]
    authorised = 0
    half = asyncio.Event()
    outcome: dict[str, int] = {}
    first = monday(290)  # autumn: no summer minimum stay

    async def guest(n: int) -> None:
        nonlocal authorised
        conn = Connection(*endpoints[n % 2], guest_address(n, 7))
        session = {"X-Innkeep-Session": f"booking-guest-{n:04d}"}
        # Five guests a week, Monday to Wednesday, in the three doubles and two suites.
        check_in = first + timedelta(days=7 * (n // 5))
        body = json.loads(stay(["double-sea-view", "family-suite"][n % 2], check_in, 2, 1))
        status, hold = await ask(conn, "POST", "/api/v1/properties/demo/holds", body, session)
        steps = [f"hold {status}"]
        if status == 201:
            token = {"X-Hold-Token": hold["token"], **session}
            status, _ = await ask(
                conn, "POST", f"/api/v1/holds/{hold['id']}/checkout", GUEST, token
            )
            steps.append(f"checkout {status}")
            if status == 200:
                authorised += 1
                if authorised >= guests // 2:
                    half.set()
                await asyncio.sleep(0.05 * (n % 7))  # guests confirm at their own pace
                status, _ = await ask(
                    conn, "POST", f"/api/v1/holds/{hold['id']}/confirm", {}, token
                )
                steps.append(f"confirm {status}")
        key = ", ".join(steps)
        outcome[key] = outcome.get(key, 0) + 1

    async def killer() -> None:
        await half.wait()
        kill_host(hosts[0])

    await asyncio.gather(killer(), *(guest(n) for n in range(guests)))
    return outcome


async def settle_everything(database_url: str, survivor: Running) -> dict[str, int]:
    """Move the clock past every hold and quiet period, reconcile, let the sweeper run."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO clock_offset (shift) VALUES ('3 hours')")
    outcomes: dict[str, int] = {}
    async with await psycopg.AsyncConnection.connect(
        database_url, autocommit=True, row_factory=dict_row, prepare_threshold=None
    ) as conn:
        for _ in range(3):
            for result in (
                await reconcile(conn, DemoProvider(database_url), survivor.url)
            ).values():
                outcomes[result] = outcomes.get(result, 0) + 1
    deadline = time.monotonic() + 30
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute("SELECT count(*) FROM reservation WHERE status = 'held'").fetchone()
            if row == (0,):
                break
            await asyncio.sleep(0.2)
    return outcomes


def settled(database_url: str) -> dict[str, int]:
    """The invariant's counts (each must be 0 but ``bookings``)."""
    with psycopg.connect(database_url) as conn:
        one = lambda sql: int(conn.execute(sql).fetchone()[0])  # type: ignore[index]  # noqa: E731
        return {
            "bookings": one("SELECT count(*) FROM reservation WHERE status = 'confirmed'"),
            "captured_without_booking": one(
                """SELECT count(*) FROM demo_payment p WHERE p.status = 'succeeded' AND NOT EXISTS
                   (SELECT 1 FROM reservation r WHERE r.payment_ref = p.id
                    AND r.status = 'confirmed')"""
            ),
            "booking_without_capture": one(
                """SELECT count(*) FROM reservation r WHERE r.status = 'confirmed' AND NOT EXISTS
                   (SELECT 1 FROM demo_payment p WHERE p.id = r.payment_ref
                    AND p.status = 'succeeded')"""
            ),
            "authorisations_hanging": one(
                "SELECT count(*) FROM demo_payment WHERE status = 'requires_capture'"
            ),
            "holds_left": one("SELECT count(*) FROM reservation WHERE status = 'held'"),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cluster", action="store_true", help="a Valkey Cluster, not one Valkey")
    cluster = parser.parse_args().cluster
    cores = sorted(os.sched_getaffinity(0))
    client_core, server_cores = cores[-1], set(cores[:-1]) or {cores[0]}
    os.sched_setaffinity(0, {client_core})
    rounds = int(os.environ.get("BENCH_ROUNDS", "100"))
    attempts = int(os.environ.get("BENCH_ATTEMPTS", "10000"))
    bookings = int(os.environ.get("BENCH_BOOKINGS", "60"))
    with two_hosts(server_cores, cluster) as (hosts, database_url):
        endpoints = [endpoint(h) for h in hosts]
        race = asyncio.run(racing(endpoints, 100, rounds))
        race["overlaps"] = overlaps(database_url)
        load = asyncio.run(crowd(endpoints, 100, attempts))
        load["overlaps"] = overlaps(database_url)
        redis = [redis_trouble(host) for host in hosts]
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("UPDATE reservation SET status = 'cancelled' WHERE status = 'held'")
        journeys = asyncio.run(bookings_with_a_host_killed(hosts, bookings))
        reconciled = asyncio.run(settle_everything(database_url, hosts[1]))
        after = settled(database_url)
    print(machine())
    redis_kind = "a Valkey Cluster (3 primaries, 3 replicas)" if cluster else "one Valkey"
    print(f"two hosts (2 workers each) on cores {sorted(server_cores)}, PgBouncer, {redis_kind}")
    print(
        f"race, 100 guests over both hosts, {race['rounds']} rounds: "
        f"{race['rounds_with_exactly_one_winner']} with exactly one winner; losers p99 "
        f"{race['losers_p99_ms']:.1f} ms; overlaps {race['overlaps']}"
    )
    print(
        f"crowd: {load['attempts']} attempts, {load['granted']} held, "
        f"{load['attempts_per_s']}/s, p99 {load['p99_ms']:.1f} ms; overlaps {load['overlaps']}"
    )
    print(f"Redis trouble counted by each host during the race and the crowd: {redis}")
    print(f"{bookings} bookings, host 1 killed half-way: {journeys}")
    print(f"reconciler afterwards: {reconciled}; settled: {after}")
    print(
        json.dumps(
            {"race": race, "crowd": load, "redis": redis, "journeys": journeys, "settled": after}
        )
    )
    bad = {k: v for k, v in after.items() if k != "bookings" and v}
    if (
        race["overlaps"]
        or load["overlaps"]
        or bad
        or race["rounds_with_exactly_one_winner"] != rounds
    ):
        sys.exit(f"not settled: {bad}" if bad else "a double booking or a round without one winner")


if __name__ == "__main__":
    main()
