"""A feed import and 20 guests holding the same unit at the same moment: afterwards no two
active reservations overlap, and every night the import could not block is a recorded
conflict (never a night skipped silently)."""

from __future__ import annotations

import asyncio
import random
from datetime import date, timedelta
from typing import Any

import psycopg
from litestar.testing import AsyncTestClient

from tests.helpers import OPEN_DEMO_TOML, add_reservation
from tests.sync.feed_server import FeedServer, Route
from tests.sync.importing import connect_feeds, day, run, sync_settings
from tests.sync.samples import booking_com
from widget.app import create_app
from widget.settings import Settings


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

    async with AsyncTestClient(app=create_app(synced)) as api:

        async def guest(n: int, stay: tuple[date, date]) -> int:
            # Spread over the import's fetch and apply, so some holds land in the middle.
            await asyncio.sleep(n * 0.004)
            answer = await api.post(
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

        results = await asyncio.gather(
            run(database_url, synced),
            *(guest(n, stay) for n, stay in enumerate(wishes)),
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
