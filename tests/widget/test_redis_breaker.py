"""The Redis circuit breaker: after failures in a row on the hot path the service stops
calling Redis for a short, jittered rest (Postgres keeps every stay right meanwhile), says so
in /metrics and /readyz, and closes again by itself once Redis answers."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import msgspec
import psycopg
import pytest
import redis
from litestar.testing import AsyncTestClient
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.helpers import DEMO_TOML, counter, with_hold_share
from tests.redis_cluster import BIN
from widget.app import create_app, services_of
from widget.metrics import Metrics
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings
from widget.shared_redis import REST_JITTER, REST_SECONDS, TRIP_AFTER, RedisWatch
from widget.testing.stack import free_port

TOKEN = "breaker-metrics-token"
READ = {"Authorization": f"Bearer {TOKEN}"}
REFUSED = RedisConnectionError("Connection refused")


def test_failures_in_a_row_open_the_breaker_for_a_jittered_rest_and_a_success_closes_it() -> None:
    now = [100.0]
    metrics = Metrics()
    watch = RedisWatch(metrics, clock=lambda: now[0], jitter=lambda: 1.0)
    for _ in range(TRIP_AFTER - 1):
        assert watch.may_call("gate.acquire")
        watch.failed("gate.acquire", REFUSED)
    watch.succeeded()  # a success in between: the count starts again
    for _ in range(TRIP_AFTER - 1):
        watch.failed("calendar.get", REFUSED)
    assert watch.may_call("calendar.get") and watch.breaker() is None
    watch.failed("calendar.get", REFUSED)  # the last of TRIP_AFTER in a row
    assert not watch.may_call("calendar.get") and not watch.may_call("gate.acquire")
    assert "circuit breaker open" in (watch.breaker() or "")
    now[0] += REST_SECONDS * (1 + REST_JITTER) - 0.01  # the longest rest (jitter 1.0)
    assert not watch.may_call("quotas.charge")
    now[0] += 0.02
    assert watch.may_call("quotas.charge")  # one trial call...
    assert not watch.may_call("quotas.charge")  # ...at a time
    watch.failed("quotas.charge", REFUSED)  # the trial failed: rest again at once
    assert not watch.may_call("calendar.set")
    now[0] += REST_SECONDS * (1 + REST_JITTER) + 0.01
    assert watch.may_call("calendar.set")
    watch.succeeded()  # Redis answers: closed, by itself
    assert all(watch.may_call("gate.release") for _ in range(10))
    assert watch.breaker() is None
    text = metrics.exposition().decode()
    assert counter(text, "innkeep_redis_breaker_trips_total") == 1  # one outage, one trip
    assert counter(text, "innkeep_redis_skipped_total") == 5
    assert counter(text, "innkeep_redis_breaker_open") == 0


def test_a_readiness_probe_that_finds_redis_closes_a_breaker_whose_rest_is_over() -> None:
    """An idle worker gets no hot-path call to try Redis with: /readyz (which the load
    balancer asks anyway) must not say "open" for ever."""
    now = [0.0]
    metrics = Metrics()
    watch = RedisWatch(metrics, clock=lambda: now[0], jitter=lambda: 0.0)
    for _ in range(TRIP_AFTER):
        watch.failed("calendar.get", REFUSED)
    watch.probe_answered()  # still resting: a probe does not cut the rest short
    assert watch.breaker() is not None
    now[0] += REST_SECONDS
    watch.probe_answered()
    assert watch.breaker() is None and watch.may_call("calendar.get")
    assert counter(metrics.exposition().decode(), "innkeep_redis_breaker_open") == 0


def test_the_rest_is_jittered_so_workers_do_not_all_try_again_at_once() -> None:
    rests = []
    for jitter in (0.0, 0.5, 1.0):
        now = [0.0]
        watch = RedisWatch(Metrics(), clock=lambda now=now: now[0], jitter=lambda j=jitter: j)
        for _ in range(TRIP_AFTER):
            watch.failed("gate.acquire", REFUSED)
        while not watch.may_call("gate.acquire"):
            now[0] += 0.05
        rests.append(round(now[0], 1))
    assert rests[0] == pytest.approx(REST_SECONDS, abs=0.06)
    assert rests[0] < rests[1] < rests[2]
    assert rests[2] == pytest.approx(REST_SECONDS * (1 + REST_JITTER), abs=0.06)


@dataclass
class LoneValkey:
    """A real Valkey server of this test's own, which the test stops and starts again."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(BIN / "valkey-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_timeout=1).ping()
                return
            except redis.exceptions.ConnectionError:
                assert time.monotonic() < deadline, "valkey did not start"
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=1)


@pytest.fixture
def lone_valkey(tmp_path: Path) -> Iterator[LoneValkey]:
    server = LoneValkey(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _calendar(n: int) -> dict[str, str]:
    """A calendar question no recent request asked (so the worker's memory cannot answer),
    always inside the property's booking horizon."""
    start = date.today() + timedelta(days=30 + n % 600)
    return {"start": str(start), "end": str(start + timedelta(days=3))}


def _stay(room_type: str = "garden-single") -> dict[str, object]:
    check_in = date.today() + timedelta(days=200)
    return {
        "room_type": room_type,
        "check_in": str(check_in),
        "check_out": str(check_in + timedelta(days=2)),
        "adults": 1,
    }


async def test_a_fault_of_the_redis_client_itself_fails_no_hold_and_no_release(
    quiet_settings: Settings, database_url: str, clean: None
) -> None:
    """Mid-failover the cluster client can raise what is not a Redis error (redis-py #3835:
    an AttributeError from a slot map that names no node). Postgres decides every stay, so a
    hold still goes through, and a release that committed says so rather than 500."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        apply_property(conn, parse_property(with_hold_share(DEMO_TOML, 1000)))
    settings = msgspec.structs.replace(quiet_settings, metrics_token=TOKEN)
    async with AsyncTestClient(app=create_app(settings)) as client:
        held = await client.post("/api/v1/properties/demo/holds", json=_stay())
        assert held.status_code == 201, held.text
        gate = services_of(client.app).holds.gate

        async def stale_slot_map(*args: object, **kwargs: object) -> object:
            raise AttributeError("'NoneType' object has no attribute 'name'")

        gate._acquire_first = gate._release = stale_slot_map
        other = await client.post("/api/v1/properties/demo/holds", json=_stay("family-suite"))
        assert other.status_code == 201, other.text
        hold = held.json()
        released = await client.delete(
            f"/api/v1/holds/{hold['id']}", headers={"X-Hold-Token": hold["token"]}
        )
        assert released.status_code == 200, released.text
        metrics = (await client.get("/metrics", headers=READ)).text
        assert counter(metrics, "innkeep_redis_errors_total") == 2  # counted, as Redis away is
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT status FROM reservation WHERE id = %s", (hold["id"],)).fetchone()
    assert row is not None and row[0] != "held"


@pytest.mark.redis_away
async def test_redis_going_away_trips_the_breaker_and_its_return_closes_it(
    quiet_settings: Settings, database_url: str, clean: None, lone_valkey: LoneValkey
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        apply_property(conn, parse_property(with_hold_share(DEMO_TOML, 1000)))
    settings = msgspec.structs.replace(
        quiet_settings, redis_url=lone_valkey.url, redis_cluster=False, metrics_token=TOKEN
    )
    calendar = "/api/v1/properties/demo/calendar"
    async with AsyncTestClient(app=create_app(settings)) as client:

        async def metric(name: str) -> float:
            return counter((await client.get("/metrics", headers=READ)).text, name)

        asked = 0

        async def ask_calendar() -> None:
            nonlocal asked
            asked += 1
            assert (await client.get(calendar, params=_calendar(asked))).status_code == 200

        await ask_calendar()
        assert await metric("innkeep_redis_errors_total") == 0

        lone_valkey.stop()
        while await metric("innkeep_redis_breaker_open") == 0:  # two failures per calendar
            await ask_calendar()
            assert asked < 10, "the breaker never opened"
        assert await metric("innkeep_redis_errors_total") == TRIP_AFTER
        assert await metric("innkeep_redis_breaker_trips_total") == 1
        ready = (await client.get("/readyz")).json()
        assert ready["status"] == "ready" and ready["redis"] == "degraded"
        assert "circuit breaker open" in ready["redis_reason"]

        # While it rests, Redis is not called at all, and Postgres keeps every stay right.
        for _ in range(4):
            await ask_calendar()
        first = await client.post(
            "/api/v1/properties/demo/holds",
            json=_stay(),
            headers={"X-Innkeep-Session": "guest-one"},
        )
        second = await client.post(
            "/api/v1/properties/demo/holds",
            json=_stay(),
            headers={"X-Innkeep-Session": "guest-two"},
        )
        assert (first.status_code, second.status_code) == (201, 409)
        # At most one trial call can have fallen in that time (a rest lasts two seconds).
        assert await metric("innkeep_redis_errors_total") <= TRIP_AFTER + 1
        assert await metric("innkeep_redis_skipped_total") >= 8

        lone_valkey.start()
        deadline = time.monotonic() + 4 * REST_SECONDS * (1 + REST_JITTER)
        while await metric("innkeep_redis_breaker_open") == 1:  # no one closes it but itself
            assert time.monotonic() < deadline, "the breaker did not close by itself"
            await ask_calendar()
            await asyncio.sleep(0.05)  # a guest now and then, not a spin
        assert await metric("innkeep_redis_breaker_trips_total") == 1
        errors = await metric("innkeep_redis_errors_total")
        third = await client.post(
            "/api/v1/properties/demo/holds",
            json=_stay("family-suite"),
            headers={"X-Innkeep-Session": "guest-three"},
        )
        assert third.status_code == 201
        assert lone_valkey.client().keys("*:gate:*"), "the hold went through Redis's gate again"
        assert await metric("innkeep_redis_errors_total") == errors
        assert "circuit breaker" not in (
            (await client.get("/readyz")).json().get("redis_reason") or ""
        )


@pytest.mark.redis_away
async def test_a_worker_no_guest_calls_closes_its_breaker_by_itself_when_redis_is_back(
    quiet_settings: Settings, database_url: str, clean: None, lone_valkey: LoneValkey
) -> None:
    """With several workers, the one that got no request since the outage must not keep
    saying "open" (in /metrics, summed over workers) nor make its next guest pay the trial."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        apply_property(conn, parse_property(DEMO_TOML))
    settings = msgspec.structs.replace(
        quiet_settings, redis_url=lone_valkey.url, redis_cluster=False, metrics_token=TOKEN
    )
    async with AsyncTestClient(app=create_app(settings)) as client:

        async def metric(name: str) -> float:
            return counter((await client.get("/metrics", headers=READ)).text, name)

        lone_valkey.stop()
        for n in range(10):
            if await metric("innkeep_redis_breaker_open") == 1:
                break
            calendar = await client.get("/api/v1/properties/demo/calendar", params=_calendar(n))
            assert calendar.status_code == 200
        else:
            pytest.fail("the breaker never opened")
        skipped = await metric("innkeep_redis_skipped_total")
        lone_valkey.start()
        # No guest from here on: only /metrics, which calls no Redis.
        deadline = time.monotonic() + 2 * REST_SECONDS * (1 + REST_JITTER) + 2
        while await metric("innkeep_redis_breaker_open") == 1:
            assert time.monotonic() < deadline, "the idle worker's breaker stayed open"
            await asyncio.sleep(0.1)
        assert await metric("innkeep_redis_breaker_trips_total") == 1
        assert await metric("innkeep_redis_skipped_total") == skipped  # no guest paid for it


def test_with_a_cluster_each_node_has_its_own_breaker() -> None:
    """A dead primary rests only the keys it serves; the others keep the fast path, and
    /readyz and /metrics name the resting node."""
    now = [0.0]
    metrics = Metrics()
    watch = RedisWatch(
        metrics, clock=lambda: now[0], jitter=lambda: 0.0, node_of=lambda key: key.split("/")[0]
    )
    for _ in range(TRIP_AFTER):
        watch.failed("gate.acquire", REFUSED, "10.0.0.1:7001/{p:1}")
    assert not watch.may_call("gate.acquire", "10.0.0.1:7001/{p:7}")
    assert watch.may_call("gate.acquire", "10.0.0.2:7002/{p:2}")
    watch.succeeded("10.0.0.2:7002/{p:2}")  # a healthy node's answer closes nothing else
    assert not watch.may_call("calendar.get", "10.0.0.1:7001/{p:1}")
    said = watch.breaker() or ""
    assert "node 10.0.0.1:7001" in said and "7002" not in said
    text = metrics.exposition().decode()
    assert counter(text, "innkeep_redis_node_resting", node="10.0.0.1:7001") == 1
    assert counter(text, "innkeep_redis_node_resting", node="10.0.0.2:7002") == 0
    assert counter(text, "innkeep_redis_breaker_open") == 1
    watch.forget("10.0.0.1:7001")  # its replica took its slots over: nothing calls it now
    assert watch.breaker() is None and watch.resting() == {}
    text = metrics.exposition().decode()
    assert counter(text, "innkeep_redis_node_resting", node="10.0.0.1:7001") == 0
    assert counter(text, "innkeep_redis_breaker_open") == 0
