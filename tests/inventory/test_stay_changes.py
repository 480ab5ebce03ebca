"""A reservation's change, told to every worker, moves its memories on without a read."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

from tests.helpers import add_reservation
from widget.app import services_of
from widget.inventory.availability import stock_ahead
from widget.inventory.freshness import Freshness
from widget.inventory.notifications import CHANNEL, heard, listening
from widget.inventory.stay_changes import Nights, StayChange
from widget.inventory.stock import Stock
from widget.inventory.stock_memory import StockEntry, StockMemory
from widget.inventory.versions import VersionMemory
from widget.state import Services

FIRST = date.today() + timedelta(days=40)


def day(offset: int) -> date:
    return FIRST + timedelta(days=offset)


def told(db: psycopg.Connection[Any], change: Any) -> list[str]:
    """The notifications ``change(db)`` sends, once committed (any within half a second)."""
    with psycopg.connect(db.info.dsn, autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        change(db)
        db.commit()
        return [notice.payload for notice in listener.notifies(timeout=0.5, stop_after=2)]


async def until(done: Any, what: str) -> None:
    """Wait (at most 5 s) for ``done()``."""
    for _ in range(500):
        if done():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never: {what}")


def inventory_version(db: psycopg.Connection[Any]) -> int:
    row = db.execute("SELECT inventory_version FROM property WHERE slug = 'demo'").fetchone()
    assert row is not None
    return int(row[0])


def unit_id(db: psycopg.Connection[Any], name: str) -> int:
    row = db.execute("SELECT id FROM unit WHERE name = %s", (name,)).fetchone()
    assert row is not None
    return int(row[0])


def test_a_booking_a_hold_and_their_ends_are_told_with_their_nights(
    demo: psycopg.Connection[Any],
) -> None:
    room_1, property_id = (
        unit_id(demo, "Room 1"),
        int(demo.execute("SELECT id FROM property").fetchone()[0]),
    )  # type: ignore[index]
    before = inventory_version(demo)
    nights = Nights(room_1, day(0).toordinal(), day(2).toordinal())

    booked = told(
        demo, lambda db: add_reservation(db, check_in=day(0), check_out=day(2), commit=False)
    )
    assert [StayChange.parse(p) for p in booked] == [
        StayChange(property_id, before + 1, None, nights)
    ]

    held = told(
        demo,
        lambda db: add_reservation(
            db,
            check_in=day(3),
            check_out=day(4),
            status="held",
            hold_for=timedelta(seconds=300),
            commit=False,
        ),
    )
    (hold,) = [StayChange.parse(p) for p in held]
    assert hold.version == before + 2 and hold.freed is None
    assert hold.taken == Nights(room_1, day(3).toordinal(), day(4).toordinal())
    assert hold.lapses_in is not None and 290 < hold.lapses_in <= 300

    cancelled = told(
        demo,
        lambda db: db.execute(
            "UPDATE reservation SET status = 'cancelled' WHERE lower(stay) = %s", (day(0),)
        ),
    )
    assert [StayChange.parse(p) for p in cancelled] == [
        StayChange(property_id, before + 3, nights, None)
    ]


def test_a_change_of_the_rules_still_says_only_which_property(
    demo: psycopg.Connection[Any],
) -> None:
    payloads = told(demo, lambda db: db.execute("UPDATE property SET version = version + 1"))
    (property_id,) = demo.execute("SELECT id FROM property").fetchone()  # type: ignore[misc]
    assert payloads == [str(property_id)]


def stays_of(stocks: dict[str, Stock]) -> dict[int, tuple[list[int], list[int]]]:
    return {
        unit: (diary.starts, diary.ends)
        for stock in stocks.values()
        for unit, diary in stock.diaries.items()
    }


async def test_a_listening_worker_follows_bookings_without_reading_them_again(
    demo: psycopg.Connection[Any], services: Services, database_url: str
) -> None:
    freshness = Freshness()
    versions = VersionMemory(freshness, services.pool)
    memory = StockMemory(freshness)
    add_reservation(demo, check_in=day(0), check_out=day(2), unit="Room 2")
    async with listening(freshness, database_url), services.pool.connection() as conn:
        await until(lambda: freshness.listening, "listening")
        seen = await versions.of("demo", conn)
        catalogue = await services.catalogues.of(conn, "demo", seen)
        await stock_ahead(conn, catalogue, seen.today, seen.inventory_version, memory)
        changes = [
            lambda: add_reservation(demo, check_in=day(1), check_out=day(3), unit="Room 1"),
            lambda: add_reservation(
                demo, check_in=day(5), check_out=day(6), unit="Suite 4", status="held"
            ),
            lambda: demo.execute(
                "UPDATE reservation SET stay = daterange(%s, %s) WHERE lower(stay) = %s",
                (day(7), day(9), day(1)),
            ),
            lambda: demo.execute(
                "UPDATE reservation SET status = 'confirmed' WHERE status = 'held'"
            ),
            lambda: demo.execute("DELETE FROM reservation WHERE lower(stay) = %s", (day(0),)),
        ]
        for change in changes:
            change()
            demo.commit()
            expected = inventory_version(demo)

            def heard_of(expected: int = expected) -> bool:
                known = versions.remembered("demo")
                return known is not None and known.inventory_version >= expected

            await until(heard_of, "the change heard")
            # Moved on by the notification alone: nothing here reads the stays again.
            followed = memory.remembered(catalogue.property_id, expected)
            assert followed is not None, "the change was not applied: the stays would be read"
            fresh = await stock_ahead(
                conn, catalogue, seen.today, expected, StockMemory(Freshness())
            )
            assert stays_of(followed.stocks) == stays_of(fresh)


async def entry_at(version: int) -> tuple[StockMemory, Freshness]:
    freshness = Freshness()
    freshness.listening = True
    memory = StockMemory(freshness)
    stocks = {"double": Stock([1, 2], [(1, day(0), day(2))])}

    async def read() -> StockEntry:
        return StockEntry(day(-1), stocks, time.monotonic() + 30, version)

    await memory.ahead(7, version, read)
    return memory, freshness


@pytest.mark.parametrize(
    ("change_version", "kept_at"), [(6, 6), (5, 5), (7, None)], ids=["next", "older", "gap"]
)
async def test_busy_stays_move_on_only_from_the_version_just_before(
    change_version: int, kept_at: int | None
) -> None:
    memory, freshness = await entry_at(5)
    taken = Nights(2, day(0).toordinal(), day(1).toordinal())
    freshness.moved(StayChange(7, change_version, None, taken))
    for version in (5, 6, 7):
        entry = memory.remembered(7, version)
        assert (entry is not None) == (version == kept_at)
    moved = memory.remembered(7, 6)
    if kept_at == 6:
        assert moved is not None
        assert moved.stocks["double"].free_units(day(0), day(1)) == []


async def test_a_notification_not_understood_forgets_everything() -> None:
    memory, freshness = await entry_at(5)
    heard(freshness, "s 7 6 +2,x,y")
    assert memory.remembered(7, 5) is None


async def test_a_hold_is_answered_once_its_worker_knows_it_without_reading_again(
    api: Any, demo: psycopg.Connection[Any]
) -> None:
    services = services_of(api.app)
    await until(lambda: services.freshness.listening, "listening")
    wish = {
        "room_type": "garden-single",
        "check_in": str(day(0)),
        "check_out": str(day(1)),
        "adults": 1,
    }
    quote = await api.post("/api/v1/properties/demo/quotes", json=wish)  # memories filled
    assert quote.status_code == 200
    held = await api.post("/api/v1/properties/demo/holds", json=wish)
    assert held.status_code == 201, held.text
    # At once, with no notification awaited by the test: the worker's memories are at the
    # version the hold made, and have the unit taken (before, it forgot the property).
    known = services.versions.remembered("demo")
    assert known is not None and known.inventory_version == inventory_version(demo)
    stays = services.holds.stock.remembered(known.property_id, known.inventory_version)
    assert stays is not None
    assert stays.stocks["garden-single"].free_units(day(0), day(1)) == []


async def test_a_worker_not_hearing_its_own_change_forgets_the_property() -> None:
    memory, freshness = await entry_at(5)
    await freshness.caught_up(7, 6)  # listening, but the notification never comes
    assert memory.remembered(7, 5) is None
    memory, freshness = await entry_at(5)
    freshness.listening = False
    await freshness.caught_up(7, 6)
    assert memory.remembered(7, 5) is None


async def test_what_was_heard_is_forgotten_with_the_memories() -> None:
    # A listener that reconnects (to a database restored from a copy, say) forgets
    # everything: a version heard before must not vouch for memories read after.
    memory, freshness = await entry_at(5)
    freshness.moved(StayChange(7, 10, None, None))
    freshness.forget()
    memory, _ = await entry_at(5)  # read again afterwards, into the same worker's memories
    freshness.watch(memory)
    await freshness.caught_up(7, 6)  # its own change, never heard
    assert memory.remembered(7, 5) is None
