"""What a worker remembers about a property, and that a change is never remembered over."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from typing import Any

import psycopg
import pytest

from widget.inventory import freshness as freshness_module
from widget.inventory.catalogue import Versions, versions
from widget.inventory.freshness import Freshness, StockEntry
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
    memory = Freshness()
    memory.listening = True
    before = inventory_version(demo)

    async def read_then_a_booking_lands(conn: Any, slug: str) -> Versions:
        seen = await versions(conn, slug)
        bump_inventory(demo)  # a booking commits after our query ran ...
        memory.forget(seen.property_id)  # ... and its notification arrives before we finish
        return seen

    monkeypatch.setattr(freshness_module, "versions", read_then_a_booking_lands)
    assert (await memory.versions(services.pool, "demo")).inventory_version == before
    monkeypatch.setattr(freshness_module, "versions", versions)
    # Had the first answer been remembered, this would still say `before` for 30 seconds.
    assert (await memory.versions(services.pool, "demo")).inventory_version == before + 1


async def test_requests_that_find_memory_empty_together_share_one_read(
    demo: psycopg.Connection[Any], services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory = Freshness()
    memory.listening = True
    reads = 0

    async def counted(conn: Any, slug: str) -> Versions:
        nonlocal reads
        reads += 1
        return await versions(conn, slug)

    monkeypatch.setattr(freshness_module, "versions", counted)
    seen = await asyncio.gather(*(memory.versions(services.pool, "demo") for _ in range(30)))
    assert reads == 1
    assert len({v.inventory_version for v in seen}) == 1
    # And it is remembered afterwards: no further read.
    await memory.versions(services.pool, "demo")
    assert reads == 1


async def test_busy_stays_read_before_a_change_was_announced_are_read_again() -> None:
    memory = Freshness()
    memory.listening = True
    reads = 0

    async def read() -> StockEntry:
        nonlocal reads
        reads += 1
        await asyncio.sleep(0)
        if reads == 1:
            memory.forget(1)  # a notification for property 1 arrives mid-read
        return StockEntry(first=date.today(), stocks={}, good_until=time.monotonic() + 30)

    await memory.stock(1, 7, read)
    await memory.stock(1, 7, read)
    assert reads == 2  # the first entry was not kept
    await memory.stock(1, 7, read)
    assert reads == 2  # the second one was


async def test_nothing_is_remembered_while_nobody_listens_for_changes(
    demo: psycopg.Connection[Any], services: Services
) -> None:
    memory = Freshness()  # not listening: a change could not be heard
    first = await memory.versions(services.pool, "demo")
    bump_inventory(demo)
    assert (await memory.versions(services.pool, "demo")).inventory_version == (
        first.inventory_version + 1
    )


async def test_a_request_after_a_change_does_not_share_a_read_that_began_before_it() -> None:
    memory = Freshness()
    memory.listening = True
    began = asyncio.Event()
    release = asyncio.Event()
    reads: list[str] = []

    async def read(which: str) -> StockEntry:
        reads.append(which)
        began.set()
        await release.wait()
        return StockEntry(first=date.today(), stocks={}, good_until=time.monotonic() + 30)

    before = asyncio.create_task(memory.stock(1, 7, lambda: read("before the change")))
    await began.wait()
    memory.forget(1)  # a change is announced while that read runs
    after = asyncio.create_task(memory.stock(1, 7, lambda: read("after the change")))
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(before, after)
    assert reads == ["before the change", "after the change"]
