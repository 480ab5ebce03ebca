"""Several rooms in one hold: all held, or none.

Each room is its own ``held`` row under the one exclusion constraint; the rows share the
group id (the first room's id, which is the hold the guest's token, checkout, payment and
booking reference belong to). The Redis gate is taken over every unit-night of every room in
one Lua call, and the rows are written in one Postgres transaction, so a group is never
partly held.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice, product
from uuid import UUID

import msgspec
from psycopg import errors as pg_errors

from engine import Party, Quote
from widget.db import Conn
from widget.errors import Invalid, RoomTaken
from widget.inventory.availability import stock_ahead
from widget.inventory.catalogue import Catalogue
from widget.inventory.gate import night_keys
from widget.inventory.hold_rows import RoomHeld, room_row, write_rooms
from widget.inventory.holds import Holds, StayWish, _units_for_gap
from widget.inventory.quotas import MAX_ROOMS_PER_BOOKING, Client, fair_share
from widget.inventory.quoting import NO_CHOICES, Choices, check_stay, price
from widget.inventory.stock import Stock
from widget.schemas import MoneyOut
from widget.sql import queries
from widget.tokens import new_token


class RoomWish(msgspec.Struct, frozen=True):
    """One room of a group: its type, its party and what the guest chose for it."""

    room_type: str
    party: Party
    choices: Choices = NO_CHOICES


class GroupWish(msgspec.Struct, frozen=True):
    """Several rooms for the same nights, held and booked together."""

    check_in: date
    check_out: date
    rooms: list[RoomWish]
    promo_code: str | None = None


@dataclass(frozen=True)
class NewGroup:
    id: UUID
    token: str
    expires_at: datetime
    quotes: list[Quote]
    version: int


@dataclass
class _Plan:
    """The units chosen for the rooms, their prices and the ids their rows will have."""

    units: list[int]
    quotes: list[Quote]
    ids: list[UUID]
    stocks: dict[str, Stock]
    charged: list[UUID] = field(default_factory=list)


def _in_room(refused: Invalid, index: int) -> Invalid:
    """Name the room at fault: ``rooms[1].room_type`` rather than ``room_type``."""
    refused.field = f"rooms[{index}].{refused.field}" if refused.field else f"rooms[{index}]"
    return refused


@contextmanager
def _room_field(index: int) -> Iterator[None]:
    try:
        yield
    except Invalid as refused:
        raise _in_room(refused, index) from None


def check_rooms(count: int, limit: int = MAX_ROOMS_PER_BOOKING) -> None:
    """Refuse an empty group or one with more rooms than one booking may have."""
    if count < 1:
        raise Invalid("rooms: ask for at least one room.", field="rooms")
    if count > limit:
        raise Invalid(
            f"rooms: at most {limit} rooms can be booked together; ask for {limit} or fewer.",
            field="rooms",
        )


#: How many sets of units a group offers the gate, which takes the first whose nights are all
#: free in one call (`Holds.share_first_gate`): every way of giving each room one of its free
#: units, no unit twice, the rooms' best fits first (a set held by another hold is held on
#: some unit; another set may avoid it). At most this many sets, from at most
#: `_COMBINATIONS_LOOKED_AT` ways looked at.
GROUP_TRIES = 8
_COMBINATIONS_LOOKED_AT = 64


def _choices(
    catalogue: Catalogue, stocks: dict[str, Stock], wish: GroupWish, today: date
) -> list[list[int]]:
    """The sets of distinct free units to try for the rooms, in the guest's order, first
    choice first; nothing priced yet (a loser of a race never is: see `hold_group`)."""
    candidates: list[list[int]] = []
    for index, room in enumerate(wish.rooms):
        try:  # (no context manager: every loser of a race comes this way, room by room)
            catalogue.room(room.room_type)
        except Invalid as refused:
            raise _in_room(refused, index) from None
        stock = stocks[room.room_type]
        free = stock.free_units(wish.check_in, wish.check_out)
        if free:  # a stay allowed only because it fills a gap goes on a unit it fills
            one = StayWish(
                room.room_type,
                wish.check_in,
                wish.check_out,
                room.party,
                wish.promo_code,
                None,
                room.choices,
            )
            free = _units_for_gap(catalogue, stock, one, today, free)
        candidates.append(free)
    tries: list[list[int]] = []
    seen: set[frozenset[int]] = set()
    for units in islice(product(*candidates), _COMBINATIONS_LOOKED_AT):
        chosen = frozenset(units)
        if len(chosen) == len(units) and chosen not in seen:  # no unit for two rooms
            seen.add(chosen)
            tries.append(list(units))
            if len(tries) == GROUP_TRIES:
                break
    if not tries:
        raise _taken()
    return tries


def _priced(
    catalogue: Catalogue, stocks: dict[str, Stock], wish: GroupWish, today: date
) -> list[Quote]:
    """Every room's quote, once the group's gate is taken; 422 naming the room at fault."""
    quotes: list[Quote] = []
    for index, room in enumerate(wish.rooms):
        with _room_field(index):
            quotes.append(
                price(
                    catalogue,
                    stocks[room.room_type],
                    room.room_type,
                    wish.check_in,
                    wish.check_out,
                    room.party,
                    wish.promo_code,
                    today,
                    room.choices,
                )
            )
    _check_paid_alike(catalogue, wish, quotes)
    return quotes


def _paid_how(catalogue: Catalogue, room_type: str, quote: Quote) -> tuple[str, bool]:
    """How a room is paid: online (deposits and balances add up across rooms), or at the
    property with or without the card kept as a guarantee."""
    plan = catalogue.rate_plan(quote.rate_plan, room_type)
    if plan is None or plan.payment.mode == "online":
        return ("online", False)
    return (plan.payment.mode, plan.payment.card_guarantee)


def _check_paid_alike(catalogue: Catalogue, wish: GroupWish, quotes: list[Quote]) -> None:
    """One booking has one payment. Its rooms may mix plans paid online with plans paid at
    the property without a card kept: the online rooms' part is paid now in one payment,
    the rest at the property. Refused, 422 naming the room's plan: rooms at the property on
    different guarantees, and a kept card beside rooms paid online (the card would be kept
    for a no-show fee on part of a booking whose payment is taken online, which the
    no-show fee's limit, the booking's policy on its total, cannot express)."""
    ways = [
        _paid_how(catalogue, room.room_type, quote)
        for room, quote in zip(wish.rooms, quotes, strict=True)
    ]
    online = any(way == "online" for way, _ in ways)
    at_property = [guarantee for way, guarantee in ways if way != "online"]
    for index, (way, guarantee) in enumerate(ways):
        if way == "online":
            continue
        if guarantee and online:
            raise Invalid(
                f"rooms[{index}].rate_plan: this plan keeps the guest's card for a no-show, "
                "which a booking with rooms paid online cannot do; choose a plan paid online "
                "or one paid at the property without a card kept.",
                field=f"rooms[{index}].rate_plan",
            )
        if guarantee != at_property[0]:
            raise Invalid(
                f"rooms[{index}].rate_plan: the rooms paid at the property keep the card "
                "for all or for none; choose plans that do the same.",
                field=f"rooms[{index}].rate_plan",
            )


def _taken() -> RoomTaken:
    return RoomTaken(
        "Sorry, these rooms are not all free together for these dates; nothing was held.",
        extra={"free_room_types": []},
    )


def _gate_keys(catalogue: Catalogue, wish: GroupWish, units: list[int]) -> list[str]:
    return [
        key
        for unit in units
        for key in night_keys(catalogue.property_id, unit, wish.check_in, wish.check_out)
    ]


async def hold_group(
    holds: Holds,
    conn: Conn,
    catalogue: Catalogue,
    wish: GroupWish,
    client: Client,
    today: date,
    inventory_version: int,
) -> NewGroup:
    """Hold every room of ``wish`` or none: 409 ``taken`` when they are not all free."""
    check_rooms(len(wish.rooms), catalogue.max_rooms_per_booking)
    check_stay(wish.check_in, wish.check_out, today, catalogue.horizon_days)
    stocks = await stock_ahead(conn, catalogue, today, inventory_version, holds.stock)
    # The gate first, as for one room: a loser of a race is refused before any room is
    # priced, and costs about what a one-room loser costs.
    tries = _choices(catalogue, stocks, wish, today)
    sets = [_gate_keys(catalogue, wish, units) for units in tries]
    group_id = uuid.uuid4()
    taken = await holds.share_first_gate(conn, sets, group_id, holds.settings.hold_seconds)
    if taken is None:
        raise _taken()
    ids = [group_id, *(uuid.uuid4() for _ in wish.rooms[1:])]
    index, gate = taken
    units, keys = tries[index], sets[index]
    plan: _Plan | None = None
    try:
        plan = _Plan(units, _priced(catalogue, stocks, wish, today), ids, stocks)
        return await _write(holds, conn, catalogue, wish, client, plan)
    except BaseException:
        await holds.give_gate_back(keys, ids[0], gate)
        for hold_id in plan.charged if plan is not None else []:
            await holds.quotas.refund(catalogue.property_id, client, hold_id)
        raise
    finally:
        holds.writing.end(keys, ids[0])


async def _write(
    holds: Holds, conn: Conn, catalogue: Catalogue, wish: GroupWish, client: Client, plan: _Plan
) -> NewGroup:
    """Charge the client's quota for the rooms, then write every row at once."""
    floor = catalogue.max_rooms_per_booking
    share = fair_share(catalogue.unit_count(), catalogue.hold_share_percent, floor)
    in_redis = await holds.quotas.charge(
        conn, catalogue.property_id, client, plan.ids, share, floor
    )
    plan.charged = list(plan.ids)
    token = new_token()
    rows = []
    for index, (room, quote) in enumerate(zip(wish.rooms, plan.quotes, strict=True)):
        held = RoomHeld(
            plan.ids[index],
            plan.units[index],
            room.room_type,
            wish.check_in,
            wish.check_out,
            room.party,
            quote,
            wish.promo_code,
        )
        # Only the first room carries the token: the group is reached through it.
        rows.append(
            room_row(catalogue, client, held, token if index == 0 else None, (plan.ids[0], index))
        )

    async def count_in_postgres() -> None:  # Redis is away: Postgres counts the rooms
        await holds.quotas.charge_in_postgres(
            conn, catalogue.property_id, client, share, floor, rooms=len(rows)
        )

    try:
        written = await write_rooms(
            conn,
            catalogue.property_id,
            rows,
            holds.settings.hold_seconds,
            None if in_redis else count_in_postgres,
        )
    except pg_errors.ExclusionViolation:
        raise _taken() from None
    await holds.freshness.caught_up(catalogue.property_id, written.made)
    for old in written.lapsed:
        await holds._give_back(catalogue.property_id, old)
    first = written.held[plan.ids[0]]
    return NewGroup(plan.ids[0], token, first["hold_expires_at"], plan.quotes, first["version"])


class BookedRoom(msgspec.Struct, frozen=True, omit_defaults=True):
    """One room of a booking (or hold), as the guest reads it."""

    room_type: str
    adults: int | None
    children: list[int]
    #: What this room costs, and what of it is paid now.
    total: MoneyOut
    due_now: MoneyOut
    #: The rate plan the room was sold under (absent for properties without plans).
    rate_plan: str | None = None
    #: The extras booked for this room, slug → quantity (absent when none).
    extras: dict[str, int] = {}
    #: The room's own status: ``held``, ``confirmed``, or ``cancelled`` (a room of a group
    #: may be cancelled alone).
    status: str | None = None
    #: What cancelling this room alone gave back (absent unless it was).
    refund: MoneyOut | None = None
    #: What the guesthouse kept of what was paid for this room when it was cancelled alone
    #: (absent unless it was); the booking's ``total`` no longer counts the room.
    kept: MoneyOut | None = None


async def rooms_of(conn: Conn, reservation_id: UUID) -> list[BookedRoom]:
    """The rooms of a booking or hold, in the order the guest asked for them (a booking of
    one room: that room)."""
    cur = await conn.execute(queries("inventory")["group_rooms"], {"id": reservation_id})
    found = []
    for row in await cur.fetchall():
        quote = msgspec.convert(row["quote"], Quote)
        found.append(
            BookedRoom(
                row["room_type"],
                row["adults"],
                list(row["children"] or []),
                MoneyOut(quote.total, quote.currency),
                MoneyOut(quote.due_now, quote.currency),
                quote.rate_plan,
                dict(quote.extras),
                row["status"],
                None
                if row["refund_amount"] is None
                else MoneyOut(row["refund_amount"], quote.currency),
                None if row["kept"] is None else MoneyOut(row["kept"], quote.currency),
            )
        )
    return found
