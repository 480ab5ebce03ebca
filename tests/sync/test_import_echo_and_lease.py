"""Echoes are not conflicts, and a real clash is never taken for one; each feed is fetched
by one worker at a time, and a worker that lost its lease applies nothing."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from tests.helpers import add_reservation, advance_clock
from tests.sync.conftest import export_path
from tests.sync.feed_server import FeedServer, Route
from tests.sync.importing import (
    blocked,
    conflicts,
    connect_feeds,
    day,
    nights_of,
    run,
    sync_settings,
)
from tests.sync.samples import airbnb
from widget.db import create_pool
from widget.settings import Settings
from widget.sync.polling import SyncOptions, import_due_feeds, import_feed


@pytest.fixture
def synced(settings: Settings) -> Settings:
    return sync_settings(settings)


async def test_nights_the_channel_fetched_from_us_come_back_as_an_echo_even_merged(
    api: Any,
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    synced: Settings,
    database_url: str,
) -> None:
    connect_feeds(demo_property, feed_server, [("Room 1", "Airbnb", "/a.ics")])
    add_reservation(demo_property, check_in=day(0), check_out=day(2), reference="BK-A")
    add_reservation(demo_property, check_in=day(2), check_out=day(5), reference="BK-B")
    # Airbnb fetches its export from us...
    answer = await api.get(export_path(demo_property, synced, "Room 1", "Airbnb"))
    assert answer.status_code == 200
    # ...and sends our two bookings back as one blocked range of its own.
    feed_server.routes["/a.ics"] = Route(airbnb([], [(day(0), day(5))]))
    [outcome] = await run(database_url, synced)
    assert outcome.report is not None
    assert outcome.report.echoes and not outcome.report.conflicts
    assert blocked(demo_property) == [] and conflicts(demo_property) == []


async def test_an_ota_booking_of_the_same_nights_before_it_fetched_ours_is_a_conflict(
    api: Any,
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    synced: Settings,
    database_url: str,
) -> None:
    """The direct booking was made minutes earlier, but Airbnb had not fetched it yet: its
    stay on exactly the same nights is a real double booking, not an echo."""
    connect_feeds(demo_property, feed_server, [("Room 1", "Airbnb", "/a.ics")])
    await api.get(export_path(demo_property, synced, "Room 1", "Airbnb"))  # served: nothing
    add_reservation(demo_property, check_in=day(0), check_out=day(3), reference="BK-C")
    feed_server.routes["/a.ics"] = Route(airbnb([(day(0), day(3))]))
    [outcome] = await run(database_url, synced)
    assert outcome.report is not None and not outcome.report.echoes
    assert [c[3] for c in conflicts(demo_property)] == ["confirmed"]
    # Airbnb fetches ours afterwards: the event was there first, so it stays a conflict.
    await api.get(export_path(demo_property, synced, "Room 1", "Airbnb"))
    feed_server.routes["/a.ics"].body += b"\r\n"
    await run(database_url, synced)
    assert [c[-1] for c in conflicts(demo_property)] == [True]


async def test_an_echo_that_reaches_past_what_was_served_is_a_conflict(
    api: Any,
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    synced: Settings,
    database_url: str,
) -> None:
    connect_feeds(demo_property, feed_server, [("Room 1", "Airbnb", "/a.ics")])
    add_reservation(demo_property, check_in=day(0), check_out=day(2), reference="BK-D")
    await api.get(export_path(demo_property, synced, "Room 1", "Airbnb"))
    feed_server.routes["/a.ics"] = Route(airbnb([(day(0), day(3))]))  # one night more
    await run(database_url, synced)
    assert nights_of(blocked(demo_property)) == [(day(2), day(3))]
    assert [(c[1], c[2]) for c in conflicts(demo_property)] == [(day(0), day(2))]


async def due(conn: psycopg.Connection[Any]) -> None:
    conn.execute("UPDATE channel_feed SET next_fetch_at = now() - interval '1 second'")


async def test_two_workers_fetch_a_due_feed_once(
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    synced: Settings,
    database_url: str,
) -> None:
    feed_server.routes["/a.ics"] = Route(airbnb([(day(0), day(3))]), delay=0.2)
    connect_feeds(demo_property, feed_server, [("Room 1", "Airbnb", "/a.ics")])
    pools = [create_pool(database_url, 2) for _ in range(2)]
    for pool in pools:
        await pool.open()
    try:
        results = await asyncio.gather(
            *(import_due_feeds(pool, SyncOptions(synced)) for pool in pools)
        )
    finally:
        for pool in pools:
            await pool.close()
    assert sorted(len(r) for r in results) == [0, 1]
    assert len(feed_server.requests) == 1
    assert nights_of(blocked(demo_property)) == [(day(0), day(3))]
    # Scheduled again about one interval (10 minutes, with jitter) later, lease ended.
    row = demo_property.execute(
        "SELECT next_fetch_at - now(), lease_until FROM channel_feed"
    ).fetchone()
    assert row is not None and timedelta(minutes=8) < row[0] < timedelta(minutes=12)
    assert row[1] is None


async def test_a_crashed_workers_lease_lapses_and_a_lost_lease_applies_nothing(
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    synced: Settings,
    database_url: str,
) -> None:
    feed_server.routes["/a.ics"] = Route(airbnb([(day(0), day(3))]))
    connect_feeds(demo_property, feed_server, [("Room 1", "Airbnb", "/a.ics")])
    demo_property.execute(
        "UPDATE channel_feed SET lease_holder = 'crashed', "
        "lease_until = innkeep_now() + interval '2 minutes'"
    )
    pool = create_pool(database_url, 2)
    await pool.open()
    try:
        assert await import_due_feeds(pool, SyncOptions(synced)) == []
        advance_clock(demo_property, timedelta(minutes=3))
        [outcome] = await import_due_feeds(pool, SyncOptions(synced))
        assert outcome.ok

        # A worker whose lease was taken over while it fetched applies nothing.
        feed_server.routes["/a.ics"] = Route(airbnb([(day(7), day(9))]))
        slow = SyncOptions(synced)
        demo_property.execute(
            "UPDATE channel_feed SET lease_holder = %s, "
            "lease_until = innkeep_now() + interval '2 minutes'",
            (slow.holder,),
        )
        from widget.sync import polling

        fetch_for_real = polling._fetch

        async def overtaken(feed: Any, options: Any) -> Any:
            answer = await fetch_for_real(feed, options)
            demo_property.execute("UPDATE channel_feed SET lease_holder = 'another worker'")
            return answer

        polling._fetch = overtaken  # type: ignore[assignment]
        try:
            channel = demo_property.execute("SELECT channel_id FROM channel_feed").fetchone()
            assert channel is not None
            lost = await import_feed(pool.connection, channel[0], slow)
        finally:
            polling._fetch = fetch_for_real  # type: ignore[assignment]
        assert not lost.ok and "lease was lost" in (lost.error or "")
        assert nights_of(blocked(demo_property)) == [(day(0), day(3))]
    finally:
        await pool.close()


async def test_no_connection_is_held_while_a_feed_is_fetched(
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    synced: Settings,
    database_url: str,
) -> None:
    """A slow channel never keeps a worker's database connection (nor a transaction)."""
    # The channel answers only once the test has had the pool's connection.
    answer = threading.Event()
    feed_server.routes["/a.ics"] = Route(airbnb([(day(0), day(3))]), gate=answer)
    connect_feeds(demo_property, feed_server, [("Room 1", "Airbnb", "/a.ics")])
    pool = create_pool(database_url, 1)
    await pool.open()
    try:
        importing = asyncio.create_task(import_due_feeds(pool, SyncOptions(synced)))
        for _ in range(1000):  # until the feed server has the request (its own thread)
            if feed_server.requests:
                break
            await asyncio.sleep(0.01)
        assert feed_server.requests, "the importer never fetched the feed"
        async with pool.connection(timeout=1.0) as conn:  # the pool's only connection
            await conn.execute("SELECT 1")
        answer.set()
        [outcome] = await importing
        assert outcome.ok
    finally:
        answer.set()
        await pool.close()
