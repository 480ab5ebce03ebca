"""Importing other channels' feeds: nights blocked under the one constraint, idempotent
re-imports, moves and cancellations, echoes, conflicts told once, and faults that change
nothing and are named in words."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.helpers import add_reservation
from tests.sync.feed_server import FeedServer, Route
from tests.sync.importing import (
    blocked,
    conflicts,
    connect_feeds,
    day,
    nights_of,
    owner_mails,
    run,
    sync_settings,
)
from tests.sync.samples import airbnb, booking_com, events, vrbo
from widget.settings import Settings


@pytest.fixture
def synced(settings: Settings) -> Settings:
    return sync_settings(settings)


async def test_a_feeds_nights_are_blocked_and_a_second_import_changes_nothing(
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    synced: Settings,
    database_url: str,
) -> None:
    feed_server.routes["/airbnb.ics"] = Route(airbnb([(day(0), day(3))], [(day(10), day(12))]))
    connect_feeds(demo_property, feed_server, [("Room 1", "Airbnb", "/airbnb.ics")])
    [first] = await run(database_url, synced)
    assert first.ok and first.report is not None
    assert len(first.report.added) == 2
    assert nights_of(blocked(demo_property)) == [(day(0), day(3)), (day(10), day(12))]

    # The same feed again: a conditional GET, answered 304, and nothing changes.
    [second] = await run(database_url, synced)
    assert second.ok and second.status == 304 and second.report is None
    assert "if-none-match" in feed_server.requests[-1][1]
    # A new ETag with the same events (a new DTSTAMP, say): read again, still no change.
    feed_server.routes["/airbnb.ics"].body += b"\r\n"
    [third] = await run(database_url, synced)
    assert third.status == 200 and third.report is not None and third.report.lines() == []
    assert nights_of(blocked(demo_property)) == [(day(0), day(3)), (day(10), day(12))]


async def test_moved_cancelled_and_vanished_events_move_and_release_their_nights(
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    synced: Settings,
    database_url: str,
) -> None:
    one = ["UID:one", f"DTSTART;VALUE=DATE:{day(0):%Y%m%d}", f"DTEND;VALUE=DATE:{day(2):%Y%m%d}"]
    two = ["UID:two", f"DTSTART;VALUE=DATE:{day(5):%Y%m%d}", f"DTEND;VALUE=DATE:{day(7):%Y%m%d}"]
    three = [
        "UID:three",
        f"DTSTART;VALUE=DATE:{day(9):%Y%m%d}",
        f"DTEND;VALUE=DATE:{day(10):%Y%m%d}",
    ]
    feed_server.routes["/f.ics"] = Route(events(one, two, three))
    connect_feeds(demo_property, feed_server, [("Room 1", "Booking.com", "/f.ics")])
    await run(database_url, synced)
    assert len(blocked(demo_property)) == 3

    moved = ["UID:one", f"DTSTART;VALUE=DATE:{day(1):%Y%m%d}", f"DTEND;VALUE=DATE:{day(3):%Y%m%d}"]
    feed_server.routes["/f.ics"] = Route(events(moved, [*two, "STATUS:CANCELLED"]))
    [outcome] = await run(database_url, synced)
    assert outcome.report is not None
    assert [m[0] for m in outcome.report.moved] == ["one"]
    assert sorted(r[0] for r in outcome.report.released) == ["three", "two"]
    assert blocked(demo_property) == [("Booking.com", "one", day(1), day(3))]


async def test_a_feed_that_lists_the_same_night_twice_blocks_it_once_without_a_conflict(
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    synced: Settings,
    database_url: str,
) -> None:
    feed_server.routes["/v.ics"] = Route(vrbo([(day(0), day(3)), (day(2), day(5))]))
    connect_feeds(demo_property, feed_server, [("Room 1", "Vrbo", "/v.ics")])
    await run(database_url, synced)
    nights = nights_of(blocked(demo_property))
    assert sorted({d for a, b in nights for d in range((a - day(0)).days, (b - day(0)).days)}) == [
        0,
        1,
        2,
        3,
        4,
    ]
    assert conflicts(demo_property) == [] and owner_mails(demo_property) == []


async def test_a_clash_with_a_booking_is_recorded_once_and_the_other_nights_are_blocked(
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    synced: Settings,
    database_url: str,
) -> None:
    add_reservation(demo_property, check_in=day(2), check_out=day(4), reference="BK-1")
    feed_server.routes["/b.ics"] = Route(booking_com([(day(0), day(6))]))
    connect_feeds(demo_property, feed_server, [("Room 1", "Booking.com", "/b.ics")])
    [outcome] = await run(database_url, synced)
    assert outcome.report is not None and len(outcome.report.conflicts) == 1
    assert "booking BK-1" in outcome.report.conflicts[0].other
    # The nights around the booking are blocked; the booking is untouched.
    assert nights_of(blocked(demo_property)) == [(day(0), day(2)), (day(4), day(6))]
    uid = blocked(demo_property)[0][1]
    assert conflicts(demo_property) == [(uid, day(2), day(4), "confirmed", True)]
    assert owner_mails(demo_property) == [
        ("owner_sync_conflict", f"Double booking in Room 1 ({day(2)}): Booking.com and Innkeep")
    ]
    # Fetched again (and changed elsewhere): still one conflict, still one e-mail.
    feed_server.routes["/b.ics"] = Route(booking_com([(day(0), day(6)), (day(20), day(21))]))
    await run(database_url, synced)
    assert len(conflicts(demo_property)) == 1 and len(owner_mails(demo_property)) == 1

    # The owner cancels the direct booking: the clash is over, and the nights are blocked.
    demo_property.execute("UPDATE reservation SET status = 'cancelled' WHERE reference = 'BK-1'")
    [unchanged] = await run(database_url, synced)  # the feed itself did not change: 304
    assert unchanged.status == 304 and unchanged.report is not None
    assert unchanged.report.lines() == [
        f"blocked {day(2)} to {day(4)} (2 nights) of {uid}, free again"
    ]
    assert [c[-1] for c in conflicts(demo_property)] == [False]
    assert sorted(nights_of(blocked(demo_property)))[:3] == [
        (day(0), day(2)),
        (day(2), day(4)),
        (day(4), day(6)),
    ]


async def test_a_feed_flipping_between_two_versions_tells_the_owner_once(
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    synced: Settings,
    database_url: str,
) -> None:
    add_reservation(demo_property, check_in=day(2), check_out=day(4), reference="BK-2")
    clashing = airbnb([(day(3), day(5))])
    clear = airbnb([(day(10), day(12))])
    connect_feeds(demo_property, feed_server, [("Room 1", "Airbnb", "/a.ics")])
    for body in (clashing, clear, clashing, clear, clashing):
        feed_server.routes["/a.ics"] = Route(body)
        [outcome] = await run(database_url, synced)
        assert outcome.ok
    assert nights_of(blocked(demo_property)) == [(day(4), day(5))]
    assert len(owner_mails(demo_property)) == 1
    assert [c[-1] for c in conflicts(demo_property)] == [True]


async def test_a_clash_with_another_channels_stay_is_a_conflict(
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    synced: Settings,
    database_url: str,
) -> None:
    feed_server.routes["/a.ics"] = Route(airbnb([(day(0), day(3))]))
    feed_server.routes["/v.ics"] = Route(vrbo([(day(2), day(4))]))
    connect_feeds(
        demo_property, feed_server, [("Room 1", "Airbnb", "/a.ics"), ("Room 1", "Vrbo", "/v.ics")]
    )
    await run(database_url, synced, "Airbnb")
    [outcome] = await run(database_url, synced, "Vrbo")
    assert outcome.report is not None
    assert "a stay imported from Airbnb" in outcome.report.conflicts[0].other
    assert [(r[0], r[2], r[3]) for r in blocked(demo_property)] == [
        ("Airbnb", day(0), day(3)),
        ("Vrbo", day(3), day(4)),
    ]


async def test_an_import_wins_over_a_live_hold(
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    synced: Settings,
    database_url: str,
) -> None:
    hold = add_reservation(demo_property, check_in=day(1), check_out=day(2), status="held")
    feed_server.routes["/a.ics"] = Route(airbnb([(day(0), day(3))]))
    connect_feeds(demo_property, feed_server, [("Room 1", "Airbnb", "/a.ics")])
    [outcome] = await run(database_url, synced)
    assert outcome.report is not None and outcome.report.holds_ended == 1
    assert outcome.report.conflicts == []
    assert nights_of(blocked(demo_property)) == [(day(0), day(3))]
    status = demo_property.execute("SELECT status::text FROM reservation WHERE id = %s", (hold,))
    assert status.fetchone() == ("expired",)


async def test_a_conflict_and_a_failing_feed_reach_the_owners_webhooks_once(
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    synced: Settings,
    database_url: str,
) -> None:
    from datetime import timedelta

    from tests.helpers import DEMO_TOML, advance_clock

    secret = "whsec_" + "A" * 43 + "="
    hooks = (
        f'\n[[webhooks]]\nurl = "https://tools.example.com/hook"\n'
        f'events = ["sync.conflict", "sync.feed_failed"]\nsecret = "{secret}"\n'
    )
    add_reservation(demo_property, check_in=day(2), check_out=day(4), reference="BK-W")
    feed_server.routes["/b.ics"] = Route(booking_com([(day(0), day(6))]))
    connect_feeds(
        demo_property, feed_server, [("Room 1", "Booking.com", "/b.ics")], DEMO_TOML + hooks
    )
    await run(database_url, synced)
    feed_server.routes["/b.ics"].body += b"\r\n"
    await run(database_url, synced)  # the same clash again: no second event
    feed_server.routes["/b.ics"] = Route(b"gone", 404, "text/plain")
    await run(database_url, synced)
    advance_clock(demo_property, timedelta(hours=7))
    await run(database_url, synced)
    await run(database_url, synced)
    events = demo_property.execute(
        "SELECT event_type, data FROM webhook_delivery ORDER BY id"
    ).fetchall()
    assert [e[0] for e in events] == ["sync.conflict", "sync.feed_failed"]
    conflict, failed = events[0][1], events[1][1]
    assert conflict["unit"] == "Room 1" and conflict["channel"] == "Booking.com"
    assert conflict["nights"] == {"check_in": str(day(2)), "check_out": str(day(4))}
    assert "booking BK-W" in conflict["other"]
    assert "404" in failed["error"] and "/b.ics" not in failed["error"]
