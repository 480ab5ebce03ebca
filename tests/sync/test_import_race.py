"""A feed import and 20 guests holding the same unit at the same moment: afterwards no two
active reservations overlap, and every night the import could not block is a recorded
conflict (never a night skipped silently)."""

from __future__ import annotations

import asyncio
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import psycopg
from litestar.testing import TestClient

from tests.helpers import OPEN_DEMO_TOML, add_reservation
from tests.sync.feed_server import FeedServer, Route
from tests.sync.importing import blocked, connect_feeds, day, nights_of, run, sync_settings
from tests.sync.samples import booking_com
from widget.app import create_app
from widget.settings import Settings

#: Far more than the race takes on a loaded machine; it fails rather than hangs.
RACE_SECONDS = 120


def overlaps(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute(
        """SELECT count(*) FROM reservation a JOIN reservation b
             ON a.unit_id = b.unit_id AND a.id < b.id AND a.stay && b.stay
           WHERE a.status IN ('held', 'confirmed', 'blocked')
             AND b.status IN ('held', 'confirmed', 'blocked')"""
    ).fetchone()
    assert row is not None
    return int(row[0])


def each(a: date, b: date) -> set[date]:
    return {a + timedelta(days=n) for n in range((b - a).days)}


def unplaced_nights_without_a_conflict(conn: psycopg.Connection[Any]) -> list[Any]:
    """Nights of imported events that are neither blocked by the event nor an open conflict."""
    missing = []
    for uid, stay in conn.execute(
        "SELECT uid, stay FROM imported_event WHERE outcome = 'blocked'"
    ).fetchall():
        wanted = each(stay.lower, stay.upper)
        for (piece,) in conn.execute(
            "SELECT stay FROM reservation WHERE source_uid = %s AND status = 'blocked'", (uid,)
        ):
            wanted -= each(piece.lower, piece.upper)
        for (nights,) in conn.execute(
            "SELECT nights FROM sync_conflict WHERE uid = %s AND resolved_at IS NULL", (uid,)
        ):
            wanted -= each(nights.lower, nights.upper)
        missing += sorted(wanted)
    return missing


async def test_an_import_racing_twenty_guests_for_one_unit(
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    settings: Settings,
    database_url: str,
) -> None:
    synced = sync_settings(settings)
    # Room 6 is the garden-single's only unit: every guest wants the same room.
    feed_server.routes["/b.ics"] = Route(
        booking_com([(day(0), day(4)), (day(6), day(9)), (day(12), day(14))])
    )
    connect_feeds(demo_property, feed_server, [("Room 6", "Booking.com", "/b.ics")], OPEN_DEMO_TOML)
    add_reservation(demo_property, unit="Room 6", check_in=day(7), check_out=day(8))
    add_reservation(
        demo_property,
        unit="Room 6",
        check_in=day(13),
        check_out=day(14),
        status="blocked",
        block_reason="painting",
    )
    rng = random.Random(14)
    wishes = []
    for _ in range(20):
        start = rng.randrange(0, 14)
        wishes.append((day(start), day(start + rng.randint(1, 3))))

    # Each guest in a thread of their own: the test client answers a request by blocking
    # its caller until the app (in the client's own thread) is done. Called from the loop
    # that runs the import, one guest waiting in Postgres for the import's uncommitted
    # nights would stop the import from ever committing: a hang no lock wait can see.
    loop = asyncio.get_running_loop()
    with (
        TestClient(app=create_app(synced)) as api,
        ThreadPoolExecutor(len(wishes), thread_name_prefix="guest") as guests,
    ):

        def guest(n: int, stay: tuple[date, date]) -> int:
            answer = api.post(
                "/api/v1/properties/demo/holds",
                json={
                    "room_type": "garden-single",
                    "check_in": str(stay[0]),
                    "check_out": str(stay[1]),
                    "adults": 1,
                },
                headers={"X-Innkeep-Session": f"race-guest-{n:04d}"},
            )
            return int(answer.status_code)

        async def arriving(n: int, stay: tuple[date, date]) -> int:
            # Spread over the import's fetch and apply, so some holds land in the middle.
            await asyncio.sleep(n * 0.004)
            return await loop.run_in_executor(guests, guest, n, stay)

        results = await asyncio.wait_for(
            asyncio.gather(
                run(database_url, synced),
                *(arriving(n, stay) for n, stay in enumerate(wishes)),
            ),
            RACE_SECONDS,
        )
    [outcome] = results[0]
    assert outcome.ok, outcome.error
    assert set(results[1:]) <= {201, 409, 422}
    assert overlaps(demo_property) == 0
    assert unplaced_nights_without_a_conflict(demo_property) == []
    clashes = demo_property.execute(
        "SELECT lower(nights) FROM sync_conflict WHERE resolved_at IS NULL ORDER BY 1"
    ).fetchall()
    assert [c[0] for c in clashes] == [day(7), day(13)]


async def test_an_import_meeting_a_transaction_left_open_gives_up_and_applies_nothing(
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    settings: Settings,
    database_url: str,
) -> None:
    """A guest's hold on the feed's nights, written but not committed (its request stalled):
    the import waits for it only so long, applies nothing and says why; then it goes on."""
    synced = sync_settings(settings)
    feed_server.routes["/b.ics"] = Route(booking_com([(day(0), day(4))]))
    connect_feeds(demo_property, feed_server, [("Room 6", "Booking.com", "/b.ics")])
    with psycopg.connect(database_url) as stalled:
        add_reservation(
            stalled, unit="Room 6", check_in=day(1), check_out=day(2), status="held", commit=False
        )
        [outcome] = await asyncio.wait_for(
            run(database_url, synced, lock_seconds=0.2), RACE_SECONDS
        )
        assert not outcome.ok and outcome.error is not None
        assert "locked by another change for more than 0.2 seconds" in outcome.error
        assert blocked(demo_property, "Room 6") == []
        stalled.rollback()
    [outcome] = await asyncio.wait_for(run(database_url, synced, lock_seconds=0.2), RACE_SECONDS)
    assert outcome.ok, outcome.error
    assert nights_of(blocked(demo_property, "Room 6")) == [(day(0), day(4))]


def waiting_for_a_lock(conn: psycopg.Connection[Any], blocker: int) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", (blocker,)
    ).fetchone()
    return row is not None and row[0] > 0


async def test_an_import_and_a_hold_writing_the_same_nights_at_once_do_not_fail_the_import(
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    settings: Settings,
    database_url: str,
) -> None:
    """Two writers of overlapping nights under an exclusion constraint may each wait for the
    other; Postgres fails one of them. Guests' holds wait for the import under the unit's
    lock, but other writers (an owner's block, a booking moved) do not: when Postgres fails
    the import, it reads the nights again and places its events (the holds in the way
    lose, as always), rather than failing the fetch."""
    synced = sync_settings(settings)
    feed_server.routes["/b.ics"] = Route(booking_com([(day(0), day(4)), (day(6), day(9))]))
    connect_feeds(demo_property, feed_server, [("Room 6", "Booking.com", "/b.ics")])
    with psycopg.connect(database_url) as guest:
        # Postgres fails whichever of the two looks for a deadlock first; the guest here
        # looks only long after the import (the suite's user may set this), on any machine.
        guest.execute("SET deadlock_timeout = '60s'")
        # A hold on the second event's nights, written (without the unit's lock, as those
        # other writers do) but not yet committed...
        add_reservation(
            guest, unit="Room 6", check_in=day(7), check_out=day(8), status="held", commit=False
        )
        importing = asyncio.create_task(run(database_url, synced))
        deadline = asyncio.get_running_loop().time() + RACE_SECONDS
        while not waiting_for_a_lock(demo_property, guest.info.backend_pid):
            assert asyncio.get_running_loop().time() < deadline and not importing.done()
            await asyncio.sleep(0.01)
        # ...and, while the import waits for it, another on the first event's nights, which
        # waits for the import: a deadlock, which Postgres ends by failing the import's
        # statement.
        await asyncio.to_thread(
            add_reservation,
            guest,
            unit="Room 6",
            check_in=day(1),
            check_out=day(2),
            status="held",
            commit=False,
        )
        guest.commit()
        [outcome] = await asyncio.wait_for(importing, RACE_SECONDS)
    assert outcome.ok, outcome.error
    assert outcome.report is not None and outcome.report.holds_ended == 2
    assert nights_of(blocked(demo_property, "Room 6")) == [(day(0), day(4)), (day(6), day(9))]
    assert overlaps(demo_property) == 0
