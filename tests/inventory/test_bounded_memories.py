"""Every per-worker memory has a size bound (one deployment may serve thousands of
guesthouses), and what a memory drops is read again when next asked, never believed."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import psycopg
import pytest
from redis.asyncio import Redis

from tests.helpers import property_toml
from widget.bounded import Bounded
from widget.db import create_pool
from widget.inventory.calendar_cache import CalendarBodies
from widget.inventory.catalogue import Catalogues
from widget.inventory.freshness import Freshness
from widget.inventory.stock_memory import StockEntry, StockMemory
from widget.inventory.versions import VersionMemory
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import load_settings
from widget.state import Services, build_services

SLUGS = ("demo", "alpha", "bravo", "charlie")


@pytest.fixture
def guesthouses(demo: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
    """The demo and three more guesthouses."""
    for slug in SLUGS[1:]:
        apply_property(demo, parse_property(property_toml(slug)))
    demo.commit()
    return demo


def bump(db: psycopg.Connection[Any], slug: str) -> None:
    """A change whose notification this worker never hears (nobody listens in the test)."""
    db.execute(
        "UPDATE property SET inventory_version = inventory_version + 1 WHERE slug = %s", (slug,)
    )
    db.commit()


def listening() -> Freshness:
    freshness = Freshness()
    freshness.listening = True  # memories may be trusted, and no notification will come
    return freshness


def test_the_least_recently_used_entry_goes_first() -> None:
    memory: Bounded[str, int] = Bounded(2)
    memory.put("a", 1)
    memory.put("b", 2)
    assert memory.get("a") == 1  # "a" is now the more recent
    assert memory.put("c", 3) == "b"
    assert len(memory) == 2 and memory.get("b") is None and memory.get("a") == 1


async def test_versions_of_a_dropped_property_are_read_again_not_believed(
    guesthouses: psycopg.Connection[Any], services: Services
) -> None:
    memory = VersionMemory(listening(), services.pool, size=2)
    seen = {slug: await memory.of(slug) for slug in SLUGS}
    assert len(memory) == 2  # demo and alpha were dropped for bravo and charlie
    for slug in ("demo", "charlie"):
        bump(guesthouses, slug)
    # Dropped: read again, so the change shows although no notification was heard ...
    assert (await memory.of("demo")).inventory_version == seen["demo"].inventory_version + 1
    # ... while a property still in memory is believed until its notification comes (which
    # is what the listener is for; here it never comes).
    assert (await memory.of("charlie")).inventory_version == seen["charlie"].inventory_version


async def test_catalogues_and_busy_stays_keep_at_most_their_bound(
    guesthouses: psycopg.Connection[Any], services: Services
) -> None:
    catalogues = Catalogues(size=2)
    versions = VersionMemory(listening(), services.pool)
    async with services.pool.connection() as conn:
        for slug in SLUGS:
            kept = await catalogues.of(conn, slug, await versions.of(slug, conn))
            assert kept.property.slug == slug
        assert len(catalogues) == 2
        again = await catalogues.of(conn, "demo", await versions.of("demo", conn))
    assert again.property.slug == "demo" and len(catalogues) == 2

    stock = StockMemory(listening(), size=2)
    reads: list[int] = []

    def reader(property_id: int) -> Any:
        async def read() -> StockEntry:
            reads.append(property_id)
            return StockEntry(first=date.today(), stocks={}, good_until=time.monotonic() + 30)

        return read

    for property_id in (1, 2, 3, 1):
        await stock.ahead(property_id, 7, reader(property_id))
    assert len(stock) == 2
    assert reads == [1, 2, 3, 1]  # property 1 was dropped for 3, and read again


def test_calendar_answers_keep_at_most_their_bound() -> None:
    bodies = CalendarBodies(size=3)
    for n in range(10):
        bodies.keep(f"k{n}", b"{}" * 300)
        bodies.gzipped(f"k{n}", b"{}" * 300)
    assert [bodies.body(f"k{n}") is not None for n in range(10)] == [False] * 7 + [True] * 3
    assert len(bodies._gzipped) == 3


async def test_every_memory_of_a_worker_takes_its_bound_from_the_settings() -> None:
    settings = load_settings(
        {"INNKEEP_WORKER_PROPERTIES": "50", "INNKEEP_WORKER_CALENDARS": "20"},
        database_url="postgresql://nobody@127.0.0.1:1/none",
        redis_url="redis://127.0.0.1:1/0",
    )
    redis = Redis.from_url("redis://127.0.0.1:1/0")  # never connected
    services = build_services(settings, create_pool("postgresql://127.0.0.1:1/none"), redis)
    await redis.aclose()
    assert services.versions._versions.size == 50
    assert services.catalogues._kept.size == 50
    assert services.holds.stock._stock.size == 50
    assert services.availability._bodies._size == 20
