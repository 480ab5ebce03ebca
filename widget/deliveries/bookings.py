"""What a booking's webhook says: reference, stay, unit, room type, amounts (money objects
as in the public API), and the guest, whom `enqueue` keeps from endpoints not opted in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal
from uuid import UUID

import msgspec

from widget.db import Conn
from widget.deliveries.outbox import enqueue
from widget.rows import BookingEvent, GroupRoom, decoded, rooms_money
from widget.schemas import MoneyOut
from widget.sql import queries

EventType = Literal["booking.confirmed", "booking.cancelled", "booking.room_cancelled"]


async def enqueue_booking_event(
    conn: Conn, reservation_id: UUID, event_type: EventType, *, room: int | None = None
) -> int:
    """Write ``event_type`` for the booking ``reservation_id`` to the webhook outbox, in
    ``conn``'s current transaction (the one that confirmed or cancelled it); ``room`` names
    the position of the room a ``booking.room_cancelled`` is about."""
    cur = await conn.execute(queries("webhooks")["booking_for_webhook"], {"id": reservation_id})
    row = await cur.fetchone()
    assert row is not None  # the caller has just written this booking, in this transaction
    booking = decoded(row, BookingEvent)
    data = booking_data(booking)
    if room is not None:
        data["room"] = data["rooms"][room]
    return await enqueue(conn, booking.property_id, event_type, data, booking_ref=booking.reference)


def _room_data(position: int, room: GroupRoom, money: Callable[[int], Any]) -> dict[str, Any]:
    """One room of a group as its events name it; a room cancelled alone says what it
    gave back."""
    data: dict[str, Any] = {
        "position": position,
        "status": room.status,
        "unit": room.unit,
        "room_type": {"slug": room.room_type, "name": room.room_type_name},
        "adults": room.adults,
        "children": room.children or [],
    }
    if room.refund_amount is not None:
        data["refund"] = money(room.refund_amount)
    if room.kept is not None:
        data["kept"] = money(room.kept)
    return data


def booking_data(booking: BookingEvent) -> dict[str, Any]:
    """The ``data`` object of a booking event."""

    def money(amount: int) -> dict[str, Any]:
        return msgspec.to_builtins(MoneyOut(amount, booking.currency))  # type: ignore[no-any-return]

    data: dict[str, Any] = {
        "property": booking.property_slug,
        "reference": booking.reference,
        "status": booking.status,
        "check_in": booking.check_in.isoformat(),
        "check_out": booking.check_out.isoformat(),
        "nights": (booking.check_out - booking.check_in).days,
        "unit": booking.unit,
        "room_type": {"slug": booking.room_type_slug, "name": booking.room_type_name},
        "adults": booking.adults,
        "children": booking.children,
    }
    if booking.quote is not None:
        # A group's rooms still booked; what was kept of those cancelled alone apart.
        together = rooms_money(booking.quote, booking.group_rooms)
        data["total"] = money(together.total)
        data["paid"] = money(together.due_now)
        if together.kept:
            data["kept"] = money(together.kept)
    if booking.group_rooms:  # a booking of several rooms names every one
        data["rooms"] = [
            _room_data(position, r, money) for position, r in enumerate(booking.group_rooms)
        ]
    if booking.refund_amount is not None:
        data["refund"] = money(booking.refund_amount)
    if booking.guest is not None:
        # The only personal data: `enqueue` drops it for endpoints without include_guest.
        data |= {"guest": {"name": booking.guest.name, "email": booking.guest.email}}
    return data
