"""What each worker remembers about a property between requests, and when it forgets.

A calendar answer depends on the property's version (rules), its inventory version
(reservations) and its local date. Reading them costs a round trip to Postgres per request,
which would be most of a cached calendar's cost; so each worker keeps them in memory and
Postgres tells every worker when they change: a trigger sends ``NOTIFY innkeep_inventory``
on commit, whoever made the change. Entries also lapse at the property's midnight and after
`MAX_AGE` seconds, and while the listener is not connected nothing is remembered at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import psycopg
from psycopg_pool import AsyncConnectionPool

from widget.coalesce import Coalesced
from widget.db import Conn
from widget.inventory.catalogue import Versions, versions
from widget.inventory.stock import Stock

log = logging.getLogger(__name__)
Pool = AsyncConnectionPool[Conn]
T = TypeVar("T")

CHANNEL = "innkeep_inventory"
#: A safety net behind the notifications (a lost one costs at most this much staleness).
MAX_AGE = 30.0
#: Calendar answers a worker keeps in memory (each a few to a few dozen KB).
BODIES = 512


@dataclass(frozen=True)
class StockEntry:
    """Busy stays of one property from ``first`` on, by room type; true until ``good_until``
    (monotonic), when the first of its holds lapses or `MAX_AGE` runs out."""

    first: date
    stocks: dict[str, Stock]
    good_until: float


@dataclass(frozen=True)
class _Entry:
    versions: Versions
    good_until: float


class Freshness:
    """Per-worker memory of property versions and of calendar answers built from them."""

    def __init__(self) -> None:
        self._versions: dict[str, _Entry] = {}
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._gzipped: dict[str, bytes] = {}
        self._stock: dict[tuple[int, int], StockEntry] = {}
        # Reads in progress, by what they read and the generation they began in.
        self._reading_versions: Coalesced[tuple[Any, ...], Versions] = Coalesced()
        self._reading_stock: Coalesced[tuple[Any, ...], StockEntry] = Coalesced()
        #: Bumped by every `forget`: a read that began before a change was announced may
        #: predate it, so it is not remembered, nor shared with requests that came after.
        self._generation = 0
        self.listening = False

    async def versions(self, pool: Pool, slug: str) -> Versions:
        """The property's versions: from memory while the listener vouches for them, else
        read with a connection from ``pool`` (only on a miss)."""
        remembered = self._remembered(slug)
        if remembered is not None:
            return remembered

        async def read() -> Versions:
            async with pool.connection() as conn:
                return await versions(conn, slug)

        return await self._read_versions(slug, read)

    async def versions_on(self, conn: Conn, slug: str) -> Versions:
        """The same, for a caller that already holds a connection (never take a second one
        from the pool while holding one: under load that deadlocks the pool)."""
        remembered = self._remembered(slug)
        if remembered is not None:
            return remembered
        return await self._read_versions(slug, lambda: versions(conn, slug))

    async def _read_versions(self, slug: str, read: Callable[[], Awaitable[Versions]]) -> Versions:
        def remember(current: Versions) -> None:
            ttl = min(MAX_AGE, current.seconds_to_midnight)
            self._versions[slug] = _Entry(current, time.monotonic() + ttl)

        return await self._read_once(self._reading_versions, (slug,), read, remember)

    async def _read_once(
        self,
        reading: Coalesced[tuple[Any, ...], T],
        key: tuple[Any, ...],
        read: Callable[[], Awaitable[T]],
        keep: Callable[[T], None],
    ) -> T:
        """``read``, shared with the requests asking the same since the last `forget`, and
        kept only if nothing was forgotten meanwhile (the read may predate that change)."""
        generation = self._generation

        async def read_and_keep() -> T:
            value = await read()
            if generation == self._generation:
                keep(value)
            return value

        return await reading.run((*key, generation), read_and_keep)

    def _remembered(self, slug: str) -> Versions | None:
        entry = self._versions.get(slug)
        if entry is not None and self.listening and time.monotonic() < entry.good_until:
            return entry.versions
        return None

    def forget(self, property_id: int | None = None) -> None:
        """Drop what is known of one property (or of all)."""
        self._generation += 1
        for slug, entry in list(self._versions.items()):
            if property_id is None or entry.versions.property_id == property_id:
                del self._versions[slug]
        for key in list(self._stock):
            if property_id is None or key[0] == property_id:
                del self._stock[key]

    async def stock(
        self, property_id: int, inventory_version: int, read: Callable[[], Awaitable[StockEntry]]
    ) -> StockEntry:
        """The property's busy stays ahead at this inventory version: remembered while still
        true, else from ``read`` (one read at a time, shared by the requests waiting for it)."""
        key = (property_id, inventory_version)
        entry = self._stock.get(key)
        if entry is not None and self.listening and time.monotonic() < entry.good_until:
            return entry

        def keep(entry: StockEntry) -> None:
            for old in [k for k in self._stock if k[0] == property_id]:
                del self._stock[old]
            self._stock[key] = entry

        return await self._read_once(self._reading_stock, key, read, keep)

    def body(self, key: str) -> bytes | None:
        body = self._bodies.get(key)
        if body is not None:
            self._bodies.move_to_end(key)
        return body

    def keep(self, key: str, body: bytes) -> None:
        self._bodies[key] = body
        self._bodies.move_to_end(key)
        while len(self._bodies) > BODIES:
            old, _ = self._bodies.popitem(last=False)
            self._gzipped.pop(old, None)

    def gzipped(self, key: str, body: bytes) -> bytes:
        """``body`` compressed, computed once per kept answer."""
        packed = self._gzipped.get(key)
        if packed is None:
            packed = gzip.compress(body, compresslevel=6)
            if key in self._bodies:
                self._gzipped[key] = packed
        return packed

    async def listen(self, conninfo: str) -> None:
        """Follow the notifications until cancelled, reconnecting after any failure."""
        delay = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    # Anything may have changed while we were not listening.
                    self.forget()
                    self.listening = True
                    delay = 0.5
                    async for notice in conn.notifies():
                        if notice.payload == "*":
                            self.forget()
                        else:
                            with contextlib.suppress(ValueError):
                                self.forget(int(notice.payload))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("inventory notifications interrupted, retrying: %s", exc)
            finally:
                self.listening = False
                self.forget()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


@contextlib.asynccontextmanager
async def listening(freshness: Freshness, conninfo: str) -> AsyncIterator[None]:
    """Run the listener for as long as the context is open."""
    task = asyncio.create_task(freshness.listen(conninfo), name="inventory-notifications")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
