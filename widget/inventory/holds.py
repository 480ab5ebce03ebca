"""Holding a room while the guest checks out, and letting it go.

A hold is priced once (the quote is stored with it and is what checkout charges), takes the
Redis gate for all nights of one unit, and is written as a ``held`` row that the exclusion
constraint guards. A conflict on one unit moves on to the next free unit of the room type.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec
from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb

from engine import Party, Quote, quote_to_builtins
from widget.coalesce import Coalesced
from widget.db import Conn
from widget.errors import (
    Conflict,
    PriceChanged,
    RoomTaken,
)
from widget.inventory.availability import free_in, stock_ahead
from widget.inventory.catalogue import Catalogue
from widget.inventory.freshness import Freshness
from widget.inventory.gate import Gate, GateUnavailable, night_keys
from widget.inventory.quotas import Client, Quotas, fair_share
from widget.inventory.quoting import check_stay, price
from widget.inventory.stock import Stock
from widget.inventory.stock_memory import StockMemory
from widget.settings import Settings
from widget.sql import queries
from widget.tokens import new_token, token_hash

log = logging.getLogger(__name__)

#: A gate taken this recently by a hold Postgres does not know yet belongs to a request
#: still on its way to the database: it is in the way. Older ones were abandoned.
GATE_IN_FLIGHT_SECONDS = 10.0


class StayWish(msgspec.Struct, frozen=True):
    """What the guest asked to hold."""

    room_type: str
    check_in: date
    check_out: date
    party: Party
    promo_code: str | None = None
    quote_hash: str | None = None


@dataclass(frozen=True)
class NewHold:
    id: UUID
    token: str
    expires_at: datetime
    quote: Quote
    version: int


class Holds:
    """Holds of every property, for one worker: Postgres, the gate and the quotas."""

    def __init__(
        self,
        settings: Settings,
        gate: Gate,
        quotas: Quotas,
        stock: StockMemory,
        freshness: Freshness,
    ) -> None:
        self.settings = settings
        self.gate = gate
        self.quotas = quotas
        self.stock = stock
        #: This worker's own changes are forgotten at once: the NOTIFY that tells every
        #: worker arrives a moment later, and this guest's next request may come first.
        self.freshness = freshness
        #: Every loser of a race meets the winner's gate; they share one look at its row.
        #: (One that arrives just as that hold ends may hear "still held" from a look begun
        #: a moment before: the same as arriving that moment earlier. Never a double booking.)
        self._asking: Coalesced[UUID, bool | None] = Coalesced()

    async def create(
        self,
        conn: Conn,
        shop: Catalogue,
        wish: StayWish,
        client: Client,
        today: date,
        inventory_version: int,
    ) -> NewHold:
        """Price the stay, pick a free unit and hold it; 409 when none is free.

        The units' busy stays come from this worker's memory under the ``inventory_version``
        the caller read (see `stock_ahead`); Postgres stays the final guard."""
        check_stay(wish.check_in, wish.check_out, today, shop.horizon_days)
        shop.room(wish.room_type)
        stocks = await stock_ahead(conn, shop, today, inventory_version, self.stock)
        stock = stocks[wish.room_type]
        units = stock.free_units(wish.check_in, wish.check_out)
        if not units:
            raise self._taken(shop, wish, stocks)

        hold_id = uuid.uuid4()
        share = fair_share(shop.unit_count(), shop.hold_share_percent)
        charged: list[bool] = []  # [counted in Redis?] once this request was charged

        async def prepare() -> tuple[Quote, int | None]:
            """Once a unit's gate is ours: price the stay, check the price the guest saw and
            charge the client's quota. Losers of a race never get here: they cost no
            pricing and no quota. Returns the quote, and the client's share when Postgres
            must count it (Redis is away)."""
            quote = price(
                shop,
                stock,
                wish.room_type,
                wish.check_in,
                wish.check_out,
                wish.party,
                wish.promo_code,
                today,
            )
            if wish.quote_hash and wish.quote_hash != quote.quote_hash:
                raise PriceChanged(
                    "The price of this stay has changed since it was shown; here is the new one.",
                    extra={"quote": quote_to_builtins(quote)},
                )
            if not charged:
                charged.append(
                    await self.quotas.charge(conn, shop.property_id, client, hold_id, share)
                )
            return quote, None if charged[0] else share

        try:
            for unit_id in units:
                held = await self._try_unit(conn, shop, wish, client, hold_id, unit_id, prepare)
                if held is not None:
                    return held
        except BaseException:
            if charged:
                await self.quotas.refund(shop.property_id, client, hold_id)
            raise
        if charged:
            await self.quotas.refund(shop.property_id, client, hold_id)
        raise self._taken(shop, wish, stocks)

    async def _try_unit(
        self,
        conn: Conn,
        shop: Catalogue,
        wish: StayWish,
        client: Client,
        hold_id: UUID,
        unit_id: int,
        prepare: Callable[[], Awaitable[tuple[Quote, int | None]]],
    ) -> NewHold | None:
        settings = self.settings
        keys = night_keys(shop.property_id, unit_id, wish.check_in, wish.check_out)
        gated = await self._take_gate(conn, keys, hold_id, settings.hold_seconds)
        if gated is False:
            return None  # someone is holding it right now: the next unit
        token = new_token()
        q = queries("inventory")
        try:
            quote, share_in_postgres = await prepare()
            async with conn.transaction():
                if share_in_postgres is not None:
                    await self.quotas.charge_in_postgres(
                        conn, shop.property_id, client, share_in_postgres
                    )
                cur = await conn.execute(
                    q["expire_lapsed_on_unit"],
                    {"unit_id": unit_id, "check_in": wish.check_in, "check_out": wish.check_out},
                )
                lapsed = await cur.fetchall()
                cur = await conn.execute(
                    q["insert_hold"],
                    {
                        "id": hold_id,
                        "property_id": shop.property_id,
                        "unit_id": unit_id,
                        "check_in": wish.check_in,
                        "check_out": wish.check_out,
                        "hold_seconds": settings.hold_seconds,
                        "token_hash": token_hash(token),
                        "adults": wish.party.adults,
                        "children": list(wish.party.children),
                        "quote": Jsonb(quote_to_builtins(quote)),
                        "quote_hash": quote.quote_hash,
                        "promo_code": wish.promo_code,
                        "client_key": client.key,
                        "client_address": client.address,
                    },
                )
                row = await cur.fetchone()
        except pg_errors.ExclusionViolation:
            # Postgres, the final guard, says the nights are taken: give the gate back.
            if gated:
                await self.gate.release(keys, hold_id)
            return None
        except BaseException:
            if gated:
                await self.gate.release(keys, hold_id)
            raise
        assert row is not None
        self.freshness.forget(shop.property_id)
        for old in lapsed:
            await self._forget(shop.property_id, old)
        return NewHold(hold_id, token, row["hold_expires_at"], quote, row["version"])

    async def _take_gate(
        self, conn: Conn, keys: list[str], hold_id: UUID, ttl: float
    ) -> bool | None:
        """True: taken. False: another live hold has it. None: Redis away, go on without."""
        try:
            holder = await self.gate.acquire(keys, hold_id, ttl)
            if holder is None:
                return True
            if await self._still_holding(conn, holder.hold_id, holder.age_seconds()):
                return False
            # Postgres no longer honours that hold: its gate may be taken over.
            holder = await self.gate.acquire(keys, hold_id, ttl, yielding=(holder.hold_id,))
            return holder is None
        except GateUnavailable:
            return None

    async def _still_holding(self, conn: Conn, hold_id: str, age: float) -> bool:
        """Whether the hold whose gate is in the way still has a claim Postgres honours.
        Postgres is asked even for a young gate: a hold booked and then cancelled keeps its
        gate, and must not keep the room with it."""
        try:
            holder = UUID(hold_id)
        except ValueError:
            return False

        async def ask() -> bool | None:
            cur = await conn.execute(queries("inventory")["hold_is_active"], {"id": holder})
            row = await cur.fetchone()
            return None if row is None else bool(row["active"])

        active = await self._asking.run(holder, ask)
        if active is not None:
            return active
        # No row yet: a request on its way to Postgres, unless it died long ago.
        return age < GATE_IN_FLIGHT_SECONDS

    def _taken(self, shop: Catalogue, wish: StayWish, stocks: dict[str, Stock]) -> Conflict:
        # From the stock already read: no second query on the path every loser of a race takes.
        free = [
            slug
            for slug in free_in(shop, stocks, wish.check_in, wish.check_out, wish.party)
            if slug != wish.room_type
        ]
        return RoomTaken(
            "Sorry, that room was just taken for these dates."
            + (" These rooms are still free." if free else " Nothing else is free for them."),
            extra={"free_room_types": free},
        )

    async def release(self, conn: Conn, hold_id: UUID) -> bool:
        """Let a hold go at once (the caller has checked its token). False if it was no
        longer held (already released, expired or booked)."""
        cur = await conn.execute(queries("inventory")["release_hold"], {"id": hold_id})
        row = await cur.fetchone()
        if row is None:
            return False
        await self._forget(row["property_id"], {**row, "id": hold_id})
        return True

    async def sweep(self, conn: Conn, limit: int = 500) -> int:
        """Expire holds whose time is up (by the database's clock); returns how many."""
        cur = await conn.execute(queries("inventory")["sweep_lapsed_holds"], {"limit": limit})
        rows = await cur.fetchall()
        for row in rows:
            await self._forget(row["property_id"], row)
        return len(rows)

    async def _forget(self, property_id: int, row: dict[str, Any]) -> None:
        """A hold ended: its nights are free in this worker's answers at once, and its gate
        and its place in its client's quota are given back."""
        self.freshness.forget(property_id)
        if row.get("unit_id") is not None and row.get("check_in") is not None:
            keys = night_keys(property_id, row["unit_id"], row["check_in"], row["check_out"])
            await self.gate.release(keys, row["id"])
        if row.get("client_address"):
            key = row.get("client_key") or ""
            session = key[2:] if key.startswith("s:") else None
            await self.quotas.refund(property_id, Client(session, row["client_address"]), row["id"])
