"""One worker's memory of each property's busy stays ahead, by inventory version.

The losers of a race for a room then never touch Postgres: they learn from memory which
units are taken. Postgres's NOTIFY drops it on any change (see `widget.inventory.freshness`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from widget.coalesce import Coalesced
from widget.inventory.freshness import Freshness
from widget.inventory.stock import Stock


@dataclass(frozen=True)
class StockEntry:
    """Busy stays of one property from ``first`` on, by room type; true until ``good_until``
    (monotonic), when the first of its holds lapses or `MAX_AGE` runs out."""

    first: date
    stocks: dict[str, Stock]
    good_until: float


class StockMemory:
    """Busy stays ahead of every property this worker has seen, one inventory version each."""

    def __init__(self, freshness: Freshness) -> None:
        self._freshness = freshness
        self._stock: dict[tuple[int, int], StockEntry] = {}
        # Reads in progress, by property, inventory version and generation.
        self._reading: Coalesced[tuple[Any, ...], StockEntry] = Coalesced()
        self.listening = False
        freshness.watch(self)

    async def ahead(
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

        return await self._freshness.read_once(self._reading, key, read, keep)

    def forget(self, property_id: int | None) -> None:
        """Drop what is known of one property (or of all)."""
        for key in list(self._stock):
            if property_id is None or key[0] == property_id:
                del self._stock[key]
