"""A primary of the cluster dies in the middle of a crowd of holds (``innkeep serve`` with two
workers): its replica takes over, no two stays overlap, nothing answers 5xx once the cluster
has had its node time-out and two seconds more, and the fast path comes back by itself."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, NamedTuple

import httpx
import psycopg
import pytest

from tests.cluster.conftest import ARRIVAL, Placed, place
from tests.helpers import counter, flush_redis
from tests.race.conftest import overlaps, racing_service
from tests.redis_cluster import NODE_TIMEOUT_MS, Cluster, tag_on_each_primary
from widget.testing.stack import Running

NODE_TIMEOUT = NODE_TIMEOUT_MS / 1000
#: After this long past the kill, every answer must be a real one (the issue's bound).
SETTLED = NODE_TIMEOUT + 2


class Answer(NamedTuple):
    sent: float
    status: int
    body: Any


def some_stay(rng: random.Random) -> dict[str, Any]:
    room_type = rng.choice(["double-sea-view", "family-suite", "garden-single"])
    check_in = ARRIVAL + timedelta(days=rng.randrange(0, 14))
    return {
        "room_type": room_type,
        "check_in": str(check_in),
        "check_out": str(check_in + timedelta(days=rng.randrange(3, 5))),
        "adults": 1,
    }


async def guest(
    client: httpx.AsyncClient, url: str, n: int, stop: asyncio.Event, answers: list[Answer]
) -> None:
    rng, loop = random.Random(n), asyncio.get_running_loop()
    while not stop.is_set():
        sent, body = loop.time(), None
        try:
            response = await client.post(
                f"{url}/api/v1/properties/demo/holds",
                json=some_stay(rng),
                headers={"X-Innkeep-Session": f"crowd-{n:03d}-{rng.randrange(10**9)}"},
            )
            body = response.json() if response.status_code == 201 else None
            answers.append(Answer(sent, response.status_code, body))
            if body is not None and rng.random() < 0.7:
                # Most guests change their minds: rooms keep coming free, so the crowd keeps
                # meeting the gate (a sold-out house answers 409 from memory).
                sent = loop.time()
                released = await client.delete(
                    f"{url}/api/v1/holds/{body['id']}", headers={"X-Hold-Token": body["token"]}
                )
                answers.append(Answer(sent, released.status_code, {"released": body["id"]}))
        except httpx.HTTPError:
            # No answer: a release may or may not have happened (its hold is left out below).
            answers.append(Answer(sent, 599, {"released": body["id"]} if body else None))


async def until(done: Any, what: str, seconds: float = 30.0) -> None:
    """Wait for ``done()`` (sync or async); ``seconds`` only bounds a hang."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        value = done()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        assert asyncio.get_running_loop().time() < deadline, f"still waiting for {what}"
        await asyncio.sleep(0.05)


@pytest.fixture
def crowded(
    redis_cluster: Cluster, database_url: str, clean: None
) -> Iterator[tuple[Running, Placed]]:
    """The demo guesthouse with its keys on one primary, served by two workers on the
    cluster; afterwards the dead node is started again and rejoins as a replica."""
    flush_redis(redis_cluster.seeds, cluster=True)
    port, property_id = next(iter(tag_on_each_primary(redis_cluster, range(3000, 3200)).items()))
    with psycopg.connect(database_url, autocommit=True) as conn:
        place(conn, "demo", property_id)
    inn = Placed("demo", property_id, redis_cluster.node(port))
    try:
        with racing_service(database_url, redis_cluster.seeds, cluster=True) as running:
            yield running, inn
    finally:
        if inn.primary.process is None:
            inn.primary.start()
        redis_cluster.wait_healthy()


async def metrics_of(client: httpx.AsyncClient, url: str) -> str:
    response = await client.get(f"{url}/metrics")
    assert response.status_code == 200
    return response.text


def test_a_primary_dies_mid_crowd_and_its_replica_takes_over(
    crowded: tuple[Running, Placed], redis_cluster: Cluster, database_url: str
) -> None:
    service, inn = crowded
    tag = f"{{p:{inn.property_id}}}"

    async def scenario() -> tuple[list[Answer], float, str, str]:
        loop, stop, answers = asyncio.get_running_loop(), asyncio.Event(), []
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=12)) as c:
            crowd = [
                asyncio.create_task(guest(c, service.url, n, stop, answers)) for n in range(12)
            ]
            await until(lambda: len(answers) >= 40, "the crowd to get going")
            inn.primary.kill()
            killed_at = loop.time()
            # A stopped primary shows in /readyz at once (still 200: Postgres answers).
            await until(lambda: _redis_degraded(c, service.url), "/readyz to say degraded", 10)
            # The cluster notices (node time-out), promotes the replica; the crowd goes on.
            await until(lambda: redis_cluster.primary_of(tag).port != inn.primary.port, "failover")
            # On for a while after the failover too: every worker meets the new slot map.
            await asyncio.sleep(max(1.5, killed_at + SETTLED + 1.5 - loop.time()))
            stop.set()
            await asyncio.gather(*crowd)
            # The fast path is back by itself: /readyz says so, no worker's circuit breaker
            # is open (each worker tries Redis by itself once its rest is over), and holds
            # of nights nobody tried go through Redis (their gates on the new primary, no
            # error counted).
            await until(lambda: _fast_path_back(c, service.url), "/readyz to say redis ok")
            before = await metrics_of(c, service.url)
            answers += await fresh_holds(c, service.url)
            after = await metrics_of(c, service.url)
            relayed = await c.get(f"{service.url}/metrics", headers={"X-Forwarded-For": "1.2.3.4"})
            assert relayed.status_code == 403
        return answers, killed_at, before, after

    answers, killed_at, before, after = asyncio.run(scenario())
    late_failures = [a for a in answers if a.sent > killed_at + SETTLED and a.status >= 500]
    assert late_failures == []
    assert [a for a in answers if a.sent > killed_at], "the crowd was over before the kill"
    assert {a.status for a in answers} <= {200, 201, 409, 500, 502, 503, 599}
    with psycopg.connect(database_url) as conn:
        assert overlaps(conn) == 0
        released = {a.body["released"] for a in answers if a.status == 200}
        unknown = {a.body["released"] for a in answers if a.status == 599 and a.body}
        granted = [a.body["id"] for a in answers if a.status == 201]
        kept = [hold for hold in granted if hold not in released | unknown]
        rows = conn.execute(
            "SELECT id::text, status FROM reservation WHERE id = ANY(%s::uuid[])", (kept,)
        ).fetchall()
    # Every hold granted and not released (as far as its guest was told) is still held.
    ended = {hold: status for hold, status in rows if status != "held"}
    told = [(a.status, a.body) for a in answers if a.body and a.body.get("released") in ended]
    assert not ended and len(rows) == len(kept), (ended, told, _tracebacks(service))
    # The new primary holds the gates of the last holds; they cost no Redis error.
    new_primary = redis_cluster.primary_of(tag)
    gates = [k.decode() for k in new_primary.client().scan_iter(f"innkeep:{tag}:gate:*")]
    assert any(str(ARRIVAL + timedelta(days=40)) in key for key in gates)
    assert counter(after, "innkeep_redis_errors_total") == counter(
        before, "innkeep_redis_errors_total"
    )
    assert counter(before, "innkeep_redis_errors_total") > 0  # the outage was counted
    # Both workers' counters, whichever worker answered /metrics.
    assert counter(after, "innkeep_holds_total", outcome="made") == len(granted)


def _tracebacks(service: Running) -> list[str]:
    """The service log's tracebacks, to say why an answer was not the one expected."""
    return [chunk[:2000] for chunk in service.log_text().split("Traceback")[1:]][:5]


async def fresh_holds(client: httpx.AsyncClient, url: str) -> list[Answer]:
    """Three holds of nights the crowd never asked for."""
    made = []
    for n in range(3):
        check_in = ARRIVAL + timedelta(days=40 + 4 * n)
        stay = {
            "room_type": "garden-single",
            "check_in": str(check_in),
            "check_out": str(check_in + timedelta(days=3)),
            "adults": 1,
        }
        answer = await client.post(f"{url}/api/v1/properties/demo/holds", json=stay)
        assert answer.status_code == 201, answer.text
        made.append(Answer(asyncio.get_running_loop().time(), 201, answer.json()))
    return made


async def _redis_degraded(client: httpx.AsyncClient, url: str) -> bool:
    ready = await client.get(f"{url}/readyz")
    return bool(ready.status_code == 200 and ready.json()["redis"] == "degraded")


async def _redis_ok(client: httpx.AsyncClient, url: str) -> bool:
    ready = await client.get(f"{url}/readyz")
    return bool(ready.status_code == 200 and ready.json()["redis"] == "ok")


async def _fast_path_back(client: httpx.AsyncClient, url: str) -> bool:
    """Redis ok in the worker that answered, and no worker's breaker open (summed over the
    workers by /metrics): an idle worker too closes its breaker by itself once rested."""
    if not await _redis_ok(client, url):
        return False
    return counter(await metrics_of(client, url), "innkeep_redis_breaker_open") == 0
