"""What a verified Stripe event does. The event's own copy of the payment is never trusted:
the confirmation asks the provider for the payment as it is now, so order does not matter."""

from __future__ import annotations

import time
from typing import Annotated
from uuid import UUID

import msgspec

from widget.db import Conn
from widget.errors import Conflict, InnkeepError, Invalid
from widget.payments.balance import settle_guest_action
from widget.payments.confirmation import confirm_payment
from widget.payments.provider import PaymentProvider
from widget.sql import queries

#: How far a signature's time may be from ours, either way (Stripe's default, 5 minutes).
TOLERANCE_SECONDS = 300


def signed_in_time(signature_header: str | None, now: float | None = None) -> bool:
    """True if the ``Stripe-Signature`` header's timestamp lies within the tolerance of now,
    *either way*: Stripe's SDK refuses only old ones, and a signature dated in the future
    (a leaked secret, a wrong clock) would stay replayable until that date."""
    stamps = [
        part.partition("=")[2]
        for part in (signature_header or "").split(",")
        if part.strip().startswith("t=")
    ]
    if len(stamps) != 1 or not stamps[0].strip().isdigit():
        return False
    moment = int(stamps[0].strip())
    return abs((time.time() if now is None else now) - moment) <= TOLERANCE_SECONDS


CONFIRMING = ("payment_intent.amount_capturable_updated", "payment_intent.succeeded")
CANCELLED = "payment_intent.canceled"

#: Stripe's ids (``evt_…``, ``pi_…``): letters, digits and underscores.
StripeId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_]+$", max_length=255)]


class PaymentObject(msgspec.Struct):
    id: StripeId


class EventData(msgspec.Struct):
    object: PaymentObject


class StripeEvent(msgspec.Struct):
    """The parts of a Stripe event read here; ``data.object`` is checked only for the
    payment events handled, since other types carry other objects."""

    id: StripeId
    type: str
    data: msgspec.Raw = msgspec.Raw(b"null")


def read_event(payload: bytes) -> StripeEvent:
    """The event in a verified body; a body of another shape is the sender's error (4xx)."""
    try:
        event = msgspec.json.decode(payload, type=StripeEvent)
    except msgspec.ValidationError as error:
        raise Invalid(f"not a Stripe event: {error}", field="body") from None
    except msgspec.DecodeError:
        raise InnkeepError("The body is not JSON.", field="body") from None
    if event.type in (*CONFIRMING, CANCELLED):
        _payment_id(event)
    return event


def _payment_id(event: StripeEvent) -> str:
    try:
        return msgspec.json.decode(event.data, type=EventData).object.id
    except msgspec.MsgspecError as error:
        raise Invalid(
            f"a {event.type} event carries its payment in data.object: {error}",
            field="data.object",
        ) from None


async def _record(conn: Conn, event: StripeEvent) -> None:
    await conn.execute(
        queries("payments")["record_webhook_event"],
        {"id": event.id, "provider": "stripe", "type": event.type},
    )


async def _later_charge(
    conn: Conn, provider: PaymentProvider, event: StripeEvent, payment_id: str
) -> str:
    """A payment of a balance the guest paid on their link (a closed page still ends in a
    recorded payment): recorded once, as the page and the job record it."""
    cur = await conn.execute(queries("payments")["charge_by_payment"], {"payment_ref": payment_id})
    charge = await cur.fetchone()
    outcome = "unknown_payment"
    if charge is not None and event.type == "payment_intent.succeeded":
        try:
            outcome = "charge_" + await settle_guest_action(conn, provider, charge)
        except Conflict:
            outcome = "charge_not_waiting"
    await _record(conn, event)
    return outcome


async def handle_event(
    conn: Conn,
    provider: PaymentProvider,
    event: StripeEvent,
    *,
    site: str,
) -> str:
    """Apply one event; returns a word for the log and the answer (``confirmed``,
    ``cancelled``, ``duplicate``, ``ignored``, ``unknown_payment``)."""
    q = queries("payments")
    kind = event.type
    if kind not in (*CONFIRMING, CANCELLED):
        return "ignored"
    payment_id = _payment_id(event)
    cur = await conn.execute(q["webhook_event_seen"], {"id": event.id})
    if await cur.fetchone() is not None:
        return "duplicate"
    # Our own record says which hold the payment is for; metadata is only a cross-check.
    cur = await conn.execute(q["reservation_by_payment"], {"payment_ref": payment_id})
    row = await cur.fetchone()
    if row is None:
        return await _later_charge(conn, provider, event, payment_id)
    hold_id: UUID = row["id"]

    if kind in CONFIRMING:

        async def record(tx: Conn, _reference: str) -> None:
            await _record(tx, event)

        await confirm_payment(conn, provider, hold_id, site=site, also=record)
        await _record(conn, event)  # when the booking existed already, nothing else to do
        return "confirmed"

    async with conn.transaction():
        payment = await provider.retrieve(payment_id)
        await conn.execute(
            q["payment_status"],
            {"id": hold_id, "payment_ref": payment_id, "payment_status": payment.status},
        )
        await _record(conn, event)
    return "cancelled"
