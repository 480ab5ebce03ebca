"""Holding a room while the guest checks out, and letting it go.

A hold is priced once (the quote is stored with it and is what checkout charges), takes the
Redis gate for all nights of one unit, and is written as a ``held`` row that the exclusion
constraint guards. A conflict on one unit moves on to the next free unit of the room type.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

import msgspec
from psycopg import errors as pg_errors

from engine import Party, Quote, quote_to_builtins
from widget.coalesce import Coalesced
from widget.db import Conn
from widget.errors import (
    Conflict,
    Invalid,
    PriceChanged,
    RoomTaken,
    Said,
)
from widget.inventory.availability import free_in, stock_ahead
from widget.inventory.catalogue import Catalogue
from widget.inventory.freshness import Freshness
from widget.inventory.gate import Gate, GateUnavailable, night_keys
from widget.inventory.hold_rows import RoomHeld, room_row, write_rooms
from widget.inventory.quotas import Client, Quotas, fair_share
from widget.inventory.quoting import NO_CHOICES, Choices, check_stay, price
from widget.inventory.stock import Stock
from widget.inventory.stock_memory import StockMemory
from widget.inventory.writing import GATE_IN_FLIGHT_SECONDS, HoldsBeingWritten
from widget.settings import Settings
from widget.sql import queries
from widget.tokens import new_token

log = logging.getLogger(__name__)


class StayWish(msgspec.Struct, frozen=True):
    """What the guest asked to hold."""

    room_type: str
    check_in: date
    check_out: date
    party: Party
    promo_code: str | None = None
    quote_hash: str | None = None
    #: The rate plan, extras and inputs: priced into the stored quote and its hash.
    choices: Choices = NO_CHOICES
    #: The front desk overrides the stay restrictions (never the exclusion constraint).
    waive_restrictions: bool = False


@dataclass(frozen=True)
class NewHold:
    id: UUID
    token: str
    expires_at: datetime
    quote: Quote
    version: int


class _Gate(Enum):
    """What became of a unit's gate (its nights' keys in Redis) for one hold."""

    OURS = "ours"  #: taken for this hold
    HELD = "held"  #: another live hold has it: try the next unit
    AWAY = "away"  #: Redis is away: go on without it (Postgres still guards)


@dataclass(slots=True)
class _Attempt:
    """One request's try for a hold, across the units it tries in turn."""

    conn: Conn
    catalogue: Catalogue
    stock: Stock
    wish: StayWish
    client: Client
    today: date
    hold_id: UUID
    #: The client's fair share of the property's units.
    share: int
    #: Whether this request has charged the client's quota (it is charged once).
    charged: bool = False
    #: Whether Redis counted that charge; if not, Postgres counts it with the hold.
    counted_in_redis: bool = False


def _units_for_gap(
    catalogue: Catalogue, stock: Stock, wish: StayWish, today: date, units: list[int]
) -> list[int]:
    """The units to try: only those whose gap the stay exactly fills when it is allowed
    only because it fills one (shorter than the minimum stay); else all free ``units``."""
    gaps = stock.gap_units(wish.check_in, wish.check_out)
    if not gaps or len(gaps) == len(units) or wish.waive_restrictions:
        return units
    try:
        price(
            catalogue,
            stock,
            wish.room_type,
            wish.check_in,
            wish.check_out,
            wish.party,
            wish.promo_code,
            today,
            wish.choices,
            gap=False,
        )
    except Invalid as refused:
        if refused.code != "min_stay":
            raise
        return [unit for unit in units if unit in gaps]
    return units


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
        #: A hold is answered only once this worker has heard of it (see `caught_up`): this
        #: guest's next request may come to this worker.
        self.freshness = freshness
        #: Every loser of a race meets the winner's gate; they share one look at its row.
        #: (One that arrives just as that hold ends may hear "still held" from a look begun
        #: a moment before: the same as arriving that moment earlier. Never a double booking.)
        self._asking: Coalesced[UUID, bool | None] = Coalesced()
        #: Requests in flight for the same sets of units' nights share one try at their gate
        #: (see `share_first_gate`).
        self._choosing: Coalesced[tuple[tuple[str, ...], ...], tuple[int | None, _Gate]] = (
            Coalesced()
        )
        #: Unit-nights whose gate a request of this worker took and is writing a hold on.
        self.writing = HoldsBeingWritten()

    async def create(
        self,
        conn: Conn,
        catalogue: Catalogue,
        wish: StayWish,
        client: Client,
        today: date,
        inventory_version: int,
    ) -> NewHold:
        """Price the stay, pick a free unit and hold it; 409 when none is free.

        The units' busy stays come from this worker's memory under the ``inventory_version``
        the caller read (see `stock_ahead`); Postgres stays the final guard."""
        check_stay(wish.check_in, wish.check_out, today, catalogue.horizon_days)
        catalogue.room(wish.room_type)
        stocks = await stock_ahead(conn, catalogue, today, inventory_version, self.stock)
        stock = stocks[wish.room_type]
        units = stock.free_units(wish.check_in, wish.check_out)
        if not units:
            raise self._taken(catalogue, wish, stocks)
        units = _units_for_gap(catalogue, stock, wish, today, units)

        attempt = _Attempt(
            conn,
            catalogue,
            stock,
            wish,
            client,
            today,
            uuid.uuid4(),
            fair_share(
                catalogue.unit_count(),
                catalogue.hold_share_percent,
                catalogue.max_rooms_per_booking,
            ),
        )
        try:
            for unit_id in units:
                held = await self._try_unit(attempt, unit_id)
                if held is not None:
                    return held
        except BaseException:
            if attempt.charged:
                await self.quotas.refund(catalogue.property_id, client, attempt.hold_id)
            raise
        if attempt.charged:
            await self.quotas.refund(catalogue.property_id, client, attempt.hold_id)
        raise self._taken(catalogue, wish, stocks)

    async def _prepare(self, attempt: _Attempt) -> Quote:
        """Once a unit's gate is ours: price the stay, check the price the guest saw and
        charge the client's quota (once per request). Losers of a race never get here: they
        cost no pricing and no quota."""
        wish = attempt.wish
        quote = price(
            attempt.catalogue,
            attempt.stock,
            wish.room_type,
            wish.check_in,
            wish.check_out,
            wish.party,
            wish.promo_code,
            attempt.today,
            wish.choices,
            waive=wish.waive_restrictions,
        )
        if wish.quote_hash and wish.quote_hash != quote.quote_hash:
            raise PriceChanged(
                "The price of this stay has changed since it was shown; here is the new one.",
                extra={"quote": quote_to_builtins(quote)},
            )
        if not attempt.charged:
            attempt.counted_in_redis = await self.quotas.charge(
                attempt.conn,
                attempt.catalogue.property_id,
                attempt.client,
                [attempt.hold_id],
                attempt.share,
                attempt.catalogue.max_rooms_per_booking,
            )
            attempt.charged = True
        return quote

    async def _try_unit(self, attempt: _Attempt, unit_id: int) -> NewHold | None:
        """Hold ``unit_id`` for the attempt, or None when another hold has it."""
        catalogue, wish = attempt.catalogue, attempt.wish
        keys = night_keys(catalogue.property_id, unit_id, wish.check_in, wish.check_out)
        gate = await self._share_gate(
            attempt.conn, keys, attempt.hold_id, self.settings.hold_seconds
        )
        if gate is _Gate.HELD:
            return None  # someone is holding it right now: the next unit
        try:
            return await self._write(attempt, unit_id, keys, gate)
        finally:
            self.writing.end(keys, attempt.hold_id)

    async def _write(
        self, attempt: _Attempt, unit_id: int, keys: list[str], gate: _Gate
    ) -> NewHold | None:
        """With the unit's gate ours (or Redis away): price, charge and write the hold; None
        when Postgres says the nights are taken after all."""
        conn, catalogue, wish = attempt.conn, attempt.catalogue, attempt.wish
        token = new_token()
        try:
            quote = await self._prepare(attempt)
            room = RoomHeld(
                attempt.hold_id,
                unit_id,
                wish.room_type,
                wish.check_in,
                wish.check_out,
                wish.party,
                quote,
                wish.promo_code,
            )

            async def count_in_postgres() -> None:  # Redis is away: Postgres counts the share
                await self.quotas.charge_in_postgres(
                    conn,
                    catalogue.property_id,
                    attempt.client,
                    attempt.share,
                    catalogue.max_rooms_per_booking,
                )

            written = await write_rooms(
                conn,
                catalogue.property_id,
                [room_row(catalogue, attempt.client, room, token)],
                self.settings.hold_seconds,
                None if attempt.counted_in_redis else count_in_postgres,
            )
        except (pg_errors.ExclusionViolation, pg_errors.DeadlockDetected):
            # Postgres, the final guard, says the nights are taken: give the gate back. (A
            # deadlock: another writer that skips the gate, an import of a channel's feed,
            # wrote the same nights at this moment and each waited for the other; Postgres
            # made this hold give way, and the nights are the other's.)
            await self.give_gate_back(keys, attempt.hold_id, gate)
            return None
        except BaseException:
            await self.give_gate_back(keys, attempt.hold_id, gate)
            raise
        await self.freshness.caught_up(catalogue.property_id, written.made)
        for old in written.lapsed:
            await self._give_back(catalogue.property_id, old)
        held = written.held[attempt.hold_id]
        return NewHold(attempt.hold_id, token, held["hold_expires_at"], quote, held["version"])

    async def give_gate_back(self, keys: list[str], hold_id: UUID, gate: _Gate) -> None:
        """A hold that will not be written: this worker stops answering "held" for its nights
        at once (a request that shared its try at the gate asks Redis again, which still
        has the gate until the release below: never more than Redis would say), and the
        gate goes back."""
        self.writing.end(keys, hold_id)
        if gate is _Gate.OURS:
            await self.gate.release(keys, hold_id)

    async def _share_gate(self, conn: Conn, keys: list[str], hold_id: UUID, ttl: float) -> _Gate:
        """`share_first_gate` for one unit's nights."""
        taken = await self.share_first_gate(conn, [keys], hold_id, ttl)
        return _Gate.HELD if taken is None else taken[1]

    async def share_first_gate(
        self, conn: Conn, sets: list[list[str]], hold_id: UUID, ttl: float
    ) -> tuple[int, _Gate] | None:
        """Take the gate of the first of ``sets`` (one unit's nights, or a group's choices of
        units, first choice first) that no live hold has, without asking Redis what this
        worker already knows: the index of the set whose gate became ``hold_id``'s (or, Redis
        away, the first set not being written here: Postgres guards), or None when every set
        is held. One Redis call tries them all.

        A set whose hold a request of this worker is writing is held at once (see
        `widget.inventory.writing`); a request that arrives while another of this worker is
        trying the same sets waits for that try, and hears "held" whether the gate was
        someone else's or became that request's (while it is still writing its hold): what
        Redis would say a moment later. The losers of a race then cost about one Redis call
        and one look at the holder per worker, not one each. Never a double booking: a
        request only goes on with a gate it took itself (or with Redis away, where Postgres
        guards). A gate that is ours is marked as being written; the caller ends that
        (``writing.end``) when done."""
        open_ = [i for i, keys in enumerate(sets) if not self.writing.in_the_way(keys)]
        if not open_:
            return None
        mine = False

        async def first_try() -> tuple[int | None, _Gate]:
            nonlocal mine
            mine = True
            return await self._take_first_gate(conn, [sets[i] for i in open_], hold_id, ttl)

        shared = tuple(tuple(sets[i]) for i in open_)
        index, gate = await self._choosing.run(shared, first_try)
        if not mine and gate is not _Gate.HELD:
            # The request that tried took one of the sets (it is writing it now: in the way
            # below), or Redis was away (it may be back): what is left is tried afresh.
            open_ = [i for i in open_ if not self.writing.in_the_way(sets[i])]
            if not open_:
                return None
            index, gate = await self._take_first_gate(conn, [sets[i] for i in open_], hold_id, ttl)
        if index is None:
            return None
        chosen = open_[index]
        if gate is _Gate.OURS:
            self.writing.begin(sets[chosen], hold_id)
        return chosen, gate

    async def _take_first_gate(
        self, conn: Conn, sets: list[list[str]], hold_id: UUID, ttl: float
    ) -> tuple[int | None, _Gate]:
        """Take the gate of the first of ``sets`` for ``hold_id``, in one call: the index of the
        set taken (None when every set's gate is another live hold's)."""
        try:
            index, holders = await self.gate.acquire_first(sets, hold_id, ttl)
            if index is not None:
                return index, _Gate.OURS
            # Every set is in someone's way: go on only past holds Postgres no longer honours.
            stale = []
            for holder in {holder.hold_id: holder for holder in holders}.values():
                if not await self._still_holding(conn, holder.hold_id, holder.age_seconds()):
                    stale.append(holder.hold_id)
            if not stale:
                return None, _Gate.HELD
            index, _ = await self.gate.acquire_first(sets, hold_id, ttl, yielding=tuple(stale))
            return index, _Gate.OURS if index is not None else _Gate.HELD
        except GateUnavailable:
            return 0, _Gate.AWAY

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

    def _taken(self, catalogue: Catalogue, wish: StayWish, stocks: dict[str, Stock]) -> Conflict:
        # From the stock already read: no second query on the path every loser of a race takes.
        free = [
            slug
            for slug in free_in(catalogue, stocks, wish.check_in, wish.check_out, wish.party)
            if slug != wish.room_type
        ]
        return RoomTaken(
            "Sorry, that room was just taken for these dates."
            + (" These rooms are still free." if free else " Nothing else is free for them."),
            extra={"free_room_types": free},
            said=Said("taken_others_free" if free else "taken_none_free"),
        )

    async def release(self, conn: Conn, hold_id: UUID) -> bool:
        """Let a hold go at once, with every room of its group (the caller has checked its
        token). False if it was no longer held (already released, expired or booked)."""
        q = queries("inventory")
        async with conn.transaction():
            # The first room is locked first, as confirmation locks it: never a deadlock.
            await conn.execute(q["lock_reservation"], {"id": hold_id})
            cur = await conn.execute(q["release_hold"], {"id": hold_id})
            rows = await cur.fetchall()
        if not any(row["id"] == hold_id for row in rows):
            return False
        self.freshness.forget(rows[0]["property_id"])
        for row in rows:
            await self._give_back(row["property_id"], row)
        return True

    async def sweep(self, conn: Conn, limit: int = 500) -> int:
        """Expire holds whose time is up (by the database's clock); returns how many."""
        cur = await conn.execute(queries("inventory")["sweep_lapsed_holds"], {"limit": limit})
        rows = await cur.fetchall()
        for property_id in {row["property_id"] for row in rows}:
            self.freshness.forget(property_id)
        for row in rows:
            await self._give_back(row["property_id"], row)
        return len(rows)

    async def ended_elsewhere(self, rows: list[dict[str, Any]]) -> None:
        """Holds something else ended (an imported stay took their nights): their gates and
        quota places are given back at once, as a release gives them back. ``rows`` carry
        ``id``, ``property_id``, ``unit_id``, ``check_in``, ``check_out``, ``client_key``,
        ``client_address`` and ``group_id``; call after the ending has committed."""
        for property_id in {row["property_id"] for row in rows}:
            self.freshness.forget(property_id)
        for row in rows:
            await self._give_back(row["property_id"], row)

    async def _give_back(self, property_id: int, row: dict[str, Any]) -> None:
        """A hold ended: its gate and its place in its client's quota are given back. (The
        caller makes this worker forget the property once, however many holds ended.)"""
        if row.get("unit_id") is not None and row.get("check_in") is not None:
            keys = night_keys(property_id, row["unit_id"], row["check_in"], row["check_out"])
            # A group took the gates of all its rooms under its own id (its first room's).
            await self.gate.release(keys, row.get("group_id") or row["id"])
        if row.get("client_address"):
            key = row.get("client_key") or ""
            session = key[2:] if key.startswith("s:") else None
            await self.quotas.refund(property_id, Client(session, row["client_address"]), row["id"])
