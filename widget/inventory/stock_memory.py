"""One worker's memory of each property's busy stays ahead, by inventory version.

The losers of a race for a room then never touch Postgres: they learn from memory which
units are taken. Postgres's NOTIFY of a reservation's change moves it to the next version
(`widget.inventory.stay_changes`); any other change drops it (see
`widget.inventory.freshness`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from widget.bounded import Bounded
from widget.coalesce import Coalesced
from widget.inventory.freshness import Freshness
from widget.inventory.stay_changes import StayChange
from widget.inventory.stock import Stock


@dataclass(frozen=True)
class StockEntry:
    """Busy stays of one property from ``first`` on, by room type; true until ``good_until``
    (monotonic), when the first of its holds lapses or `MAX_AGE` runs out."""

    first: date
    stocks: dict[str, Stock]
    good_until: float
    #: The inventory version the stays were read at (in the same snapshot), if known.
    version: int | None = None

    def changed(self, change: StayChange) -> StockEntry:
        """These stays with one reservation's change applied, at its version (a new entry:
        requests may be reading this one)."""
        freed, taken = change.freed, change.taken
        if taken is not None and taken.end <= self.first.toordinal():
            taken = None  # before the window: the read would not have it either
        stocks = {slug: stock.changed(freed, taken) for slug, stock in self.stocks.items()}
        good_until = self.good_until
        if taken is not None and change.lapses_in is not None:
            good_until = min(good_until, time.monotonic() + change.lapses_in)
        return StockEntry(self.first, stocks, good_until, change.version)


#: Properties whose busy stays a worker remembers at most (``INNKEEP_WORKER_PROPERTIES``).
PROPERTIES = 2000


class StockMemory:
    """Busy stays ahead of the properties this worker used last (at most ``size``), at one
    inventory version each: a property dropped is read again when next asked."""

    def __init__(self, freshness: Freshness, size: int = PROPERTIES) -> None:
        self._freshness = freshness
        #: By property: the inventory version the stays were read at, and the stays.
        self._stock: Bounded[int, tuple[int, StockEntry]] = Bounded(size)
        # Reads in progress, by property, inventory version and generation.
        self._reading: Coalesced[tuple[Any, ...], StockEntry] = Coalesced()
        self.listening = False
        freshness.watch(self)

    async def ahead(
        self, property_id: int, inventory_version: int, read: Callable[[], Awaitable[StockEntry]]
    ) -> StockEntry:
        """The property's busy stays ahead at this inventory version: remembered while still
        true, else from ``read`` (one read at a time, shared by the requests waiting for it)."""
        entry = self.remembered(property_id, inventory_version)
        if entry is not None:
            return entry

        def keep(entry: StockEntry) -> None:
            # Older versions of this property can never be asked for again: replaced. Kept
            # under the version the stays were read at: a change may have landed since
            # ``inventory_version`` was read, and its notification not arrived yet.
            read_at = inventory_version if entry.version is None else entry.version
            self._stock.put(property_id, (read_at, entry))

        key = (property_id, inventory_version)
        return await self._freshness.read_once(self._reading, key, read, keep)

    def remembered(self, property_id: int, inventory_version: int) -> StockEntry | None:
        """The busy stays in memory at this inventory version, if still true (no I/O)."""
        kept = self._stock.get(property_id)
        if kept is not None and kept[0] == inventory_version:
            entry = kept[1]
            if self.listening and time.monotonic() < entry.good_until:
                return entry
        return None

    def forget(self, property_id: int | None) -> None:
        """Drop what is known of one property (or of all)."""
        if property_id is None:
            self._stock.clear()
        else:
            self._stock.pop(property_id)

    def moved(self, change: StayChange) -> None:
        """Apply a reservation's change to stays read just before it; stays read after it
        are kept as they are, and stays older still are dropped (a change was missed)."""
        kept = self._stock.get(change.property_id)
        if kept is None or kept[0] >= change.version:
            return
        if kept[0] != change.version - 1:
            self._stock.pop(change.property_id)
            return
        self._stock.put(change.property_id, (change.version, kept[1].changed(change)))

    def __len__(self) -> int:
        return len(self._stock)
