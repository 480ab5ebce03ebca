"""Idempotency-Key: a retried POST gets the first answer, never a second effect."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
import pytest
from litestar import Litestar, Request, post
from litestar.di import Provide
from litestar.testing import AsyncTestClient

from widget.db import Conn, create_pool
from widget.errors import Conflict
from widget.http_errors import exception_handlers
from widget.idempotency import KeptAnswer, answer_kept, caller_of, forget_old_keys, idempotent
from widget.settings import Settings
from widget.state import DbDep

SERVER_KEY = "idempotency-test-server-key"
SETTINGS = Settings(secret_key=SERVER_KEY)


class Counter:
    def __init__(self) -> None:
        self.calls = 0
        # A thread-safe gate: the test client runs the app on a loop of its own.
        self.gate: threading.Event | None = None
        self.started = threading.Event()


@pytest.fixture
async def app_client(database_url: str, clean: None) -> AsyncIterator[tuple[Any, Counter]]:
    """A tiny service whose POST handlers count how often their work really runs."""
    counter = Counter()
    pool = create_pool(database_url, 4)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        # The test client runs the app on its own loop: the pool must open there.
        await pool.open()
        try:
            yield
        finally:
            await pool.close()

    async def provide_db() -> AsyncIterator[Conn]:
        async with pool.connection() as conn:
            yield conn

    async def make_booking() -> dict[str, Any]:
        counter.calls += 1
        counter.started.set()
        if counter.gate is not None:
            await asyncio.to_thread(counter.gate.wait, 10)
        return {"booking": counter.calls}

    @post("/things")
    async def things(request: Request[Any, Any, Any], db: DbDep) -> dict[str, Any]:
        return await idempotent(request, db, make_booking, SETTINGS)

    @post("/taken")
    async def taken(request: Request[Any, Any, Any], db: DbDep) -> None:
        async def refuse() -> None:
            counter.calls += 1
            raise Conflict("Room 1 is taken.", code="taken", extra={"free": ["suite"]})

        return await idempotent(request, db, refuse, SETTINGS)

    @post("/broken")
    async def broken(request: Request[Any, Any, Any], db: DbDep) -> None:
        async def fail() -> None:
            counter.calls += 1
            raise RuntimeError("database went away")

        return await idempotent(request, db, fail, SETTINGS)

    app = Litestar(
        [things, taken, broken],
        dependencies={"db": Provide(provide_db)},
        exception_handlers={**exception_handlers, KeptAnswer: answer_kept},
        lifespan=[lifespan],
    )
    async with AsyncTestClient(app=app) as client:
        yield client, counter


KEY = {"Idempotency-Key": "retry-1", "X-Hold-Token": "tok-a"}


async def test_the_same_key_and_body_replay_the_first_answer(app_client: Any) -> None:
    client, counter = app_client
    first = await client.post("/things", json={"a": 1}, headers=KEY)
    again = await client.post("/things", json={"a": 1}, headers=KEY)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() == {"booking": 1}
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"].startswith("application/json")
    assert counter.calls == 1


async def test_the_same_key_with_another_body_is_refused(app_client: Any) -> None:
    client, counter = app_client
    await client.post("/things", json={"a": 1}, headers=KEY)
    other = await client.post("/things", json={"a": 2}, headers=KEY)
    assert other.status_code == 422
    assert other.json()["field"] == "Idempotency-Key"
    assert counter.calls == 1


async def test_keys_are_scoped_to_the_caller_and_the_path(app_client: Any) -> None:
    client, counter = app_client
    await client.post("/things", json={}, headers=KEY)
    other_hold = await client.post(
        "/things", json={}, headers={"Idempotency-Key": "retry-1", "X-Hold-Token": "tok-b"}
    )
    session = await client.post(
        "/things", json={}, headers={"Idempotency-Key": "retry-1", "X-Innkeep-Session": "s1"}
    )
    assert other_hold.json() == {"booking": 2}
    assert session.json() == {"booking": 3}
    assert counter.calls == 3


async def test_without_a_key_every_request_runs(app_client: Any) -> None:
    client, counter = app_client
    await client.post("/things", json={})
    await client.post("/things", json={})
    assert counter.calls == 2


async def test_a_key_still_in_flight_answers_409(app_client: Any) -> None:
    client, counter = app_client
    counter.gate = threading.Event()
    # The test client answers synchronously underneath: the first request runs on a thread.
    first = asyncio.create_task(
        asyncio.to_thread(asyncio.run, client.post("/things", json={}, headers=KEY))
    )
    assert await asyncio.to_thread(counter.started.wait, 10)
    busy = await client.post("/things", json={}, headers=KEY)
    assert busy.status_code == 409
    assert busy.json()["error"] == "request_in_progress"
    counter.gate.set()
    assert (await first).status_code == 201
    replay = await client.post("/things", json={}, headers=KEY)
    assert replay.status_code == 201 and replay.json() == {"booking": 1}
    assert counter.calls == 1


async def test_a_refusal_is_replayed_too(app_client: Any) -> None:
    client, counter = app_client
    first = await client.post("/taken", json={}, headers=KEY)
    again = await client.post("/taken", json={}, headers=KEY)
    assert first.status_code == again.status_code == 409
    assert (
        again.json()
        == first.json()
        == {
            "error": "taken",
            "message": "Room 1 is taken.",
            "free": ["suite"],
        }
    )
    assert counter.calls == 1


async def test_a_server_error_leaves_the_key_free_for_a_retry(app_client: Any) -> None:
    client, counter = app_client
    assert (await client.post("/broken", json={}, headers=KEY)).status_code == 500
    assert (await client.post("/broken", json={}, headers=KEY)).status_code == 500
    assert counter.calls == 2


async def test_a_malformed_key_is_refused_naming_the_header(app_client: Any) -> None:
    client, counter = app_client
    answer = await client.post("/things", json={}, headers={"Idempotency-Key": "x" * 300})
    assert answer.status_code == 400
    assert answer.json()["field"] == "Idempotency-Key"
    assert counter.calls == 0


async def test_keys_are_forgotten_after_24_hours(app_client: Any, database_url: str) -> None:
    client, _ = app_client
    await client.post("/things", json={"a": 1}, headers=KEY)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO clock_offset (shift) VALUES ('25 hours')")
    # Past its 24 hours the key is a new key, even before the cleanup ran.
    later = await client.post("/things", json={"a": 2}, headers=KEY)
    assert later.status_code == 201 and later.json() == {"booking": 2}
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        await conn.execute("UPDATE clock_offset SET shift = '50 hours'")
        assert await forget_old_keys(conn) == 1  # type: ignore[arg-type]
        cur = await conn.execute("SELECT count(*) FROM idempotency_key")
        assert (await cur.fetchone()) == (0,)


def request_from(peer: str, headers: dict[str, str]) -> Request[Any, Any, Any]:
    scope: Any = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/properties/demo/holds",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": (peer, 50000),
        "query_string": b"",
    }
    return Request(scope)


def test_a_key_is_scoped_to_the_client_behind_a_trusted_proxy_not_to_the_proxy() -> None:
    """Two guests behind the same trusted proxy, with the same key, are two callers (and a
    forwarded address from anyone else is not believed)."""
    behind_proxy = Settings(secret_key=SERVER_KEY, trusted_proxies=("10.0.0.0/8",))
    forwarded = {"Idempotency-Key": "k", "X-Forwarded-For": "203.0.113.7"}
    anna = caller_of(request_from("10.0.0.2", forwarded), behind_proxy)
    bruno = caller_of(
        request_from("10.0.0.2", {**forwarded, "X-Forwarded-For": "198.51.100.9"}), behind_proxy
    )
    assert anna == "client:203.0.113.7" and bruno == "client:198.51.100.9"
    spoofed = caller_of(request_from("192.0.2.5", forwarded), behind_proxy)
    assert spoofed == "client:192.0.2.5"
