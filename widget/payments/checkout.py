"""Checkout: the guest's details, and a payment for exactly the hold's stored quote."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Annotated, Any, Literal

import msgspec
from babel.dates import format_date
from psycopg.types.json import Jsonb

from engine import Quote
from widget.db import Conn
from widget.email_address import MAX_LENGTH, InvalidEmail, email_address
from widget.errors import (
    Conflict,
    HoldLost,
    Invalid,
    PaymentRefused,
    PaymentServiceDown,
)
from widget.guest_text import UnsafeText, free_text, one_line
from widget.i18n import Language, text
from widget.inventory.hold_access import Hold
from widget.mail.compose import money
from widget.payments.keys import authorise_key, cancel_key, customer_key, setup_key
from widget.payments.provider import (
    ChargeRefused,
    CheckoutOut,
    Payment,
    PaymentProvider,
    PaymentUnavailable,
    Started,
)
from widget.rows import paid_at_property, stay_money
from widget.schemas import MoneyOut
from widget.sql import queries


class GuestIn(msgspec.Struct, forbid_unknown_fields=True):
    """Who is staying: the booking's contact."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    email: Annotated[str, msgspec.Meta(max_length=MAX_LENGTH)]
    language: Language = "en"
    phone: Annotated[str, msgspec.Meta(max_length=40, pattern=r"^[0-9+()./ -]*$")] | None = None
    #: An arrival note for the guesthouse ("we arrive late by ferry").
    note: Annotated[str, msgspec.Meta(max_length=1000)] | None = None


class CheckoutIn(msgspec.Struct, forbid_unknown_fields=True):
    guest: GuestIn
    accept_cancellation_policy: bool
    #: The demo provider's test card (named after Stripe's test cards): what authorising it
    #: now does (declined, or the bank's check first) and what charging the saved card
    #: later does. Ignored by Stripe, where the card itself decides.
    test_card: TestCard | None = None


TestCard = Literal["success", "decline", "insufficient_funds", "authentication_required"]


def consent_text(hold: Hold, quote: Quote, language: str) -> str | None:
    """The consent the guest gives by paying a deposit now, in their language, as the widget
    shows it beside the pay button (``balance_consent``; None: nothing is charged later).
    Stored with the booking: Stripe's ``setup_future_usage=off_session`` asks for it.
    For a group, the one balance of all its rooms."""
    later = stay_money(quote, hold.group_quotes)
    if later.balance <= 0 or later.balance_due is None:
        return None
    return text(
        language,
        "balance_consent",
        property=hold.property_name or hold.property_slug,
        amount=money(later.balance, quote.currency, language),
        date=format_date(later.balance_due, format="long", locale=language),
    )


def checked_guest(data: CheckoutIn) -> dict[str, Any]:
    """The guest's details as they will be stored (the e-mail address normalised), or
    `Invalid` naming the field at fault: all of it is judged before any payment."""
    if not data.accept_cancellation_policy:
        raise Invalid(
            "Please accept the cancellation policy to book.", field="accept_cancellation_policy"
        )
    if not data.guest.name.strip():
        raise Invalid("guest.name: please give the guest's name.", field="guest.name")
    details: dict[str, Any] = msgspec.to_builtins(data.guest)
    for name, check in _TEXT_FIELDS:
        if details.get(name) is not None:
            try:
                details[name] = check(details[name])
            except UnsafeText as exc:
                raise Invalid(f"guest.{name}: {exc}.", field=f"guest.{name}") from None
    try:
        details["email"] = email_address(data.guest.email)
    except InvalidEmail as exc:
        raise Invalid(
            f"guest.email: {exc} Please give an address such as anna@example.com; "
            "the confirmation is sent there.",
            field="guest.email",
        ) from None
    return details


_TEXT_FIELDS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("name", one_line),
    ("phone", one_line),
    ("note", free_text),
)


def _check_open(hold: Hold) -> None:
    if hold.status == "confirmed":
        raise Conflict(
            f"This hold is already booked as {hold.reference}.",
            code="already_booked",
            extra={"reference": hold.reference},
        )
    if hold.status != "held" or hold.lapsed:
        raise HoldLost("This hold has ended; please choose your dates again.")


async def start_checkout(
    conn: Conn,
    provider: PaymentProvider,
    hold: Hold,
    data: CheckoutIn,
    *,
    grace_seconds: int,
) -> CheckoutOut:
    """Store the guest's details on the hold, then authorise its amount due now, store the
    payment, extend the hold by the payment grace period, and say what the widget needs.

    Everything that can refuse the request does so before the provider is called, so a
    refused checkout never leaves an authorisation behind."""
    guest = checked_guest(data)
    _check_open(hold)
    cur = await conn.execute(
        queries("payments")["store_guest"], {"id": hold.id, "guest": Jsonb(guest)}
    )
    if await cur.fetchone() is None:
        raise HoldLost("This hold has ended; please choose your dates again.")
    if hold.quote is None:  # every hold is priced when made; a row without one is no hold
        raise HoldLost("This hold has ended; please choose your dates again.")
    # A group's first room carries the payment for every room: one payment for the sum of
    # what its rooms take now (a room paid at the property adds nothing to it).
    money = stay_money(hold.quote, hold.group_quotes)
    amount, currency = money.due_now, hold.quote.currency
    if paid_at_property(hold.quote, hold.group_quotes):
        payment = await _guarantee(conn, provider, hold, data)
    else:
        customer = await _customer_for_balance(conn, provider, hold, hold.quote, data)
        payment = await _authorise(provider, hold, amount, currency, customer, data)
    cur = await conn.execute(
        queries("payments")["start_payment"],
        {
            "id": hold.id,
            "version": hold.version,
            "provider": provider.name,
            "payment_ref": payment.id if payment else None,
            "payment_status": payment.status if payment else "at_property",
            "grace_seconds": grace_seconds,
        },
    )
    row = await cur.fetchone()
    if row is None:
        # The hold ended or changed while we talked to the provider: release the money.
        # (The reconciler would too; doing it now keeps the guest's card clean at once.)
        if payment is not None and payment.amount:
            with contextlib.suppress(PaymentUnavailable):
                await provider.cancel(payment.id, idempotency_key=cancel_key(hold.id))
        raise HoldLost(
            "This hold has ended or changed; please choose your dates again.",
        )
    if hold.group_quotes is not None:  # the other rooms keep the time the payment needs
        await conn.execute(queries("inventory")["extend_group"], {"id": hold.id})
    started = Started(hold.id, row["hold_expires_at"], MoneyOut(amount, currency))
    if payment is None:  # paid at the property, no card kept: nothing to collect
        payment = Payment(f"at_property_{hold.id}", "succeeded", 0, currency, str(hold.id))
    return provider.checkout_answer(payment, started)


#: Shown at checkout when the plan keeps the card as a guarantee, and stored with the booking.
GUARANTEE_CONSENT = (
    "I allow {property} to keep this card and to charge it a no-show fee, within the "
    "cancellation policy of my booking, if I do not arrive. Nothing is charged now."
)


async def _guarantee(
    conn: Conn, provider: PaymentProvider, hold: Hold, data: CheckoutIn
) -> Payment | None:
    """Paid at the property: with a card guarantee, save the card (a SetupIntent) on a
    customer for the guest; without one, nothing (the guest's details are the booking)."""
    if hold.payment_terms is None or not hold.payment_terms.card_guarantee:
        return None
    consent = GUARANTEE_CONSENT.format(property=hold.property_slug)
    try:
        customer = await provider.customer(
            name=data.guest.name,
            email=data.guest.email,
            idempotency_key=customer_key(hold.id),
            test_card=data.test_card,
        )
        setup = await provider.setup_card(
            hold_id=hold.id, customer=customer, idempotency_key=setup_key(hold.id)
        )
    except PaymentUnavailable as exc:
        raise PaymentServiceDown(
            "The payment service did not answer; nothing was charged. Please retry."
        ) from exc
    await conn.execute(
        queries("payments")["store_customer"],
        {"id": hold.id, "customer_ref": customer, "consent": consent},
    )
    return setup


async def _customer_for_balance(
    conn: Conn, provider: PaymentProvider, hold: Hold, quote: Quote, data: CheckoutIn
) -> str | None:
    """When a balance is charged later: the guest's customer at the provider (one per
    booking guest), stored on the hold with the consent text the guest was shown."""
    consent = consent_text(hold, quote, data.guest.language)
    if consent is None:
        return None
    try:
        customer = await provider.customer(
            name=data.guest.name,
            email=data.guest.email,
            idempotency_key=customer_key(hold.id),
            test_card=data.test_card,
        )
    except PaymentUnavailable as exc:
        raise PaymentServiceDown(
            "The payment service did not answer; nothing was charged. Please retry."
        ) from exc
    await conn.execute(
        queries("payments")["store_customer"],
        {"id": hold.id, "customer_ref": customer, "consent": consent},
    )
    return customer


#: What the guest is told when their card refuses, by decline code (`widget.i18n` keys).
DECLINED = {
    "insufficient_funds": "card_insufficient_funds",
    "authentication_failed": "card_authentication_failed",
}


def card_declined(code: str, language: str = "en") -> PaymentRefused:
    """The refusal a guest sees when their card says ``code`` (a decline code), in their
    ``language``: the widget shows the message as given; ``code`` stays ``card_declined``."""
    message = text(language, DECLINED.get(code, "card_declined"))
    return PaymentRefused(message, extra={"decline_code": code})


async def _authorise(
    provider: PaymentProvider,
    hold: Hold,
    amount: int,
    currency: str,
    customer: str | None,
    data: CheckoutIn,
) -> Payment:
    try:
        return await provider.authorise(
            hold_id=hold.id,
            amount=amount,
            currency=currency,
            customer=customer,
            idempotency_key=authorise_key(hold.id),
            description=f"{hold.property_slug}: {hold.room_type}, "
            f"{hold.check_in.isoformat()} to {hold.check_out.isoformat()}",
            test_card=data.test_card,
        )
    except ChargeRefused as refused:  # the hold stays as it was: another card may pay
        raise card_declined(refused.code, data.guest.language) from None
    except PaymentUnavailable as exc:
        raise PaymentServiceDown(
            "The payment service did not answer; nothing was charged. Please retry."
        ) from exc
