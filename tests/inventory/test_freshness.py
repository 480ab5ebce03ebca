"""What a worker remembers about a property, and that a change is never remembered over."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

from tests.helpers import add_reservation
from widget.inventory import versions as versions_module
from widget.inventory.availability import stock_ahead
from widget.inventory.freshness import MAX_AGE, Freshness
from widget.inventory.stock_memory import StockEntry, StockMemory
from widget.inventory.versions import VersionMemory, Versions, read_versions
from widget.state import Services


def bump_inventory(db: psycopg.Connection[Any]) -> None:
    """What any reservation change does to the property (its trigger also notifies)."""
    db.execute("UPDATE property SET inventory_version = inventory_version + 1 WHERE slug = 'demo'")
    db.commit()


def inventory_version(db: psycopg.Connection[Any]) -> int:
    row = db.execute("SELECT inventory_version FROM property WHERE slug = 'demo'").fetchone()
    assert row is not None
    return int(row[0])


async def test_a_change_announced_during_a_read_is_not_remembered_over(
    demo: psycopg.Connection[Any], services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    freshness = Freshness()
    freshness.listening = True
    memory = VersionMemory(freshness, services.pool)
    before = inventory_version(demo)

    async def read_then_a_booking_lands(conn: Any, slug: str) -> Versions:
        seen = await read_versions(conn, slug)
        bump_inventory(demo)  # a booking commits after our query ran ...
        freshness.forget(seen.property_id)  # ... and its notification arrives before we finish
        return seen

    monkeypatch.setattr(versions_module, "read_versions", read_then_a_booking_lands)
    assert (await memory.of("demo")).inventory_version == before
    monkeypatch.setattr(versions_module, "read_versions", read_versions)
    # Had the first answer been remembered, this would still say `before` for 30 seconds.
    assert (await memory.of("demo")).inventory_version == before + 1


async def test_requests_that_find_memory_empty_together_share_one_read(
    demo: psycopg.Connection[Any], services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    freshness = Freshness()
    freshness.listening = True
    memory = VersionMemory(freshness, services.pool)
    reads = 0

    async def counted(conn: Any, slug: str) -> Versions:
        nonlocal reads
        reads += 1
        return await read_versions(conn, slug)

    monkeypatch.setattr(versions_module, "read_versions", counted)
    seen = await asyncio.gather(*(memory.of("demo") for _ in range(30)))
    assert reads == 1
    assert len({v.inventory_version for v in seen}) == 1
    # And it is remembered afterwards: no further read.
    await memory.of("demo")
    assert reads == 1


async def test_busy_stays_read_before_a_change_was_announced_are_read_again() -> None:
    freshness = Freshness()
    freshness.listening = True
    memory = StockMemory(freshness)
    reads = 0

    async def read() -> StockEntry:
        nonlocal reads
        reads += 1
        await asyncio.sleep(0)
        if reads == 1:
            freshness.forget(1)  # a notification for property 1 arrives mid-read
        return StockEntry(first=date.today(), stocks={}, good_until=time.monotonic() + 30)

    await memory.ahead(1, 7, read)
    await memory.ahead(1, 7, read)
    assert reads == 2  # the first entry was not kept
    await memory.ahead(1, 7, read)
    assert reads == 2  # the second one was


async def test_nothing_is_remembered_while_nobody_listens_for_changes(
    demo: psycopg.Connection[Any], services: Services
) -> None:
    # Not listening: a change could not be heard.
    memory = VersionMemory(Freshness(), services.pool)
    first = await memory.of("demo")
    bump_inventory(demo)
    assert (await memory.of("demo")).inventory_version == (first.inventory_version + 1)


async def test_a_request_after_a_change_does_not_share_a_read_that_began_before_it() -> None:
    freshness = Freshness()
    freshness.listening = True
    memory = StockMemory(freshness)
    began = asyncio.Event()
    release = asyncio.Event()
    reads: list[str] = []

    async def read(which: str) -> StockEntry:
        reads.append(which)
        began.set()
        await release.wait()
        return StockEntry(first=date.today(), stocks={}, good_until=time.monotonic() + 30)

    before = asyncio.create_task(memory.ahead(1, 7, lambda: read("before the change")))
    await began.wait()
    freshness.forget(1)  # a change is announced while that read runs
    after = asyncio.create_task(memory.ahead(1, 7, lambda: read("after the change")))
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(before, after)
    assert reads == ["before the change", "after the change"]


async def stays_remembered(services: Services) -> StockEntry:
    """The demo's busy stays, read into a listening worker's memory, as it keeps them."""
    freshness = Freshness()
    freshness.listening = True
    memory = StockMemory(freshness)
    async with services.pool.connection() as conn:
        seen = await read_versions(conn, "demo")
        catalogue = await services.catalogues.of(conn, "demo", seen)
        await stock_ahead(conn, catalogue, seen.today, seen.inventory_version, memory)
    entry = memory.remembered(seen.property_id, seen.inventory_version)
    assert entry is not None
    return entry


async def test_busy_stays_are_remembered_until_the_first_hold_lapses(
    demo: psycopg.Connection[Any], services: Services
) -> None:
    first = date.today() + timedelta(days=40)
    add_reservation(demo, check_in=first, check_out=first + timedelta(days=2), unit="Room 1")
    add_reservation(
        demo,
        check_in=first,
        check_out=first + timedelta(days=1),
        unit="Room 2",
        status="held",
        hold_for=timedelta(seconds=90),
    )
    entry = await stays_remembered(services)
    stocks = entry.stocks
    # The hold has 90 s left: kept for the 30 s any memory lasts at most.
    assert 25 < entry.good_until - time.monotonic() <= MAX_AGE
    doubles = stocks["double-sea-view"]
    assert len(doubles.free_units(first, first + timedelta(days=1))) == 1  # Room 3
    assert len(doubles.free_units(first + timedelta(days=1), first + timedelta(days=2))) == 2


async def test_busy_stays_lapse_with_a_hold_that_ends_sooner_than_the_memory(
    demo: psycopg.Connection[Any], services: Services
) -> None:
    first = date.today() + timedelta(days=40)
    add_reservation(
        demo,
        check_in=first,
        check_out=first + timedelta(days=1),
        unit="Suite 4",
        status="held",
        hold_for=timedelta(seconds=8),
    )
    entry = await stays_remembered(services)
    assert 5 < entry.good_until - time.monotonic() <= 8
