"""A guest cancels their booking under the property's cancellation policy.

Free until ``free_until_days`` before arrival (everything paid comes back), then
``refund_percent`` of it. The booking is cancelled and the e-mails written in one
transaction; the refund goes through the provider after the commit, with a key derived from
the booking, and the reconciler retries a refund the provider did not take at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

import msgspec

from widget.db import Conn
from widget.deliveries.bookings import enqueue_booking_event
from widget.errors import Amount, Conflict, Invalid, NotFound, Said
from widget.inventory.groups import BookedRoom
from widget.mail.compose import booking_cancelled
from widget.mail.outbox import booking_for_mail, enqueue
from widget.payments.keys import (
    cancellation_refund_key,
    charge_cancel_key,
    charge_refund_key,
)
from widget.payments.provider import PaymentProvider, PaymentUnavailable
from widget.rows import Booking, CancellationPolicy, GroupRoom, Guest, decoded
from widget.schemas import MoneyOut
from widget.sql import queries
from widget.tokens import token_matches

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Terms:
    """What cancelling now would give back."""

    paid: int
    refund: int
    #: The last day of free cancellation; None when the policy has none (non-refundable).
    free_until: date | None
    refund_percent: int
    #: False once the guest's arrival day has come.
    possible: bool


def terms(booking: Booking) -> Terms:
    """The policy the booking was made under (its plan's, else the property's), applied on
    the property's today, to what was actually paid (a deposit, with the balance once it
    was charged; nothing for a stay paid at the property)."""
    policy = booking.cancellation_policy
    check_in, today = booking.check_in, booking.today
    free_until = _free_until(policy, check_in)
    paid, refund = booking.paid, refund_under(policy, booking.paid, check_in, today)
    shares = room_shares(booking)
    if shares:  # a group: each room still booked, under its own plan's policy
        paid = sum(share for share, _ in shares)
        refund = sum(
            refund_under(room_policy, share, check_in, today) for share, room_policy in shares
        )
    return Terms(paid, refund, free_until, policy.refund_percent, today < check_in)


def _free_until(policy: CancellationPolicy, check_in: date) -> date | None:
    if not policy.free_cancellation:
        return None
    return check_in - timedelta(days=policy.free_until_days)


def refund_under(policy: CancellationPolicy, paid: int, check_in: date, today: date) -> int:
    """What ``policy`` gives back of ``paid`` on ``today``: everything within the free
    period, after it the percentage, rounded down."""
    free_until = _free_until(policy, check_in)
    free = free_until is not None and today <= free_until
    return paid if free else paid * policy.refund_percent // 100


def room_share(booking: Booking, room: GroupRoom) -> int:
    """What was paid for one room of a group: its part of the one payment at booking, and
    its balance once the group's one balance charge went through; once the group's dates
    changed, what the change wrote down as taken for it and its part of the charges taken
    since (``room_paid``, migration 0036)."""
    if room.owed is not None and room.paid is not None:
        return room.paid
    return room.quote.due_now + (room.quote.balance if booking.balance_taken else 0)


def room_terms(booking: Booking, room: GroupRoom) -> Terms:
    """What cancelling one room of a group alone would give back now: its own plan's
    policy, at the stay's dates, applied to what was taken for it."""
    policy = room.cancellation_policy
    paid = room_share(booking, room)
    return Terms(
        paid,
        refund_under(policy, paid, booking.check_in, booking.today),
        _free_until(policy, booking.check_in),
        policy.refund_percent,
        booking.today < booking.check_in,
    )


def room_owes(room: GroupRoom) -> int:
    """What a room of a group still has to pay online with the group's balance."""
    return room.owed if room.owed is not None else room.quote.balance


def room_shares(booking: Booking) -> list[tuple[int, CancellationPolicy]]:
    """A group's rooms still booked: what was paid for each, and its policy (empty for a
    booking of one room)."""
    booked = [room for room in booking.group_rooms or [] if room.status == "confirmed"]
    if booking.dates_changed and any(room.owed is None for room in booked):
        # Changed before migration 0036 wrote down what each room paid.
        return _shares_after_date_change(booking, booked)
    return [(room_share(booking, room), room.cancellation_policy) for room in booked]


def _shares_after_date_change(
    booking: Booking, booked: list[GroupRoom]
) -> list[tuple[int, CancellationPolicy]]:
    """Once a group's dates changed, its rooms' quotes are the new stay's while what was
    paid is what was actually taken (the first payment, as the change left it, and the
    later charges): that is shared among the rooms still booked in proportion to what each
    costs online now (the last takes the rounding), so the shares add up to it exactly."""
    given_back = sum(
        r.refund_amount or 0 for r in booking.group_rooms or [] if r.status == "cancelled"
    )
    paid = max(booking.paid - given_back, 0)
    weights = [room.quote.online_total for room in booked]
    whole = sum(weights)
    shares = [paid * w // whole if whole else 0 for w in weights]
    if shares and whole:
        shares[-1] = paid - sum(shares[:-1])
    return [(share, room.cancellation_policy) for share, room in zip(shares, booked, strict=True)]


async def booking_for_guest(conn: Conn, reference: str, secret: str | None) -> Booking:
    """The booking ``reference`` if ``secret`` is its secret; `NotFound` otherwise (a wrong
    secret reveals nothing about which references exist)."""
    cur = await conn.execute(queries("payments")["booking_by_reference"], {"reference": reference})
    row = await cur.fetchone()
    if row is None:
        raise NotFound("No such booking, or the secret does not match it.")
    # The e-mail's key or the guest's browser's key (`widget.tokens.guest_key`).
    emailed, browsers = row.pop("booking_secret_hash"), row.pop("guest_key_hash")
    if not (token_matches(secret, emailed) or token_matches(secret, browsers)):
        raise NotFound("No such booking, or the secret does not match it.")
    return decoded(row, Booking)


class CancellationOut(msgspec.Struct, frozen=True):
    """What cancelling would give back, by the booking's policy (its rate plan's, else the
    property's)."""

    #: The last day on which cancelling refunds everything paid; null when there is none
    #: (a non-refundable rate).
    free_until: date | None
    #: The share of the payment refunded after ``free_until``.
    refund_percent_after: int
    refund_if_cancelled_now: MoneyOut
    #: False once the stay has begun or the booking is no longer confirmed.
    possible: bool


class BookingOut(msgspec.Struct, frozen=True, omit_defaults=True):
    """``GET /api/v1/bookings/{reference}``: the booking as its guest may read it."""

    reference: str
    status: str
    property: str
    room_type: str
    check_in: date
    check_out: date
    adults: int | None
    children: list[int]
    guest: Guest | None
    paid: MoneyOut
    total: MoneyOut
    payment_status: str | None
    cancellation: CancellationOut
    #: What was given back after a cancellation, if anything.
    refund: MoneyOut | None
    #: The rate plan the booking was sold under (absent for properties without plans).
    rate_plan: str | None = None
    #: The extras booked, slug → quantity (absent when none).
    extras: dict[str, int] = {}
    #: The booking's rooms, in the order they were asked for (one for most bookings).
    rooms: list[BookedRoom] = []
    #: What the guesthouse kept of the rooms cancelled alone (what was paid for them less
    #: their refunds; absent when none was). ``total`` is the rooms' still booked.
    kept: MoneyOut | None = None


def booking_answer(booking: Booking) -> BookingOut:
    """The booking as its guest may read it (``GET /api/v1/bookings/{reference}``)."""
    currency = booking.currency
    deal = terms(booking)
    cancellation = CancellationOut(
        deal.free_until,
        deal.refund_percent,
        MoneyOut(deal.refund, currency),
        deal.possible and booking.status == "confirmed",
    )
    refunded = booking.refund_amount
    money = booking.money  # a group: its rooms still booked, what was kept of the others
    return BookingOut(
        reference=booking.reference,
        status=booking.status,
        property=booking.property_slug,
        room_type=booking.room_type,
        check_in=booking.check_in,
        check_out=booking.check_out,
        adults=booking.adults,
        children=booking.children,
        guest=booking.guest,
        rate_plan=booking.quote.rate_plan,
        extras=booking.quote.extras,
        paid=MoneyOut(booking.paid, currency),
        total=MoneyOut(money.total, currency),
        payment_status=booking.payment_status,
        cancellation=cancellation,
        refund=None if refunded is None else MoneyOut(refunded, currency),
        kept=MoneyOut(money.kept, currency) if any_cancelled_alone(booking) else None,
    )


def any_cancelled_alone(booking: Booking) -> bool:
    """Some room of the group was cancelled on its own."""
    return any(room.cancelled_alone for room in booking.group_rooms or [])


def chosen_refund(booking: Booking, refund: int) -> Terms:
    """The terms of a cancellation that gives back ``refund`` (chosen by the owner or their
    staff instead of the policy's): anything from nothing to all that was paid."""
    deal = terms(booking)
    if not 0 <= refund <= deal.paid:
        raise Invalid(
            f"the refund must be between 0 and what was paid ({deal.paid} minor units)",
            field="refund",
            said=Said("refund_range", {"paid": Amount(deal.paid, booking.currency)}),
        )
    return Terms(deal.paid, refund, deal.free_until, deal.refund_percent, deal.possible)


async def cancel_booking(
    conn: Conn, provider: PaymentProvider, booking: Booking, chosen: int | None = None
) -> Booking:
    """Cancel a confirmed booking and refund what the policy gives back (or ``chosen``, an
    amount no more than was paid); returns the booking as it is afterwards."""
    if booking.status == "cancelled":
        return booking
    if booking.status != "confirmed":
        raise Conflict("Only a confirmed booking can be cancelled.", code="not_cancellable")
    deal = terms(booking) if chosen is None else chosen_refund(booking, chosen)
    if not deal.possible:
        raise Invalid(
            "The stay has begun; please contact the guesthouse to change it.",
            code="too_late_to_cancel",
        )
    q = queries("payments")
    async with conn.transaction():
        cur = await conn.execute(
            q["cancel_booking"],
            {"id": booking.id, "version": booking.version, "refund": deal.refund},
        )
        if await cur.fetchone() is None:
            raise Conflict("The booking changed meanwhile; please reload.", code="stale")
        await conn.execute(queries("inventory")["cancel_group_members"], {"id": booking.id})
        cur = await conn.execute(q["cancel_charges"], {"id": booking.id})
        waiting = [
            (row["id"], row["payment_ref"])
            for row in await cur.fetchall()
            if row["was"] == "requires_action" and row["payment_ref"]
        ]
        mail = await booking_for_mail(conn, booking.id)
        demo = provider.name == "demo"
        await enqueue(conn, booking.id, booking_cancelled(mail, deal.refund, demo))
        await enqueue_booking_event(conn, booking.id, "booking.cancelled")
    if deal.refund > 0:
        await refund(conn, provider, booking.id)
    for charge_id, payment_ref in waiting:
        # The guest's link must not take a balance for a stay that no longer exists.
        try:
            await provider.cancel(payment_ref, idempotency_key=charge_cancel_key(charge_id))
        except PaymentUnavailable as exc:
            log.warning("waiting payment %s not cancelled: %s", payment_ref, exc)
    return await booking_for_guest_unchecked(conn, booking.reference)


async def refund(conn: Conn, provider: PaymentProvider, booking_id: UUID) -> None:
    """Pay back a cancelled booking's refund (same keys each time, so never twice): from
    the later charges first (the balance), then from the payment made at booking."""
    q = queries("payments")
    cur = await conn.execute(q["refund_of"], {"id": booking_id})
    row = await cur.fetchone()
    if row is None or not row["refund_amount"]:
        return
    cur = await conn.execute(q["charges_paid"], {"id": booking_id})
    parts = [
        (c["payment_ref"], int(c["amount"]), charge_refund_key(c["id"]))
        for c in await cur.fetchall()
    ]
    if row["payment_ref"] and row["first_payment"]:
        parts.append(
            (row["payment_ref"], int(row["first_payment"]), cancellation_refund_key(booking_id))
        )
    left = int(row["refund_amount"])
    made_ids = []
    try:
        for payment_ref, amount, key in parts:
            share = min(left, amount)
            if share <= 0:
                break
            made_ids.append((await provider.refund(payment_ref, share, idempotency_key=key)).id)
            left -= share
    except PaymentUnavailable as exc:
        log.warning("refund of booking %s deferred to the reconciler: %s", booking_id, exc)
        return
    if made_ids:
        await conn.execute(q["refund_made"], {"id": booking_id, "refund_ref": made_ids[-1]})


async def booking_for_guest_unchecked(conn: Conn, reference: str) -> Booking:
    cur = await conn.execute(queries("payments")["booking_by_reference"], {"reference": reference})
    row = await cur.fetchone()
    assert row is not None
    return decoded(row, Booking)  # the secrets' hashes are not fields: they stay behind
