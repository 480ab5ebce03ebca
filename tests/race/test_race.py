"""Many guests racing for the same few rooms over HTTP, against two worker processes:
afterwards no two active reservations overlap, every granted hold is a real held row, and
no group of rooms is ever split."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any, NamedTuple

import httpx
import psycopg
import pytest

from tests.conftest import ON_CLUSTER
from tests.helpers import counter
from tests.race.conftest import overlaps, racing_service
from tests.race.proxy import TcpProxy
from widget.testing.stack import Running

ARRIVAL = date.today() + timedelta(days=100)
ARRIVAL += timedelta(days=(0 - ARRIVAL.weekday()) % 7)  # a Monday


class Answer(NamedTuple):
    """One guest's try: when it was sent (the event loop's clock), and what came back."""

    sent: float
    status: int
    body: Any


def random_stay(rng: random.Random) -> dict[str, Any]:
    room_type = rng.choice(["double-sea-view", "garden-single"])
    start = ARRIVAL + timedelta(days=rng.randrange(0, 4))
    return {
        "room_type": room_type,
        "check_in": str(start),
        "check_out": str(start + timedelta(days=rng.randrange(1, 4))),
        "adults": 1,
    }


async def guest(
    client: httpx.AsyncClient, url: str, n: int, rounds: int, results: list[Answer]
) -> None:
    rng = random.Random(n)
    loop = asyncio.get_running_loop()
    for _ in range(rounds):
        sent = loop.time()
        try:
            response = await client.post(
                f"{url}/api/v1/properties/demo/holds",
                json=random_stay(rng),
                headers={"X-Innkeep-Session": f"racer-{n:05d}-{rng.randrange(10**6)}"},
            )
            body = response.json() if response.status_code == 201 else None
            results.append(Answer(sent, response.status_code, body))
        except httpx.HTTPError:
            results.append(Answer(sent, 599, None))


async def race(
    url: str, guests: int, rounds: int, results: list[Answer] | None = None
) -> list[Answer]:
    """Every guest tries ``rounds`` holds; the answers land in ``results`` as they come."""
    results = [] if results is None else results
    limits = httpx.Limits(max_connections=guests)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        await asyncio.gather(*(guest(client, url, n, rounds, results) for n in range(guests)))
    return results


def granted_rows(conn: psycopg.Connection[Any], results: list[Answer]) -> int:
    ids = [answer.body["id"] for answer in results if answer.status == 201]
    rows = conn.execute(
        "SELECT count(*) FROM reservation WHERE id = ANY(%s::uuid[]) AND status = 'held'", (ids,)
    ).fetchone()
    conn.commit()
    assert rows is not None
    return int(rows[0])


async def until(done: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
    """Wait for ``done()``; ``seconds`` only bounds a hang, nothing is timed by it."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not done():
        assert asyncio.get_running_loop().time() < deadline, f"still waiting for {what}"
        await asyncio.sleep(0.01)


@pytest.fixture
def service(
    database_url: str, redis_url: str, demo_db: psycopg.Connection[Any]
) -> Iterator[Running]:
    with racing_service(database_url, redis_url) as running:
        yield running


def test_racing_guests_never_share_a_night(
    service: Running, demo_db: psycopg.Connection[Any]
) -> None:
    results = asyncio.run(race(service.url, guests=40, rounds=6))
    statuses = [answer.status for answer in results]
    assert set(statuses) <= {201, 409}, sorted(set(statuses))
    granted = statuses.count(201)
    assert 4 <= granted < len(statuses)  # some won, many lost
    assert overlaps(demo_db) == 0
    assert granted_rows(demo_db, results) == granted
    # Nothing fell back to Postgres on the way (on one Redis or a cluster), and /metrics, from
    # this machine, counts both workers' holds.
    metrics = httpx.get(f"{service.url}/metrics").text
    assert counter(metrics, "innkeep_redis_errors_total") == 0
    assert counter(metrics, "innkeep_holds_total", outcome="made") == granted


@pytest.fixture
def pooled_service(
    pooled_database_url: str,
    database_url: str,
    redis_url: str,
    demo_db: psycopg.Connection[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Running]:
    """Two workers reaching Postgres through PgBouncer (transaction mode), LISTEN direct."""
    monkeypatch.setenv("INNKEEP_DATABASE_POOLER", "pgbouncer")
    monkeypatch.setenv("INNKEEP_DATABASE_LISTEN_URL", database_url)
    # Behind a pooler a worker's own pool may be large (docs/operations.md): a hundred guests
    # then queue in PgBouncer, not for the pool's five seconds (a 503 on a busy machine).
    monkeypatch.setenv("INNKEEP_DB_POOL_MAX", "50")
    with racing_service(pooled_database_url, redis_url) as running:
        yield running


def test_a_hundred_guests_race_through_pgbouncer(
    pooled_service: Running, demo_db: psycopg.Connection[Any]
) -> None:
    results = asyncio.run(race(pooled_service.url, guests=100, rounds=2))
    statuses = [answer.status for answer in results]
    tracebacks = pooled_service.log_text().split("Traceback")[1:4]
    assert set(statuses) <= {201, 409}, (sorted(set(statuses)), tracebacks)
    granted = statuses.count(201)
    assert 4 <= granted < len(statuses)
    assert overlaps(demo_db) == 0
    assert granted_rows(demo_db, results) == granted


@pytest.fixture
def proxied(
    database_url: str, redis_url: str, demo_db: psycopg.Connection[Any]
) -> Iterator[tuple[Running, TcpProxy]]:
    proxy = TcpProxy(redis_url)
    proxy.start()
    try:
        with racing_service(database_url, proxy.url) as running:
            yield running, proxy
    finally:
        proxy.stop()


async def suite_night(client: httpx.AsyncClient, url: str, day: int, when: str) -> int:
    """Hold the family suite for one night ``day`` days after ARRIVAL; the status."""
    response = await client.post(
        f"{url}/api/v1/properties/demo/holds",
        json={
            "room_type": "family-suite",
            "check_in": str(ARRIVAL + timedelta(days=day)),
            "check_out": str(ARRIVAL + timedelta(days=day + 1)),
            "adults": 2,
        },
        headers={"X-Innkeep-Session": f"{when}-the-cut-{day}"},
    )
    return response.status_code


async def redis_reads(client: httpx.AsyncClient, url: str, health: str) -> None:
    """Wait until the service's /readyz reports its Redis as ``health``."""
    while True:
        ready = await client.get(f"{url}/readyz")
        if ready.json()["redis"] == health:
            return
        await asyncio.sleep(0.05)


@pytest.mark.skipif(ON_CLUSTER, reason="a cluster's client finds its nodes past any proxy")
def test_cutting_redis_mid_race_loses_speed_not_correctness(
    proxied: tuple[Running, TcpProxy], demo_db: psycopg.Connection[Any]
) -> None:
    service, proxy = proxied

    async def scenario() -> tuple[list[Answer], float, list[int], list[int]]:
        loop = asyncio.get_running_loop()
        results: list[Answer] = []
        racing = asyncio.create_task(race(service.url, guests=30, rounds=8, results=results))
        # Cut once the race is under way (a quarter of its answers are in), not after a delay.
        await until(lambda: len(results) >= 60 or racing.done(), "the race to get going")
        proxy.cut()  # returns once every connection is dropped and new ones are refused
        cut_at = loop.time()
        results = await racing
        # Redis is still away: the service answers from Postgres alone.
        async with httpx.AsyncClient(timeout=30) as client:
            ready = await client.get(f"{service.url}/readyz")
            assert ready.status_code == 200 and ready.json()["redis"] == "degraded"
            # The race sold out what it raced for: these free nights do meet the missing Redis.
            during = [await suite_night(client, service.url, 7 + n, "during") for n in range(3)]
            proxy.restore()
            await asyncio.wait_for(redis_reads(client, service.url, "ok"), 60)
            after = [await suite_night(client, service.url, 14 + n, "after") for n in range(3)]
            ready = await client.get(f"{service.url}/readyz")
            assert ready.json()["redis"] == "ok"
        return results, cut_at, during, after

    results, cut_at, during, after = asyncio.run(scenario())
    # Tries sent once Redis was gone meet a Redis that refuses them: none may fail. (Tries in
    # flight at the cut may.) Some were sent after the cut, or this would prove nothing.
    after_the_cut = [answer.status for answer in results if answer.sent > cut_at]
    assert after_the_cut, "the race was over before Redis was cut"
    assert [status for status in after_the_cut if status >= 500] == []
    assert {answer.status for answer in results} <= {201, 409, 500, 502, 503, 599}
    assert overlaps(demo_db) == 0
    assert granted_rows(demo_db, results) == sum(1 for a in results if a.status == 201)
    assert during == [201, 201, 201]
    assert after == [201, 201, 201]


GUEST = {
    "guest": {"name": "Anna Racer", "email": "anna@example.com"},
    "accept_cancellation_policy": True,
}


def random_group(rng: random.Random) -> dict[str, Any]:
    kinds = ["double-sea-view"] * 3 + ["family-suite"] * 2 + ["garden-single"]
    start = ARRIVAL + timedelta(days=rng.randrange(0, 3))
    return {
        "check_in": str(start),
        "check_out": str(start + timedelta(days=rng.randrange(1, 3))),
        "rooms": [{"room_type": t, "adults": 1} for t in rng.sample(kinds, rng.randrange(2, 4))],
    }


async def group_guest(client: httpx.AsyncClient, url: str, n: int, asked: dict[str, int]) -> None:
    """Ask for a set of rooms; a winner books half the time and lets go otherwise."""
    rng = random.Random(1000 + n)
    for _ in range(3):
        body = random_group(rng)
        response = await client.post(
            f"{url}/api/v1/properties/demo/holds",
            json=body,
            headers={"X-Innkeep-Session": f"group-{n:04d}-{rng.randrange(10**6)}"},
        )
        assert response.status_code in (201, 409), response.text
        if response.status_code != 201:
            continue
        held = response.json()
        asked[held["id"]] = len(body["rooms"])
        token = {"X-Hold-Token": held["token"]}
        hold_url = f"{url}/api/v1/holds/{held['id']}"
        if rng.random() < 0.5:
            await client.post(f"{hold_url}/checkout", json=GUEST, headers=token)
            await client.post(f"{hold_url}/confirm", headers=token)
        else:
            await client.delete(hold_url, headers=token)


def test_racing_groups_never_share_a_night_and_are_never_split(
    service: Running, demo_db: psycopg.Connection[Any]
) -> None:
    asked: dict[str, int] = {}

    async def scenario() -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            await asyncio.gather(*(group_guest(client, service.url, n, asked) for n in range(24)))

    asyncio.run(scenario())
    assert asked, "no group was ever held"
    assert overlaps(demo_db) == 0
    rows = demo_db.execute(
        "SELECT group_id::text, count(*), array_agg(DISTINCT status::text) FROM reservation"
        " WHERE group_id IS NOT NULL GROUP BY group_id"
    ).fetchall()
    demo_db.commit()
    # Every group ever written is whole, and its rooms share one fate.
    assert {group: count for group, count, _ in rows} == asked
    split = [(group, states) for group, _, states in rows if len(states) != 1]
    assert split == []
    fates = {states[0] for _, _, states in rows}
    assert "confirmed" in fates and "cancelled" in fates, fates
