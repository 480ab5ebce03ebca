"""The one confirmation: the guest's return, the webhook and the reconciler all run it.

It never takes a payment id from the request. It loads the payment stored on the hold, goes
on only if that payment is authorised for exactly the stored amount, currency and hold, then
confirms the hold in one transaction (with the booking secret and the e-mails) and captures
only after the commit. If no row could be confirmed, the authorisation is cancelled: no guest
is charged for a room they did not get.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Literal, NoReturn
from uuid import UUID, uuid4

import msgspec

from widget.db import Conn
from widget.deliveries.bookings import enqueue_booking_event
from widget.errors import (
    Conflict,
    HoldLost,
    NotFound,
    PaymentMismatch,
    PaymentNotAuthorised,
    PaymentNotStarted,
    PaymentServiceDown,
    RoomTaken,
)
from widget.inventory.availability import free_room_types as free_for_stay
from widget.inventory.catalogue import party, read_catalogue
from widget.inventory.confirm import InTransaction, confirm_hold
from widget.inventory.groups import BookedRoom
from widget.links import manage_url
from widget.mail.compose import booking_confirmed
from widget.mail.outbox import booking_for_mail, enqueue
from widget.payments.keys import cancel_key, capture_key
from widget.payments.provider import Payment, PaymentProvider, PaymentUnavailable
from widget.payments.unbooked import refund_unbooked
from widget.rows import Reservation, decoded, paid_at_property, stay_money
from widget.schemas import MoneyOut
from widget.sql import queries
from widget.tokens import new_token, token_hash

log = logging.getLogger(__name__)

#: A hold whose captured payment is (being) refunded: no booking may be made on it.
REFUNDED = frozenset({"refunding", "refunded"})


@dataclass(frozen=True)
class Booked:
    """A confirmed booking, as the guest's confirm call (and a second one) answers it."""

    reference: str
    hold_id: UUID
    room_type: str
    check_in: date
    check_out: date
    amount: int
    currency: str
    captured: bool
    at_property: bool = False

    @property
    def status(self) -> Literal["captured", "authorised", "at_property"]:
        if self.at_property:
            return "at_property"
        return "captured" if self.captured else "authorised"

    def answer(self, manage_url: str) -> ConfirmOut:
        """The guest's answer, with the link to manage the booking."""
        return ConfirmOut(
            reference=self.reference,
            hold_id=self.hold_id,
            room_type=self.room_type,
            check_in=self.check_in,
            check_out=self.check_out,
            paid=MoneyOut(self.amount, self.currency),
            payment_status=self.status,
            manage_url=manage_url,
        )


class ConfirmOut(msgspec.Struct, frozen=True, kw_only=True):
    """``POST /api/v1/holds/{id}/confirm``: the booking made (the same on every call)."""

    status: Literal["confirmed"] = "confirmed"
    #: The booking's short human reference.
    reference: str
    hold_id: UUID
    room_type: str
    check_in: date
    check_out: date
    paid: MoneyOut
    #: ``at_property``: nothing was charged online (the card may be kept as a guarantee).
    payment_status: Literal["captured", "authorised", "at_property"]
    #: The guest's page for this booking (it carries a key of its own: keep it private).
    manage_url: str
    #: The booking's rooms, in the order they were asked for (one for most bookings).
    rooms: list[BookedRoom] = []


async def reservation(conn: Conn, hold_id: UUID) -> Reservation | None:
    """The hold ``hold_id`` and its payment, or None if there is no such reservation."""
    cur = await conn.execute(queries("payments")["reservation_for_payment"], {"id": hold_id})
    row = await cur.fetchone()
    return None if row is None else decoded(row, Reservation)


def _mismatch(payment: Payment, row: Reservation) -> str | None:
    """Why ``payment`` is not the payment for this hold's stored quote, if it is not."""
    if payment.hold_id != str(row.id):
        return "The payment belongs to another hold."
    if row.quote is None:
        return "The payment's amount is not the amount due for this hold."
    # One payment for every room of a group: its first room carries the sum.
    due = stay_money(row.quote, row.group_quotes).due_now
    if payment.amount != due:
        return "The payment's amount is not the amount due for this hold."
    if payment.currency != row.quote.currency.upper():
        return "The payment's currency is not the hold's currency."
    return None


async def free_room_types(conn: Conn, row: Reservation) -> list[str]:
    """What is free instead for the same stay and party (the holds' own answer)."""
    # Rare (a hold lost at payment): read afresh rather than reach for a worker's memory.
    catalogue = await read_catalogue(conn, row.property_slug)
    who = party(row.adults or 1, row.children)
    return await free_for_stay(conn, catalogue, row.check_in, row.check_out, who)


def _booked(row: Reservation, reference: str, payment: Payment) -> Booked:
    return Booked(
        reference=reference,
        hold_id=row.id,
        room_type=row.room_type,
        check_in=row.check_in,
        check_out=row.check_out,
        amount=payment.amount,
        currency=payment.currency,
        captured=payment.captured,
    )


async def capture(conn: Conn, provider: PaymentProvider, hold_id: UUID, payment_id: str) -> Payment:
    """Capture a confirmed booking's payment (same key each time) and note it on the row."""
    payment = await provider.capture(payment_id, idempotency_key=capture_key(hold_id))
    if payment.captured:
        await conn.execute(queries("payments")["payment_captured"], {"id": hold_id})
    return payment


async def cancel_authorisation(
    conn: Conn, provider: PaymentProvider, hold_id: UUID, payment_id: str
) -> Payment:
    """Release the money reserved for a hold that did not become a booking."""
    payment = await provider.cancel(payment_id, idempotency_key=cancel_key(hold_id))
    await conn.execute(
        queries("payments")["payment_status"],
        {"id": hold_id, "payment_ref": payment_id, "payment_status": payment.status},
    )
    return payment


async def _schedule_balance(conn: Conn, row: Reservation, payment: Payment) -> None:
    """A deposit booking's balance, to be charged to the card saved with the deposit (or
    the card a pay-at-property booking keeps as a guarantee)."""
    q = queries("payments")
    if payment.payment_method is not None:
        await conn.execute(
            q["keep_saved_card"],
            {"id": row.id, "payment_method": payment.payment_method, "customer": payment.customer},
        )
    if row.quote is not None and paid_at_property(row.quote, row.group_quotes):
        await conn.execute(
            q["booking_payment_status"], {"id": row.id, "payment_status": "at_property"}
        )
    if row.quote is None:
        return
    # A group's balance is one charge for all its rooms, on its first room (as its payment).
    later = stay_money(row.quote, row.group_quotes)
    if later.balance <= 0 or later.balance_due is None:
        return
    await conn.execute(
        q["schedule_balance"],
        {"charge_id": uuid4(), "id": row.id, "amount": later.balance, "due_on": later.balance_due},
    )


def _booking_extras(
    row: Reservation,
    payment: Payment,
    site: str,
    test_payment: bool,
    also: InTransaction | None,
) -> InTransaction:
    """What commits with the booking: its manage key's hash, the e-mails, the owner's
    webhooks, and the caller's extra work (the webhook's event id).

    The key is random; besides its hash, it lives only in the confirmation e-mail (whose
    body the outbox blanks once sent)."""

    async def write(conn: Conn, reference: str) -> None:
        q = queries("payments")
        secret = new_token()
        await conn.execute(
            q["keep_booking_secret"], {"id": row.id, "secret_hash": token_hash(secret)}
        )
        booking = await booking_for_mail(conn, row.id)
        await enqueue(
            conn,
            row.id,
            booking_confirmed(booking, manage_url(site, reference, secret), test_payment),
        )
        await enqueue_booking_event(conn, row.id, "booking.confirmed")
        await _schedule_balance(conn, row, payment)
        if also is not None:
            await also(conn, reference)

    return write


async def confirm_payment(
    conn: Conn,
    provider: PaymentProvider,
    hold_id: UUID,
    *,
    site: str,
    also: InTransaction | None = None,
) -> Booked:
    """Turn the hold's authorised payment into a booking, or cancel the authorisation.

    Idempotent: a booking already made answers again with the same reference (and finishes a
    capture a crash interrupted). Raises `Conflict` when the payment is not (yet) authorised
    for exactly this hold, or when the room went to someone else (the authorisation is then
    cancelled and the answer lists what is free instead); `PaymentServiceDown` when the
    provider does not answer. ``also`` runs inside the booking's transaction; ``site`` is
    the service's address (`widget.links.site_url`) for the e-mail's link.
    """
    first = await reservation(conn, hold_id)
    if (
        first is not None
        and first.quote is not None
        and paid_at_property(first.quote, first.group_quotes)
    ):
        return await confirm_at_property(conn, provider, hold_id, site=site, also=also)
    for _ in range(3):  # a hold changed between our read and the fenced write: read again
        row, payment = await _hold_and_payment(conn, provider, hold_id)
        if row.status == "confirmed":
            assert row.reference is not None  # a confirmed reservation has its reference
            captured_noted = row.payment_captured_at is not None
            payment = await _finish_capture(conn, provider, hold_id, payment, captured_noted)
            return _booked(row, row.reference, payment)
        _require_chargeable(payment)
        if row.payment_status in REFUNDED:  # refunded (or being refunded): never booked now
            return await _refuse(conn, provider, row, payment, "lost")

        extras = _booking_extras(row, payment, site, provider.name == "demo", also)
        result = await confirm_hold(conn, hold_id, row.version, payment.id, extras)
        if result.confirmed:
            assert result.reference is not None
            payment = await _finish_capture(conn, provider, hold_id, payment, False)
            return _booked(row, result.reference, payment)
        if result.reason == "stale":
            continue
        return await _refuse(conn, provider, row, payment, result.reason or "taken")
    raise Conflict("The hold kept changing; please retry.", code="hold_busy")


async def confirm_at_property(
    conn: Conn,
    provider: PaymentProvider,
    hold_id: UUID,
    *,
    site: str,
    also: InTransaction | None = None,
) -> Booked:
    """Book a stay paid at the property: once the card is saved when the plan asks for a
    guarantee (the SetupIntent succeeded), else on the guest's details alone. Nothing is
    charged, so nothing is cancelled if the room went to someone else."""
    for _ in range(3):
        row = await reservation(conn, hold_id)
        if row is None:
            raise NotFound("No such hold.")
        saved = await _saved_guarantee(provider, row)
        if row.status == "confirmed":
            assert row.reference is not None
            return _booked_at_property(row, row.reference)
        if row.guest is None:
            raise PaymentNotStarted("This hold has no guest yet; check out first.")
        extras = _booking_extras(row, saved, site, provider.name == "demo", also)
        result = await confirm_hold(conn, hold_id, row.version, row.payment_ref, extras)
        if result.confirmed:
            assert result.reference is not None
            return _booked_at_property(row, result.reference)
        if result.reason != "stale":
            lost = RoomTaken if result.reason == "taken" else HoldLost
            raise lost(
                "Sorry, this room is no longer available for these dates. Nothing was charged.",
                code="room_taken" if result.reason == "taken" else "hold_lost",
                extra={"free_room_types": await free_room_types(conn, row)},
            )
    raise Conflict("The hold kept changing; please retry.", code="hold_busy")


async def _saved_guarantee(provider: PaymentProvider, row: Reservation) -> Payment:
    """The saved card a guarantee needs (refused until it is saved); a payment of nothing
    when the plan keeps no card."""
    guarantee = row.payment_terms is not None and row.payment_terms.card_guarantee
    if not guarantee:
        return Payment(f"at_property_{row.id}", "succeeded", 0, row.currency, str(row.id))
    if not row.payment_ref:
        raise PaymentNotStarted("This hold has no card saved yet; check out first.")
    try:
        setup = await provider.retrieve_setup(row.payment_ref)
    except PaymentUnavailable as exc:
        raise PaymentServiceDown("The payment service did not answer. Please retry.") from exc
    if setup.status != "succeeded":
        raise PaymentNotAuthorised(
            "The card is not saved yet; finish entering it, then confirm again.",
            extra={"payment_status": setup.status},
        )
    return setup


def _booked_at_property(row: Reservation, reference: str) -> Booked:
    return Booked(
        reference=reference,
        hold_id=row.id,
        room_type=row.room_type,
        check_in=row.check_in,
        check_out=row.check_out,
        amount=0,
        currency=row.currency,
        captured=False,
        at_property=True,
    )


async def _hold_and_payment(
    conn: Conn, provider: PaymentProvider, hold_id: UUID
) -> tuple[Reservation, Payment]:
    """The hold and the payment stored on it, refused unless it is this hold's payment."""
    row = await reservation(conn, hold_id)
    if row is None:
        raise NotFound("No such hold.")
    if not row.payment_ref:
        raise PaymentNotStarted("This hold has no payment yet; check out first.")
    try:
        payment = await provider.retrieve(row.payment_ref)
    except PaymentUnavailable as exc:
        raise PaymentServiceDown(
            "The payment service did not answer; nothing was charged. Please retry."
        ) from exc
    mismatch = _mismatch(payment, row)
    if mismatch:
        log.warning("payment %s refused for hold %s: %s", payment.id, hold_id, mismatch)
        raise PaymentMismatch(mismatch)
    return row, payment


def _require_chargeable(payment: Payment) -> None:
    """Refuse a payment that was cancelled or is not authorised yet."""
    if payment.status == "canceled":
        raise Conflict(
            "This payment was cancelled and nothing was charged. Please book again.",
            code="payment_cancelled",
        )
    if not (payment.authorised or payment.captured):
        raise PaymentNotAuthorised(
            "The payment is not authorised yet; finish it, then confirm again.",
            extra={"payment_status": payment.status},
        )


async def _finish_capture(
    conn: Conn, provider: PaymentProvider, hold_id: UUID, payment: Payment, noted: bool
) -> Payment:
    """Capture a booked hold's authorised payment (also after a crash between commit and
    capture), or note a capture made outside Innkeep unless the row already ``noted`` it."""
    if payment.authorised:
        return await _capture_or_log(conn, provider, hold_id, payment)
    if payment.captured and not noted:
        await conn.execute(queries("payments")["payment_captured"], {"id": hold_id})
    return payment


async def _capture_or_log(
    conn: Conn, provider: PaymentProvider, hold_id: UUID, payment: Payment
) -> Payment:
    """Capture now; if the provider is away the booking stands and the reconciler captures."""
    try:
        return await capture(conn, provider, hold_id, payment.id)
    except PaymentUnavailable:
        log.warning(
            "capture of %s for booked hold %s deferred to the reconciler", payment.id, hold_id
        )
        return payment


async def _refuse(
    conn: Conn, provider: PaymentProvider, row: Reservation, payment: Payment, reason: str
) -> NoReturn:
    """No row could be confirmed: release the money, and say plainly what is free instead."""
    if payment.captured:
        why = "the room was booked by someone else" if reason == "taken" else "the hold ended"
        await refund_unbooked(conn, provider, row, payment, why)
    else:
        try:
            await cancel_authorisation(conn, provider, row.id, payment.id)
        except PaymentUnavailable:
            log.warning("cancel of %s deferred to the reconciler", payment.id)
    free = await free_room_types(conn, row)
    if reason == "taken":
        message = "Sorry, this room was booked by someone else while you were paying."
    else:
        message = "Sorry, your hold on this room ended before the payment was confirmed."
    lost = RoomTaken if reason == "taken" else HoldLost
    given_back = (
        "Your payment has been refunded in full."
        if payment.captured
        else "Your card has not been charged: the payment was cancelled."
    )
    raise lost(
        f"{message} {given_back}",
        code="room_taken" if reason == "taken" else "hold_lost",
        extra={
            "free_room_types": free,
            "payment_status": "refunded" if payment.captured else "canceled",
        },
    )
