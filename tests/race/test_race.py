"""Many guests racing for the same few rooms over HTTP, against two worker processes:
afterwards no two active reservations overlap and every granted hold is a real held row."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import psycopg
import pytest

from tests.race.conftest import Service, overlaps, start_service, stop_service
from tests.race.proxy import TcpProxy

ARRIVAL = date.today() + timedelta(days=100)
ARRIVAL += timedelta(days=(0 - ARRIVAL.weekday()) % 7)  # a Monday


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
    client: httpx.AsyncClient, url: str, n: int, rounds: int, results: list[tuple[float, int, Any]]
) -> None:
    rng = random.Random(n)
    loop = asyncio.get_running_loop()
    for _ in range(rounds):
        try:
            response = await client.post(
                f"{url}/api/v1/properties/demo/holds",
                json=random_stay(rng),
                headers={"X-Innkeep-Session": f"racer-{n:05d}-{rng.randrange(10**6)}"},
            )
            body = response.json() if response.status_code == 201 else None
            results.append((loop.time(), response.status_code, body))
        except httpx.HTTPError:
            results.append((loop.time(), 599, None))


async def race(url: str, guests: int, rounds: int) -> list[tuple[float, int, Any]]:
    results: list[tuple[float, int, Any]] = []
    limits = httpx.Limits(max_connections=guests)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        await asyncio.gather(*(guest(client, url, n, rounds, results) for n in range(guests)))
    return results


def granted_rows(conn: psycopg.Connection[Any], results: list[tuple[float, int, Any]]) -> int:
    ids = [body["id"] for _, status, body in results if status == 201]
    rows = conn.execute(
        "SELECT count(*) FROM reservation WHERE id = ANY(%s::uuid[]) AND status = 'held'", (ids,)
    ).fetchone()
    conn.commit()
    assert rows is not None
    return int(rows[0])


@pytest.fixture
def service(
    database_url: str, redis_url: str, demo_db: psycopg.Connection[Any]
) -> Iterator[Service]:
    running = start_service(database_url, redis_url)
    yield running
    stop_service(running)


def test_racing_guests_never_share_a_night(
    service: Service, demo_db: psycopg.Connection[Any]
) -> None:
    results = asyncio.run(race(service.url, guests=40, rounds=6))
    statuses = [status for _, status, _ in results]
    assert set(statuses) <= {201, 409}, sorted(set(statuses))
    granted = statuses.count(201)
    assert 4 <= granted < len(statuses)  # some won, many lost
    assert overlaps(demo_db) == 0
    assert granted_rows(demo_db, results) == granted


@pytest.fixture
def proxied(
    database_url: str, redis_url: str, demo_db: psycopg.Connection[Any]
) -> Iterator[tuple[Service, TcpProxy]]:
    proxy = TcpProxy(redis_url)
    proxy.start()
    running = start_service(database_url, proxy.url)
    yield running, proxy
    stop_service(running)
    proxy.stop()


def test_cutting_redis_mid_race_loses_speed_not_correctness(
    proxied: tuple[Service, TcpProxy], demo_db: psycopg.Connection[Any]
) -> None:
    service, proxy = proxied

    async def scenario() -> tuple[list[tuple[float, int, Any]], float, list[int]]:
        loop = asyncio.get_running_loop()
        racing = asyncio.create_task(race(service.url, guests=30, rounds=8))
        await asyncio.sleep(0.3)
        cut_at = loop.time()
        proxy.cut()
        results = await racing
        # Redis is still away: the service answers from Postgres alone.
        async with httpx.AsyncClient(timeout=30) as client:
            ready = await client.get(f"{service.url}/readyz")
            assert ready.status_code == 200 and ready.json()["redis"] == "degraded"
            proxy.restore()
            await asyncio.sleep(1.5)
            after = []
            for n in range(3):
                response = await client.post(
                    f"{service.url}/api/v1/properties/demo/holds",
                    json={
                        "room_type": "family-suite",
                        "check_in": str(ARRIVAL + timedelta(days=14 + n)),
                        "check_out": str(ARRIVAL + timedelta(days=15 + n)),
                        "adults": 2,
                    },
                    headers={"X-Innkeep-Session": f"after-the-cut-{n}"},
                )
                after.append(response.status_code)
            ready = await client.get(f"{service.url}/readyz")
            assert ready.json()["redis"] == "ok"
        return results, cut_at, after

    results, cut_at, after = asyncio.run(scenario())
    late_errors = [status for at, status, _ in results if status >= 500 and at > cut_at + 1.0]
    assert late_errors == []
    assert {status for _, status, _ in results} <= {201, 409, 500, 502, 503, 599}
    assert overlaps(demo_db) == 0
    assert granted_rows(demo_db, results) == sum(1 for _, s, _ in results if s == 201)
    assert after == [201, 201, 201]
