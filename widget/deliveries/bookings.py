"""What a booking's webhook says: reference, stay, unit, room type, amounts (money objects
as in the public API), and the guest, whom `enqueue` keeps from endpoints not opted in."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

import msgspec

from widget.db import Conn
from widget.deliveries.outbox import enqueue
from widget.schemas import MoneyOut
from widget.sql import queries

BookingEvent = Literal["booking.confirmed", "booking.cancelled"]


async def enqueue_booking_event(conn: Conn, reservation_id: UUID, event_type: BookingEvent) -> int:
    """Write ``event_type`` for the booking ``reservation_id`` to the webhook outbox, in
    ``conn``'s current transaction (the one that confirmed or cancelled it)."""
    cur = await conn.execute(queries("webhooks")["booking_for_webhook"], {"id": reservation_id})
    row = await cur.fetchone()
    assert row is not None  # the caller has just written this booking, in this transaction
    return await enqueue(
        conn, row["property_id"], event_type, booking_data(row), booking_ref=row["reference"]
    )


def booking_data(row: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` object of a booking event, from a ``booking_for_webhook`` row."""
    currency, quote = row["currency"], row["quote"] or {}

    def money(amount: int) -> dict[str, Any]:
        return msgspec.to_builtins(MoneyOut(int(amount), currency))  # type: ignore[no-any-return]

    data: dict[str, Any] = {
        "property": row["property_slug"],
        "reference": row["reference"],
        "status": row["status"],
        "check_in": row["check_in"].isoformat(),
        "check_out": row["check_out"].isoformat(),
        "nights": (row["check_out"] - row["check_in"]).days,
        "unit": row["unit"],
        "room_type": {"slug": row["room_type_slug"], "name": row["room_type_name"]},
        "adults": row["adults"],
        "children": list(row["children"] or []),
        "total": money(quote.get("total", 0)),
        "paid": money(quote.get("due_now", 0)),
    }
    if row["refund_amount"] is not None:
        data["refund"] = money(row["refund_amount"])
    guest = row["guest"]
    if guest:
        data["guest"] = {"name": guest.get("name"), "email": guest.get("email")}
    return data
