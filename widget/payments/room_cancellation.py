"""A guest cancels one room of a booking of several rooms, under that room's plan's policy.

The booking's first room carries its reference, payment and balance, so it goes only with
the whole booking (`cancellation.cancel_booking`). Any other room may be cancelled alone
before arrival: its row is cancelled (fenced by the booking's version, in one transaction
with the lessened balance, the guest's and owner's e-mails, the owners' webhook event
``booking.room_cancelled`` and a line in the booking's history), and what its policy gives
back of its share is refunded from the booking's one payment after the commit, under a key
of the room's own, so never twice; the reconciler retries a refund the provider did not take
at once.
"""

from __future__ import annotations

from widget.db import Conn
from widget.deliveries.bookings import enqueue_booking_event
from widget.errors import Conflict, Invalid, Said
from widget.mail.compose import money, room_cancelled
from widget.mail.outbox import booking_for_mail, enqueue
from widget.payments.cancellation import (
    Terms,
    booking_for_guest_unchecked,
    refund,
    room_owes,
    room_terms,
    terms,
)
from widget.payments.provider import PaymentProvider
from widget.rows import Booking, GroupRoom
from widget.sql import queries


def _room(booking: Booking, position: int) -> GroupRoom:
    """Room ``position`` of the booking (0 is the first), or `Invalid` naming ``room``."""
    rooms = booking.group_rooms or []
    if not 0 <= position < len(rooms):
        raise Invalid(
            "room: this booking has no such room.", field="room", said=Said("no_such_room")
        )
    if position == 0:
        raise Conflict(
            "The first room carries the booking: cancel the whole booking, or the other rooms.",
            code="first_room",
        )
    return rooms[position]


async def _check_refundable(conn: Conn, room: GroupRoom, amount: int) -> None:
    """A room's refund comes from the booking's one payment: refuse (nothing changed) when
    what is left of it (after a change of dates' refund and other rooms' refunds) could not
    pay it (only after a large balance was charged)."""
    cur = await conn.execute(queries("payments")["refund_of"], {"id": room.id})
    row = await cur.fetchone()
    left = int(row["first_payment"] or 0) if row else 0
    if amount > left:
        raise Conflict(
            "This room's refund is more than the first payment can give back; "
            "please cancel the whole booking or contact the guesthouse.",
            code="not_cancellable",
            said=Said("room_refund_too_large"),
        )


async def room_cancellation(conn: Conn, booking: Booking, position: int) -> Terms:
    """What cancelling room ``position`` alone would give back now (its plan's policy on
    what was taken for it), or the refusal that cancelling it would meet; nothing is
    changed. The console shows this before its owner cancels the room."""
    room = _room(booking, position)
    if room.status == "cancelled":
        raise Conflict("This room is cancelled already.", code="room_cancelled")
    if booking.status != "confirmed" or not terms(booking).possible:
        raise Invalid(
            "The stay has begun or the booking is not confirmed; please contact the guesthouse.",
            code="too_late_to_cancel",
            said=Said("room_too_late"),
        )
    if booking.dates_changed and room.owed is None:
        # Changed before migration 0036 wrote down what each room paid: it is not known.
        raise Conflict(
            "This booking's dates were changed by the guesthouse: its rooms are cancelled "
            "together; please cancel the whole booking or contact the guesthouse.",
            code="dates_changed",
        )
    q = queries("payments")
    owed_on_change = await (await conn.execute(q["change_owed"], {"id": booking.id})).fetchone()
    if owed_on_change and owed_on_change["owed"]:
        # The guest's link (or the saved card) takes the change for every room at once.
        raise Conflict(
            "The last change of dates is still to be paid for all the rooms; please pay it "
            "first, or cancel the whole booking.",
            code="change_unpaid",
        )
    # Under the room's own plan's policy, at the stay's dates (the new ones after a change),
    # of what was actually taken for it.
    deal = room_terms(booking, room)
    await _check_refundable(conn, room, deal.refund)
    return deal


async def cancel_room(
    conn: Conn,
    provider: PaymentProvider,
    booking: Booking,
    position: int,
    *,
    by_guest: bool = True,
) -> Booking:
    """Cancel room ``position`` of a confirmed group booking and refund what its plan's
    policy gives back of what was paid for it; the booking as it is afterwards. Cancelling
    a room already cancelled changes nothing. The guest's cancellation is noted in the
    booking's history here; the console notes its own with who did it (``by_guest``
    False)."""
    room = _room(booking, position)
    if room.status == "cancelled":
        return booking
    deal = await room_cancellation(conn, booking, position)
    amount = deal.refund
    async with conn.transaction():
        cur = await conn.execute(
            queries("payments")["cancel_group_room"],
            {
                "id": room.id,
                "group_id": booking.id,
                "version": booking.version,
                "refund": amount,
                # Kept of what was taken for the room: a figure of its own from now on.
                "kept": deal.paid - amount,
            },
        )
        if await cur.fetchone() is None:
            raise Conflict("The booking changed meanwhile; please reload.", code="stale")
        await _lessen_balance(conn, booking, room)
        await _tell(conn, provider, booking, position, amount, by_guest)
    if amount > 0:
        await refund(conn, provider, room.id)
    return await booking_for_guest_unchecked(conn, booking.reference)


async def _tell(
    conn: Conn,
    provider: PaymentProvider,
    booking: Booking,
    position: int,
    amount: int,
    by_guest: bool,
) -> None:
    """As a whole cancellation does, in its transaction: the guest's and the owner's
    e-mails, the owners' webhook event and the booking's history, each naming the room
    and its refund."""
    mail = await booking_for_mail(conn, booking.id)
    await enqueue(conn, booking.id, room_cancelled(mail, position, amount, provider.name == "demo"))
    await enqueue_booking_event(conn, booking.id, "booking.room_cancelled", room=position)
    if not by_guest:
        return
    room = (mail.group_rooms or [])[position]
    detail = (
        f"room {position + 1}, {room.room_type_name} ({room.unit}): "
        f"refund {money(amount, booking.currency, 'en')} (policy)"
    )
    await conn.execute(
        queries("payments")["record_guest_event"],
        {"id": booking.id, "action": "room_cancelled", "detail": detail},
    )


async def _lessen_balance(conn: Conn, booking: Booking, room: GroupRoom) -> None:
    """The group's one balance charge no longer includes what the cancelled room still
    owed (its quote's balance; after a change of dates, what the change left it to pay)."""
    owes = room_owes(room)
    if owes <= 0:
        return
    q = queries("payments")
    cur = await conn.execute(q["lessen_balance"], {"id": booking.id, "by": owes})
    if await cur.fetchone() is not None:
        # It will never be taken for this room (room_paid fills what is owed from charges).
        await conn.execute(q["room_owes_nothing"], {"id": room.id})
        return
    if booking.balance_taken:
        return
    state = await (await conn.execute(q["balance_state"], {"id": booking.id})).fetchone()
    if state is not None and state["status"] not in ("canceled", "succeeded"):
        # Being charged now, or waiting for the guest: the amount cannot change under it.
        raise Conflict(
            "The balance is being taken just now; please try again in a few minutes.",
            code="balance_busy",
        )
