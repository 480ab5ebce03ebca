"""A property's versions: what decides whether anything remembered about it is still true.

Every part of the service reads them through one `VersionMemory` per worker: from memory
while the listener vouches for it (see `widget.inventory.freshness`), else from Postgres.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from widget.bounded import Bounded
from widget.coalesce import Coalesced
from widget.db import Conn, Pool
from widget.errors import NotFound, shown
from widget.inventory.freshness import MAX_AGE, Freshness
from widget.inventory.stay_changes import StayChange
from widget.limits import BOOKING_HORIZON_DAYS
from widget.sql import queries


@dataclass(frozen=True)
class Versions:
    """What decides whether a cached answer is still true, read in one query."""

    property_id: int
    version: int
    inventory_version: int
    time_zone: str
    today: date
    #: Until the property's next midnight, by the database's clock.
    seconds_to_midnight: float = 86400.0
    #: How many days after its today the property still sells (the last check-out).
    horizon_days: int = BOOKING_HORIZON_DAYS


async def read_versions(conn: Conn, slug: str) -> Versions:
    """The versions of ``slug`` as Postgres has them now; 404 for an unknown property."""
    cur = await conn.execute(queries("inventory")["property_versions"], {"slug": slug})
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"No property is called {shown(slug)}; check the data-property attribute.")
    return Versions(
        row["id"],
        row["version"],
        row["inventory_version"],
        row["time_zone"],
        row["today"],
        float(row["seconds_to_midnight"]),
        row["booking_horizon_days"],
    )


@dataclass(frozen=True)
class _Entry:
    versions: Versions
    good_until: float


#: Properties a worker remembers at most (``INNKEEP_WORKER_PROPERTIES``).
PROPERTIES = 2000


class VersionMemory:
    """One worker's memory of property versions, by slug, of at most ``size`` properties
    (the least recently asked for is dropped first, and read again when next asked)."""

    def __init__(self, freshness: Freshness, pool: Pool, size: int = PROPERTIES) -> None:
        self._freshness = freshness
        self._pool = pool
        self._versions: Bounded[str, _Entry] = Bounded(size)
        # Reads in progress, by slug and the generation they began in.
        self._reading: Coalesced[tuple[Any, ...], Versions] = Coalesced()
        self.listening = False
        freshness.watch(self)

    async def of(self, slug: str, conn: Conn | None = None) -> Versions:
        """The property's versions: from memory while the listener vouches for them, else
        read with ``conn``, or with a connection from the pool when the caller holds none
        (only on a miss; never take a second one while holding one: under load that
        deadlocks the pool)."""
        remembered = self.remembered(slug)
        if remembered is not None:
            return remembered
        return await self.read(slug, conn)

    def remembered(self, slug: str) -> Versions | None:
        """The versions in memory, if they may still be trusted (no I/O: the hot path)."""
        entry = self._versions.get(slug)
        if entry is not None and self.listening and time.monotonic() < entry.good_until:
            return entry.versions
        return None

    async def read(self, slug: str, conn: Conn | None = None) -> Versions:
        """Read them from Postgres (once for all who ask together) and remember them."""
        read: Callable[[], Awaitable[Versions]]
        if conn is not None:
            held = conn
            read = lambda: read_versions(held, slug)  # noqa: E731
        else:

            async def read() -> Versions:
                async with self._pool.connection() as borrowed:
                    return await read_versions(borrowed, slug)

        def remember(current: Versions) -> None:
            ttl = min(MAX_AGE, current.seconds_to_midnight)
            self._versions.put(slug, _Entry(current, time.monotonic() + ttl))

        return await self._freshness.read_once(self._reading, (slug,), read, remember)

    def forget(self, property_id: int | None) -> None:
        """Drop what is known of one property (or of all)."""
        if property_id is None:
            self._versions.clear()
        else:
            self._versions.drop_where(lambda _, entry: entry.versions.property_id == property_id)

    def moved(self, change: StayChange) -> None:
        """A reservation's change: versions read just before it move on to its inventory
        version; versions read after it stay; older ones are dropped (a change was missed)."""
        for slug in self._versions:
            entry = self._versions.peek(slug)
            if entry is None or entry.versions.property_id != change.property_id:
                continue
            seen = entry.versions.inventory_version
            if seen == change.version - 1:
                moved = replace(entry.versions, inventory_version=change.version)
                self._versions.put(slug, _Entry(moved, entry.good_until))
            elif seen < change.version:
                self._versions.pop(slug)

    def __len__(self) -> int:
        return len(self._versions)
