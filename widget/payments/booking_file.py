"""A booking as the owner's console reads and changes it: the booking itself (the same
`rows.Booking` the guest's pages use, so `cancellation.terms` and `cancel_booking` apply
unchanged), its unit and payment, the e-mails sent about it and who did what to it; moving
it to another unit (the exclusion constraint decides) and sending its confirmation again."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec
from psycopg import errors as pg_errors

from widget.db import Conn
from widget.errors import Conflict, Invalid, NotFound, Said
from widget.links import manage_url
from widget.mail.compose import booking_confirmed
from widget.mail.outbox import booking_for_mail, enqueue
from widget.rows import Booking
from widget.sql import queries
from widget.tokens import new_token, token_hash


class Payment(msgspec.Struct, frozen=True):
    unit_id: int
    unit: str
    refund_ref: str | None
    payment_captured_at: datetime | None
    created_at: datetime
    promo_code: str | None
    #: What the payment at booking holds: what it took, less what a change of dates gave
    #: back from it (the quote's ``due_now`` says what the *new* stay would take now); a
    #: refund the provider refused is still held.
    first_payment: int = 0
    #: What it took at booking, once a change of dates gave part of it back (None: no
    #: change did, or a change made before migration 0037, whose refunds are not known).
    first_payment_taken: int | None = None
    #: What is still to be taken online: a balance not yet charged, a change's difference.
    owed_online: int = 0


class Mail(msgspec.Struct, frozen=True):
    kind: str
    recipient: str
    subject: str
    created_at: datetime
    sent_at: datetime | None
    failed_at: datetime | None
    attempts: int


class Event(msgspec.Struct, frozen=True):
    actor: str
    action: str
    detail: str
    at: datetime


class DateChangeRow(msgspec.Struct, frozen=True):
    """A change of the booking's dates and what became of its difference."""

    first: date
    end: date
    difference: int
    settlement: str
    status: str
    payment_ref: str | None
    created_at: datetime
    #: What moved through the provider (a refund) or is asked by card or link (a charge);
    #: None for a change made before migration 0037 when it is not known.
    amount: int | None = None
    #: The scheduled balance the change cancelled (None: none).
    balance_dropped: int | None = None


class BookingFile(msgspec.Struct, frozen=True):
    booking: Booking
    payment: Payment
    mails: list[Mail]
    events: list[Event]
    changes: list[DateChangeRow] = []


class UnitChoice(msgspec.Struct, frozen=True):
    id: int
    name: str
    room_type: str
    #: Something else (a booking, block or live hold) has one of the stay's nights.
    taken: bool


async def _row(conn: Conn, property_id: int, reference: str) -> dict[str, Any]:
    cur = await conn.execute(
        queries("console")["booking_of_property"],
        {"reference": reference, "property_id": property_id},
    )
    row = await cur.fetchone()
    if row is None:
        raise NotFound("There is no such booking.")
    return row


async def booking_file(conn: Conn, property_id: int, reference: str) -> BookingFile:
    """Booking ``reference`` of ``property_id`` with its payment, e-mails and history;
    `NotFound` for another property's booking, exactly as for none."""
    row = await _row(conn, property_id, reference)
    q = queries("console")
    mails = await (await conn.execute(q["booking_messages"], {"id": row["id"]})).fetchall()
    events = await (await conn.execute(q["booking_events"], {"id": row["id"]})).fetchall()
    changes = await (await conn.execute(q["date_changes_of_booking"], {"id": row["id"]})).fetchall()
    return BookingFile(
        booking=msgspec.convert(row, Booking),
        payment=msgspec.convert(row, Payment),
        mails=[msgspec.convert(m, Mail) for m in mails],
        events=[msgspec.convert(e, Event) for e in events],
        changes=[msgspec.convert(c, DateChangeRow) for c in changes],
    )


async def units_for_move(
    conn: Conn, property_id: int, booking: Booking, room_id: UUID | None = None
) -> list[UnitChoice]:
    """Every active unit of the property, each saying whether the stay's nights are free
    for the room ``room_id`` of the booking (its first or only room by default)."""
    cur = await conn.execute(
        queries("console")["units_for_move"],
        {
            "id": room_id or booking.id,
            "property_id": property_id,
            "check_in": booking.check_in,
            "check_out": booking.check_out,
        },
    )
    return [msgspec.convert(row, UnitChoice) for row in await cur.fetchall()]


class UnitTaken(Conflict):
    """The unit is not free for the whole stay; the message names what is in the way."""

    code = "unit_taken"


def clash_named(row: dict[str, Any]) -> str:
    """What is in the way, in the owner's words: a booking's reference, a hold, a block."""
    first: date = row["first_night"]
    last: date = row["last_night"]
    if row["status"] == "confirmed":
        return f"booking {row['reference']} ({first} to {last})"
    if row["status"] == "held":
        return f"a guest's hold until {row['hold_expires_at']:%H:%M} UTC ({first} to {last})"
    return f"a block ({first} to {last}: {row['block_reason'] or 'no reason'})"


def clash_said(row: dict[str, Any]) -> Said:
    """`clash_named` as data, to be said in the owner's language."""
    nights = {"first": row["first_night"], "last": row["last_night"]}
    if row["status"] == "confirmed":
        return Said("clash_booking", {"reference": row["reference"], **nights})
    if row["status"] == "held":
        return Said("clash_hold", {"until": f"{row['hold_expires_at']:%H:%M}", **nights})
    if row["block_reason"]:
        return Said("clash_block", {"reason": row["block_reason"], **nights})
    return Said("clash_block_no_reason", nights)


def clashes_said(rows: list[dict[str, Any]]) -> list[Said]:
    """What is in the way, each said apart (`clash_other` when nothing is named)."""
    return [clash_said(row) for row in rows] or [Said("clash_other")]


class RoomToMove(msgspec.Struct, frozen=True):
    """The reservation row of the room being moved (a group's first room is the booking's)."""

    id: UUID
    unit_id: int
    unit: str
    status: str


async def room_to_move(conn: Conn, booking: dict[str, Any], position: int) -> RoomToMove:
    """Room ``position`` of the booking (0: the booking's own row, the only one of a booking
    of one room); `Invalid` naming ``room`` when it has no such room."""
    if position == 0:
        return msgspec.convert(booking, RoomToMove)
    cur = await conn.execute(
        queries("console")["group_room_for_move"], {"id": booking["id"], "position": position}
    )
    row = await cur.fetchone()
    if position < 0 or row is None:
        raise Invalid("this booking has no such room", field="room", said=Said("no_such_room"))
    return msgspec.convert(row, RoomToMove)


async def move_booking(
    conn: Conn, property_id: int, reference: str, unit_id: int, version: int, room: int = 0
) -> tuple[str, str]:
    """Move room ``room`` of the booking (0, its first or only room) to ``unit_id``, fenced
    by the booking's ``version``; returns (from, to) unit names. Moving it to the unit it is
    in already changes nothing. `UnitTaken` names the clash (a room of the same booking
    included: two rooms never share a unit's night)."""
    q = queries("console")
    row = await _row(conn, property_id, reference)
    moving = await room_to_move(conn, row, room)
    target = await (
        await conn.execute(
            q["unit_of_property_by_id"], {"unit_id": unit_id, "property_id": property_id}
        )
    ).fetchone()
    if target is None:
        raise NotFound("There is no such unit.", field="unit")
    if moving.unit_id == unit_id:
        return moving.unit, target["name"]
    if row["status"] != "confirmed" or moving.status != "confirmed":
        raise Conflict("Only a confirmed booking can be moved.", code="not_movable")
    stay = {
        "unit_id": unit_id,
        "id": moving.id,
        "check_in": row["check_in"],
        "check_out": row["check_out"],
    }
    fence = {"unit_id": unit_id, "version": version, "property_id": property_id}
    try:
        async with conn.transaction():
            await conn.execute(q["expire_lapsed_holds_of_unit"], stay)
            if room == 0:
                cur = await conn.execute(q["move_booking"], {**fence, "id": row["id"]})
            else:
                cur = await conn.execute(
                    q["move_group_room"], {**fence, "id": moving.id, "group_id": row["id"]}
                )
            if await cur.fetchone() is None:
                raise Conflict("The booking changed meanwhile; please reload.", code="stale")
    except pg_errors.ExclusionViolation:
        clashes = await (await conn.execute(q["in_the_way_of_move"], stay)).fetchall()
        named = "; ".join(clash_named(c) for c in clashes) or "another reservation"
        said = Said("unit_taken", {"unit": target["name"], "clashes": clashes_said(clashes)})
        raise UnitTaken(
            f"{target['name']} is not free for this stay: {named}.", field="unit", said=said
        ) from None
    return moving.unit, target["name"]


async def confirmations_sent(conn: Conn, booking: Booking) -> int:
    """How many confirmations the guest has been sent (the preview shows the count and the
    form sends it back, so that a repeated click is recognised)."""
    cur = await conn.execute(queries("console")["confirmations_sent"], {"id": booking.id})
    row = await cur.fetchone()
    return int(row["n"]) if row else 0


async def resend_confirmation(
    conn: Conn, booking: Booking, site: str, test_payment: bool, seen: int
) -> bool:
    """Send the guest's confirmation again, with a new manage link (the earlier e-mail's
    link stops working: only its hash was kept), if the guest has been sent exactly
    ``seen`` confirmations (what the preview showed): the same click repeated sends
    nothing more. Returns whether a message was written."""
    if booking.status != "confirmed" or booking.guest is None:
        raise Conflict("Only a confirmed booking has a confirmation to send.", code="not_confirmed")
    q = queries("console")
    async with conn.transaction():
        if await confirmations_sent(conn, booking) != seen:
            return False
        secret = new_token()
        await conn.execute(
            q["replace_booking_secret"], {"id": booking.id, "secret_hash": token_hash(secret)}
        )
        mail = await booking_for_mail(conn, booking.id)
        messages = booking_confirmed(
            mail, manage_url(site, booking.reference, secret), test_payment
        )
        await enqueue(conn, booking.id, [m for m in messages if m.kind == "guest_confirmation"])
    return True
