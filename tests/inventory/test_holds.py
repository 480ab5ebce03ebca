"""Holding rooms over HTTP: one unit each, the next unit on conflict, never an overlap.

Every guest here comes from the test client's one address, so the demo lets one client hold
all of it; the fair share of a property is tested in test_hold_quotas.py."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import msgspec
import psycopg
import pytest
import redis
from litestar.testing import AsyncTestClient

from tests.conftest import free_port
from tests.helpers import OPEN_DEMO_TOML, advance_clock, age_gates, settings_redis
from widget.app import create_app
from widget.background import sweep_holds
from widget.errors import Conflict, RoomTaken
from widget.inventory.catalogue import party
from widget.inventory.groups import GroupWish, RoomWish, hold_group
from widget.inventory.holds import NewHold, StayWish
from widget.inventory.quotas import Client as HoldClient
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings
from widget.state import Services

Client = AsyncTestClient  # type: ignore[type-arg]
ARRIVAL = date.today() + timedelta(days=45)
# A Monday-to-Thursday stay: no weekend or minimum-stay rule gets in the way.
ARRIVAL = ARRIVAL + timedelta(days=(0 - ARRIVAL.weekday()) % 7)


@pytest.fixture
def demo(demo: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
    apply_property(demo, parse_property(OPEN_DEMO_TOML))
    return demo


def wish(room_type: str = "double-sea-view", nights: int = 3, **more: Any) -> dict[str, Any]:
    return {
        "room_type": room_type,
        "check_in": str(ARRIVAL),
        "check_out": str(ARRIVAL + timedelta(days=nights)),
        "adults": 1 if room_type == "garden-single" else 2,
        **more,
    }


def four_rooms(count: int = 4) -> dict[str, Any]:
    """One booking's rooms (a session may always hold four): the single, the suites, a
    double."""
    stay = wish()
    types = ["garden-single", "family-suite", "family-suite", "double-sea-view"][:count]
    return {
        "check_in": stay["check_in"],
        "check_out": stay["check_out"],
        "rooms": [{"room_type": t, "adults": 1} for t in types],
    }


def session(n: int) -> dict[str, str]:
    return {"X-Innkeep-Session": f"guest-session-{n:04d}"}


async def hold(api: Client, body: dict[str, Any], who: int = 1) -> Any:
    return await api.post("/api/v1/properties/demo/holds", json=body, headers=session(who))


async def units_free(api: Client, room_type: str) -> int:
    response = await api.get(
        "/api/v1/properties/demo/calendar",
        params={"start": str(ARRIVAL), "end": str(ARRIVAL + timedelta(days=1)), "adults": 1},
    )
    room = next(r for r in response.json()["room_types"] if r["slug"] == room_type)
    return int(room["nights"][0]["units_free"])


def statuses(db: psycopg.Connection[Any]) -> list[str]:
    rows = db.execute("SELECT status::text FROM reservation ORDER BY created_at").fetchall()
    db.commit()
    return [r[0] for r in rows]


async def test_a_hold_prices_the_stay_once_and_takes_a_unit(api: Client) -> None:
    quote = (await api.post("/api/v1/properties/demo/quotes", json=wish())).json()
    response = await hold(api, wish(quote_hash=quote["quote_hash"]))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["quote"] == quote
    assert len(body["token"]) >= 32
    expires = datetime.fromisoformat(body["expires_at"])
    assert 590 <= (expires - datetime.now(expires.tzinfo)).total_seconds() <= 610
    assert await units_free(api, "double-sea-view") == 2


async def test_a_conflict_moves_on_to_the_next_unit_until_none_is_left(api: Client) -> None:
    for guest in range(3):
        assert (await hold(api, wish(), who=guest)).status_code == 201
    full = await hold(api, wish(), who=9)
    assert full.status_code == 409
    assert full.json()["error"] == "taken"
    assert full.json()["free_room_types"] == ["family-suite"]
    assert await units_free(api, "double-sea-view") == 0


async def test_a_changed_price_is_refused_with_the_new_quote(api: Client) -> None:
    response = await hold(api, wish(quote_hash="0" * 64))
    assert response.status_code == 409
    assert response.json()["error"] == "price_changed"
    assert response.json()["quote"]["quote_hash"] != "0" * 64
    assert await units_free(api, "double-sea-view") == 3


async def test_releasing_frees_the_unit_at_once_and_only_with_the_token(
    api: Client, demo: psycopg.Connection[Any]
) -> None:
    held = (await hold(api, wish("garden-single"))).json()
    url = f"/api/v1/holds/{held['id']}"
    assert (await api.delete(url, headers={"X-Hold-Token": "wrong"})).status_code == 404
    assert await units_free(api, "garden-single") == 0
    released = await api.delete(url, headers={"X-Hold-Token": held["token"]})
    assert released.status_code == 200
    assert released.json()["status"] == "released"
    assert await units_free(api, "garden-single") == 1
    again = await api.delete(url, headers={"X-Hold-Token": held["token"]})
    assert again.status_code == 200
    assert statuses(demo) == ["cancelled"]


async def test_a_beacon_can_release_with_the_token_in_its_body(api: Client) -> None:
    held = (await hold(api, wish("garden-single"))).json()
    response = await api.post(
        f"/api/v1/holds/{held['id']}/release",
        content=msgspec.json.encode({"token": held["token"]}),
        headers={"content-type": "text/plain;charset=UTF-8"},
    )
    assert response.status_code == 200
    assert await units_free(api, "garden-single") == 1


def gate_nights(
    settings: Settings, holder: str, age_seconds: float, unit_name: str = "Room 6"
) -> None:
    """A gate on a unit (Room 6, the single room, unless told) for the test stay, taken
    ``age_seconds`` ago by a request that never wrote its hold."""
    client = settings_redis(settings)
    unit = (
        psycopg.connect(settings.database_url or "")
        .execute("SELECT id, property_id FROM unit WHERE name = %s", (unit_name,))
        .fetchone()
    )
    assert unit is not None
    taken = int((time.time() - age_seconds) * 1000)
    for night in range(3):
        day = ARRIVAL + timedelta(days=night)
        client.set(
            f"innkeep:{{p:{unit[1]}}}:gate:{unit[0]}:{day.isoformat()}",
            f"{holder}:{taken}",
            px=600_000,
        )


async def test_a_group_goes_on_any_free_set_of_units_when_its_first_choices_are_held(
    api: Client, quiet_settings: Settings
) -> None:
    # Requests in flight (gates taken a moment ago, no rows yet) have the first double and
    # the first suite: a double and a suite are still free together, on the others.
    gate_nights(quiet_settings, str(uuid.uuid4()), 1, "Room 1")
    gate_nights(quiet_settings, str(uuid.uuid4()), 1, "Suite 4")
    body = {
        "check_in": str(ARRIVAL),
        "check_out": str(ARRIVAL + timedelta(days=3)),
        "rooms": [
            {"room_type": "double-sea-view", "adults": 1},
            {"room_type": "family-suite", "adults": 1},
        ],
    }
    held = await hold(api, body)
    assert held.status_code == 201, held.text
    assert await units_free(api, "double-sea-view") == 2
    assert await units_free(api, "family-suite") == 1


async def test_a_young_gate_without_a_hold_is_in_flight_and_in_the_way(
    api: Client, quiet_settings: Settings
) -> None:
    gate_nights(quiet_settings, str(uuid.uuid4()), age_seconds=1)
    response = await hold(api, wish("garden-single"))
    assert response.status_code == 409


async def test_an_abandoned_gate_is_taken_over(api: Client, quiet_settings: Settings) -> None:
    gate_nights(quiet_settings, str(uuid.uuid4()), age_seconds=30)
    response = await hold(api, wish("garden-single"))
    assert response.status_code == 201, response.text


async def test_a_lapsed_hold_frees_its_nights_and_is_expired_by_the_next_taker(
    api: Client, demo: psycopg.Connection[Any], quiet_settings: Settings
) -> None:
    first = await hold(api, wish("garden-single"), who=1)
    assert first.status_code == 201
    assert (await hold(api, wish("garden-single"), who=2)).status_code == 409
    advance_clock(demo, timedelta(seconds=601))
    age_gates(quiet_settings, 601)
    # Its gate is still in Redis, but old, and Postgres says the hold is over: the gate is
    # taken over and the nights go to the next guest.
    assert await units_free(api, "garden-single") == 1
    second = await hold(api, wish("garden-single"), who=2)
    assert second.status_code == 201, second.text
    assert statuses(demo) == ["expired", "held"]


async def test_the_sweeper_expires_lapsed_holds_and_frees_their_quota(
    api: Client, demo: psycopg.Connection[Any], services: Services
) -> None:
    assert (await hold(api, four_rooms())).status_code == 201
    assert (await hold(api, wish())).status_code == 429  # this session holds four already
    assert await sweep_holds(services.pool, services.holds) == 0
    advance_clock(demo, timedelta(seconds=601))
    assert await sweep_holds(services.pool, services.holds) == 4
    assert statuses(demo) == ["expired"] * 4
    assert (await hold(api, wish())).status_code == 201


async def test_a_session_may_hold_only_a_few_rooms_at_once(api: Client) -> None:
    assert (await hold(api, four_rooms(3), who=1)).status_code == 201
    second = await hold(api, wish(nights=2), who=1)
    assert second.status_code == 201
    third = await hold(api, wish(), who=1)
    assert third.status_code == 429
    assert int(third.headers["retry-after"]) >= 1
    # Letting one go makes room for another at once.
    await api.delete(
        f"/api/v1/holds/{second.json()['id']}", headers={"X-Hold-Token": second.json()["token"]}
    )
    assert (await hold(api, wish(), who=1)).status_code == 201


@pytest.fixture
async def no_redis(
    quiet_settings: Settings, demo: psycopg.Connection[Any]
) -> AsyncIterator[Client]:
    away = msgspec.structs.replace(quiet_settings, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    async with AsyncTestClient(app=create_app(away)) as client:
        yield client


@pytest.mark.redis_away
async def test_with_redis_away_holds_still_work_and_never_overlap(no_redis: Client) -> None:
    for guest in range(3):
        assert (await hold(no_redis, wish(), who=guest)).status_code == 201
    assert (await hold(no_redis, wish(), who=7)).status_code == 409
    assert await units_free(no_redis, "double-sea-view") == 0


@pytest.mark.redis_away
async def test_with_redis_away_quotas_are_counted_in_postgres(no_redis: Client) -> None:
    assert (await hold(no_redis, four_rooms(3), who=1)).status_code == 201
    assert (await hold(no_redis, wish(nights=2), who=1)).status_code == 201
    third = await hold(no_redis, wish(), who=1)
    assert third.status_code == 429
    assert "retry-after" in third.headers


@pytest.mark.redis_away
async def test_with_redis_away_a_group_counts_every_room_in_postgres(no_redis: Client) -> None:
    assert (await hold(no_redis, wish(), who=1)).status_code == 201
    # One room held, four more asked for together: five, over the session's four.
    refused = await hold(no_redis, four_rooms(4), who=1)
    assert refused.status_code == 429
    assert (await hold(no_redis, four_rooms(3), who=1)).status_code == 201
    assert await units_free(no_redis, "family-suite") == 0


async def test_a_retried_request_gets_the_first_hold_back(
    api: Client, demo: psycopg.Connection[Any]
) -> None:
    headers = {**session(1), "Idempotency-Key": "hold-attempt-1"}
    url = "/api/v1/properties/demo/holds"
    first = await api.post(url, json=wish("garden-single"), headers=headers)
    again = await api.post(url, json=wish("garden-single"), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert statuses(demo) == ["held"]
    other = await api.post(url, json=wish("family-suite"), headers=headers)
    assert other.status_code == 422


@pytest.fixture
async def strict(quiet_settings: Settings, demo: psycopg.Connection[Any]) -> AsyncIterator[Client]:
    tight = msgspec.structs.replace(quiet_settings, hold_attempts_per_minute=3)
    async with AsyncTestClient(app=create_app(tight)) as client:
        yield client


async def test_hold_attempts_are_throttled_per_address(strict: Client) -> None:
    statuses = []
    for n in range(5):
        body = wish(nights=1)
        body["check_in"] = str(ARRIVAL + timedelta(days=7 * n))
        body["check_out"] = str(ARRIVAL + timedelta(days=7 * n + 1))
        statuses.append((await hold(strict, body, who=n)).status_code)
    # Three holds a minute from one address, then it must wait, whatever the session says.
    assert statuses == [201, 201, 201, 429, 429]


async def test_a_cancelled_booking_does_not_keep_its_room_through_its_gate(
    api: Client, demo: psycopg.Connection[Any]
) -> None:
    first = (await hold(api, wish("garden-single"), who=1)).json()
    # Booked, then cancelled at once (the manage page, the reconciler): its gate is young.
    demo.execute(
        "UPDATE reservation SET status = 'cancelled', version = version + 1 WHERE id = %s",
        (first["id"],),
    )
    demo.commit()
    again = await hold(api, wish("garden-single"), who=2)
    assert again.status_code == 201, again.text


async def test_a_workers_own_hold_and_release_show_at_once_without_waiting_for_notify(
    api: Client, services: Services
) -> None:
    """No listener runs here: only the worker's own forgetting can make its answers fresh."""
    services.freshness.listening = True
    await services.versions.of("demo")
    assert services.versions.remembered("demo") is not None
    held = (await hold(api, wish("garden-single"))).json()
    async with services.pool.connection() as conn:
        assert await services.holds.release(conn, uuid.UUID(held["id"]))
    assert services.versions.remembered("demo") is None, "released, yet still remembered"


async def test_a_guest_who_lost_the_room_hears_so_while_every_connection_is_busy(
    quiet_settings: Settings, demo: psycopg.Connection[Any]
) -> None:
    """A loser answered from the worker's memory never waits for a pooled connection: with
    every connection taken, the guest asking for the room just held still hears "taken" at
    once, not "try again later" after the pool's wait."""
    app = create_app(msgspec.structs.replace(quiet_settings, db_pool_max=2))
    services: Services = app.state["services"]
    async with AsyncTestClient(app=app) as api:
        assert (await hold(api, wish("garden-single"), who=1)).status_code == 201
        # The winner's commit makes every worker forget the stays (its NOTIFY comes a moment
        # later): a loser after it reads them again, and the worker remembers them.
        await asyncio.sleep(0.5)
        assert (await hold(api, wish("garden-single"), who=2)).status_code == 409
        seen = services.versions.remembered("demo")
        assert seen is not None
        assert services.holds.stock.remembered(seen.property_id, seen.inventory_version)
        async with services.pool.connection(), services.pool.connection():
            lost = await hold(api, wish("garden-single"), who=3)
    assert lost.status_code == 409, lost.text
    assert lost.json()["error"] == "taken"
    assert lost.json()["free_room_types"] == ["double-sea-view", "family-suite"]


def gate_scripts_run(settings: Settings) -> int:
    """How many scripts Redis has run (the gate is one), on every primary of a cluster."""
    client = settings_redis(settings)
    if isinstance(client, redis.RedisCluster):
        found = client.info("commandstats", target_nodes=redis.RedisCluster.PRIMARIES)
        # By node; one primary alone answers as a plain server does.
        is_one = any(str(key).startswith("cmdstat_") for key in found)
        infos = [found] if is_one else list(found.values())
    else:
        infos = [client.info("commandstats")]
    client.close()
    return sum(
        int(info.get(name, {}).get("calls", 0))
        for info in infos
        for name in ("cmdstat_evalsha", "cmdstat_eval")
    )


@contextlib.contextmanager
def unit_locked(demo: psycopg.Connection[Any], unit_name: str) -> Iterator[None]:
    """The unit's lock taken as an import of a channel's feed takes it: a hold for the unit
    waits inside its transaction, its gate taken and its row not written, until it ends."""
    row = demo.execute("SELECT id FROM unit WHERE name = %s", (unit_name,)).fetchone()
    assert row is not None
    demo.commit()
    with psycopg.connect(demo.info.dsn, autocommit=True) as lock:
        lock.execute("SELECT pg_advisory_lock(1414, %s)", (row[0],))
        try:
            yield
        finally:
            lock.execute("SELECT pg_advisory_unlock(1414, %s)", (row[0],))


async def waiting_for_the_unit(demo: psycopg.Connection[Any]) -> None:
    """Until a hold waits for a unit's lock (well within the 10 s after which the worker
    and Redis take a hold still unwritten for abandoned)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        row = demo.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ).fetchone()
        demo.commit()
        if row is not None and row[0] > 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no hold came to wait for the unit's lock")


async def single_room(services: Services, guest: int) -> NewHold:
    """A guest's request for the single room, as a worker serves it (several at once: the
    test client would answer one request at a time)."""
    async with services.pool.connection() as conn:
        seen = await services.versions.of("demo", conn)
        catalogue = await services.catalogues.of(conn, "demo", seen)
        stay = StayWish("garden-single", ARRIVAL, ARRIVAL + timedelta(days=3), party(1, []))
        client = HoldClient(f"guest-{guest}", "127.0.0.1")
        return await services.holds.create(
            conn, catalogue, stay, client, seen.today, seen.inventory_version
        )


async def test_a_guest_asking_while_the_worker_writes_the_room_s_hold_hears_taken_from_memory(
    services: Services, demo: psycopg.Connection[Any], quiet_settings: Settings
) -> None:
    """Half the losers of a race meet their own worker's winner: they hear "taken" without
    asking Redis, as Redis would have told them, and the room stays the winner's."""
    with unit_locked(demo, "Room 6"):
        first = asyncio.create_task(single_room(services, 1))
        await waiting_for_the_unit(demo)
        scripts = gate_scripts_run(quiet_settings)
        with pytest.raises(RoomTaken):
            # Bounded: a second guest let through would wait for the lock this test holds.
            await asyncio.wait_for(single_room(services, 2), 5)
        assert gate_scripts_run(quiet_settings) == scripts, "the loser asked Redis"
    assert isinstance(await first, NewHold)
    assert statuses(demo) == ["held"]


async def closed_while_written(
    demo: psycopg.Connection[Any], asking: Coroutine[Any, Any, object]
) -> BaseException | None:
    """What ``asking`` (for Room 6) raised when the owner closed the room's nights while its
    hold was being written; the nights are open again afterwards."""
    with unit_locked(demo, "Room 6"):
        first = asyncio.create_task(asking)
        await waiting_for_the_unit(demo)
        demo.execute(
            """INSERT INTO reservation (property_id, unit_id, stay, status, block_reason)
               SELECT property_id, id, daterange(%s, %s), 'blocked', 'Painting'
               FROM unit WHERE name = 'Room 6'""",
            (ARRIVAL, ARRIVAL + timedelta(days=3)),
        )
        demo.commit()
    try:
        await first
    except Exception as refused:
        return refused
    finally:
        demo.execute("DELETE FROM reservation WHERE status = 'blocked'")
        demo.commit()
    return None


async def test_a_hold_that_fails_while_written_leaves_the_room_to_the_next_guest(
    services: Services, demo: psycopg.Connection[Any]
) -> None:
    """The worker forgets a hold it was writing as soon as it fails: the next guest gets
    the room (here the owner closed it meanwhile, and opened it again)."""
    refused = await closed_while_written(demo, single_room(services, 1))
    assert isinstance(refused, RoomTaken)
    assert isinstance(await single_room(services, 2), NewHold)


async def test_a_group_that_fails_while_written_leaves_its_rooms_to_the_next_guest(
    services: Services, demo: psycopg.Connection[Any]
) -> None:
    """The same for a group of rooms: once it fails, its nights are free of it at once."""
    rooms = [RoomWish("garden-single", party(1, [])), RoomWish("family-suite", party(2, []))]
    group = GroupWish(ARRIVAL, ARRIVAL + timedelta(days=3), rooms)

    async def family() -> object:
        async with services.pool.connection() as conn:
            seen = await services.versions.of("demo", conn)
            catalogue = await services.catalogues.of(conn, "demo", seen)
            client = HoldClient("family", "127.0.0.1")
            return await hold_group(
                services.holds, conn, catalogue, group, client, seen.today, seen.inventory_version
            )

    assert isinstance(await closed_while_written(demo, family()), Conflict)
    assert isinstance(await single_room(services, 2), NewHold)
