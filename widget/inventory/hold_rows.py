"""A hold's rooms as rows, and their write: one call to Postgres for one room or a group.

The write (``innkeep_hold_rooms``, migration 0041) takes the units' shared locks, expires the
holds that lapsed on the nights, inserts the rooms and reads the inventory version they made,
in one statement and one round trip; the exclusion constraint still has the last word.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from engine import Party, Quote, quote_to_builtins
from widget.db import Conn
from widget.inventory.catalogue import Catalogue
from widget.inventory.quotas import Client
from widget.sql import queries
from widget.tokens import token_hash


@dataclass(frozen=True)
class RoomHeld:
    """What the guest holds in one room: where, when, for whom, and at which price."""

    hold_id: UUID
    unit_id: int
    room_type: str
    check_in: date
    check_out: date
    party: Party
    quote: Quote
    promo_code: str | None


def room_row(
    catalogue: Catalogue,
    client: Client,
    room: RoomHeld,
    token: str | None,
    group: tuple[UUID, int] | None = None,
) -> dict[str, Any]:
    """One room's row as ``innkeep_hold_rooms`` takes it. ``token``: the guest's secret, on
    the room the hold is reached through (a group's first; never another room). ``group``:
    the group's id and the room's place in it."""
    # The plan's cancellation policy and payment terms are kept with the hold: what the
    # guest agreed to (a later change of the plan changes neither).
    plan = catalogue.rate_plan(room.quote.rate_plan, room.room_type)
    policy = catalogue.policy_of(plan)
    return {
        "id": room.hold_id,
        "unit_id": room.unit_id,
        "check_in": room.check_in,
        "check_out": room.check_out,
        "token_hash": None if token is None else token_hash(token).hex(),
        "adults": room.party.adults,
        "children": list(room.party.children),
        "quote": quote_to_builtins(room.quote),
        "quote_hash": room.quote.quote_hash,
        "promo_code": room.promo_code,
        "client_key": client.key,
        "client_address": client.address,
        "cancellation_policy": policy,
        "payment_terms": None if plan is None else plan.payment,
        "group_id": None if group is None else group[0],
        "group_position": None if group is None else group[1],
    }


@dataclass(frozen=True)
class Written:
    #: Holds whose time was up on those nights, now expired: their gates and quota places
    #: go back (``id``, ``unit_id``, ``check_in``, ``check_out``, ``client_key``,
    #: ``client_address``, ``group_id``).
    lapsed: list[dict[str, Any]]
    #: The rooms held, by id: ``hold_expires_at`` and ``version``.
    held: dict[UUID, dict[str, Any]]
    #: The inventory version the write made.
    made: int


async def write_rooms(
    conn: Conn,
    property_id: int,
    rows: list[dict[str, Any]],
    hold_seconds: float,
    first: Callable[[], Awaitable[None]] | None = None,
) -> Written:
    """Write the rooms' rows at once; all are held or, raising, none (``ExclusionViolation``:
    a room was taken after all). ``first``: what must run in the same transaction before
    them (Postgres counting the client's quota while Redis is away)."""
    params = {
        "property_id": property_id,
        "rooms": msgspec.json.encode(rows).decode(),
        "hold_seconds": hold_seconds,
    }
    query = queries("inventory")["hold_rooms"]
    if first is None:  # one statement: its own transaction
        cur = await conn.execute(query, params)
        found = await cur.fetchall()
    else:
        async with conn.transaction():
            await first()
            cur = await conn.execute(query, params)
            found = await cur.fetchall()
    lapsed = [row for row in found if row["lapsed"]]
    held = {row["id"]: row for row in found if not row["lapsed"]}
    made = max(int(row["inventory_version"]) for row in held.values())
    return Written(lapsed, held, made)
