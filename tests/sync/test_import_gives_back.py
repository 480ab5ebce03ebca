"""What an import owes the rest of the service: a guest's hold it ends gives back its gate
and its place in the guest's quota at once (as a release does), and every fetch is counted
in ``innkeep_sync_fetches_total`` by outcome."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.sync.feed_server import FeedServer, Route, running
from tests.sync.importing import connect_feeds, day, run, sync_settings
from tests.sync.samples import airbnb
from tests.sync.test_import_faults import cli, environment
from widget.app import create_app
from widget.commands.sync import NO_REDIS_NOTE
from widget.db import create_pool
from widget.inventory.gate import night_keys
from widget.inventory.quotas import Client, quota_keys
from widget.metrics import Metrics
from widget.settings import Settings
from widget.shared_redis import connect
from widget.state import Services, build_services


async def _counted(services: Services, hold: UUID, row: tuple[Any, ...]) -> dict[str, bool]:
    """Whether the hold still has its place in its client's quota, and its nights' gates."""
    property_id, unit_id, check_in, check_out, client_key, address = row
    session = client_key[2:] if client_key.startswith("s:") else None
    places = [
        await services.redis.zscore(key, str(hold))
        for key in quota_keys(property_id, Client(session, address))[::2]
    ]
    gates = [
        await services.redis.get(key)
        for key in night_keys(property_id, unit_id, check_in, check_out)
    ]
    return {
        "quota": any(place is not None for place in places),
        "gate": any(gate is not None and str(hold) in str(gate) for gate in gates),
    }


@pytest.fixture
async def services(quiet_settings: Settings) -> AsyncIterator[Services]:
    """A worker's services in the test's own event loop (the app's run in the client's)."""
    assert quiet_settings.database_url
    pool = create_pool(quiet_settings.database_url, 2, pooled=quiet_settings.pooled)
    await pool.open()
    redis = connect(quiet_settings)
    try:
        yield build_services(quiet_settings, pool, redis)
    finally:
        await pool.close()
        await redis.aclose()


async def _hold(
    quiet_settings: Settings, conn: psycopg.Connection[Any], session: str
) -> tuple[UUID, tuple[Any, ...]]:
    """A guest's hold on the garden single, made through the API; its row's keys and unit."""
    async with AsyncTestClient(app=create_app(quiet_settings)) as api:
        made = await api.post(
            "/api/v1/properties/demo/holds",
            json={
                "room_type": "garden-single",
                "check_in": str(day(1)),
                "check_out": str(day(3)),
                "adults": 1,
            },
            headers={"X-Innkeep-Session": session},
        )
    assert made.status_code == 201, made.text
    hold = UUID(made.json()["id"])
    row = conn.execute(
        """SELECT r.property_id, r.unit_id, lower(r.stay), upper(r.stay), r.client_key,
                  r.client_address, u.name
           FROM reservation r JOIN unit u ON u.id = r.unit_id WHERE r.id = %s""",
        (hold,),
    ).fetchone()
    assert row is not None
    return hold, tuple(row)


async def test_a_hold_ended_by_an_import_gives_back_its_quota_place_and_gate(
    demo_property: psycopg.Connection[Any],
    quiet_settings: Settings,
    database_url: str,
    services: Services,
) -> None:
    hold, row = await _hold(quiet_settings, demo_property, "guest-session-quota")
    assert await _counted(services, hold, row[:6]) == {"quota": True, "gate": True}
    with contextlib.contextmanager(running)() as server:
        assert isinstance(server, FeedServer)
        server.routes["/a.ics"] = Route(airbnb([(day(2), day(3))]))
        connect_feeds(demo_property, server, [(row[6], "Airbnb", "/a.ics")])
        [imported] = await run(database_url, sync_settings(quiet_settings), holds=services.holds)
    assert imported.report is not None and imported.report.holds_ended == 1
    assert await _counted(services, hold, row[:6]) == {"quota": False, "gate": False}


@pytest.mark.parametrize("redis", ["set", "unset"])
async def test_sync_run_gives_back_with_the_services_redis_and_says_when_it_cannot(
    redis: str,
    demo_property: psycopg.Connection[Any],
    quiet_settings: Settings,
    database_url: str,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`innkeep sync run` gives back what the holds it ended held in the Redis that
    INNKEEP_REDIS_URL names, as a worker does; without it, it says they wait for their TTL."""
    hold, row = await _hold(quiet_settings, demo_property, f"guest-session-cli-{redis}")
    with contextlib.contextmanager(running)() as server:
        assert isinstance(server, FeedServer)
        server.routes["/a.ics"] = Route(airbnb([(day(2), day(3))]))
        connect_feeds(demo_property, server, [(row[6], "Airbnb", "/a.ics")])
        environment(monkeypatch, database_url, quiet_settings)
        if redis == "unset":
            monkeypatch.delenv("INNKEEP_REDIS_URL")
        assert await cli("sync", "run", "--property", "demo") == 0
    out, err = capsys.readouterr()
    assert "ended 1 guest hold(s) on imported nights" in out
    notes = [line for line in err.splitlines() if line.startswith("innkeep:")]
    if redis == "set":
        assert notes == []
        assert await _counted(services, hold, row[:6]) == {"quota": False, "gate": False}
    else:
        assert notes == [NO_REDIS_NOTE]
        assert await _counted(services, hold, row[:6]) == {"quota": True, "gate": True}


async def test_every_fetch_is_counted_by_outcome(
    demo_property: psycopg.Connection[Any], quiet_settings: Settings, database_url: str
) -> None:
    metrics = Metrics()
    with contextlib.contextmanager(running)() as server:
        assert isinstance(server, FeedServer)
        server.routes["/a.ics"] = Route(airbnb([(day(2), day(3))]))
        server.routes["/gone.ics"] = Route(b"gone", status=404)
        login = b"<!DOCTYPE html><html><body><form action=/login>"
        server.routes["/login.ics"] = Route(login, content_type="text/html")
        connect_feeds(
            demo_property,
            server,
            [
                ("Room 1", "Airbnb", "/a.ics"),
                ("Room 2", "Vrbo", "/gone.ics"),
                ("Room 3", "Booking.com", "/login.ics"),
            ],
        )
        settings = sync_settings(quiet_settings)
        first = await run(database_url, settings, metrics=metrics)
        assert sorted((o.name, o.ok) for o in first) == [
            ("Airbnb", True),
            ("Booking.com", False),
            ("Vrbo", False),
        ]
        await run(database_url, settings, feed="Airbnb", metrics=metrics)
    text = metrics.exposition().decode()
    for outcome, count in (("ok", 1), ("not_modified", 1), ("http_error", 1), ("unreadable", 1)):
        assert f'innkeep_sync_fetches_total{{outcome="{outcome}"}} {count}.0' in text, text
