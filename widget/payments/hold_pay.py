"""The payment page of a phone booking: ``/pay/{hold_id}?key=…``, e-mailed by the desk's
"send a payment link" (`widget.payments.desk_bookings.send_payment_link`). The key is the
hold's token and the guest's details are already on the hold, so the page pays the hold
through the widget's own checkout and confirmation (`start_checkout`, `confirm_payment`):
one path to a booking, fenced by the same exclusion constraint; paying twice books once.
"""

from __future__ import annotations

from typing import Literal, cast
from uuid import UUID

import msgspec

from widget.db import Conn
from widget.errors import HoldLost, PaymentNotAuthorised, PaymentRefused
from widget.inventory.hold_access import Hold, load_hold
from widget.payments.checkout import CheckoutIn, GuestIn, TestCard, start_checkout
from widget.payments.confirmation import confirm_payment, reservation
from widget.payments.demo_provider import DemoProvider
from widget.payments.provider import TEST_CARDS, PaymentProvider
from widget.rows import decoded, paid_at_property
from widget.sql import queries

#: ``waiting`` (the form is shown), ``declined`` (the card has not paid yet: the form
#: again), ``done`` (booked: ``reference`` says as what).
HoldOutcome = Literal["waiting", "declined", "done"]


class HoldPayState(msgspec.Struct, frozen=True, kw_only=True):
    """What the hold's page shows."""

    outcome: HoldOutcome
    #: The room type's name, as the guest's e-mails give it.
    room_name: str = ""
    reference: str | None = None
    #: Stripe.js's secret: a PaymentIntent's, or a SetupIntent's for a card guarantee.
    client_secret: str | None = None


async def open_hold(conn: Conn, hold_id: UUID, key: str | None) -> Hold:
    """The hold the link is for (`NotFound` for a wrong key or no such hold); `HoldLost`
    once it ended unbooked (expired, released), so the page says so."""
    hold = await load_hold(conn, hold_id, key)
    if hold.status == "confirmed":
        return hold
    if hold.status != "held" or hold.lapsed or hold.quote is None or hold.guest is None:
        raise HoldLost("This room is no longer held for you; please contact the property.")
    return hold


def at_property(hold: Hold) -> bool:
    """Paid at the property: Stripe.js saves a card (if the plan keeps one), charges nothing."""
    return hold.quote is not None and paid_at_property(hold.quote, hold.group_quotes)


def _needs_card(hold: Hold) -> bool:
    """A card to collect: a payment now, or a card kept as a guarantee."""
    terms = hold.payment_terms
    return not at_property(hold) or (terms is not None and terms.card_guarantee)


async def _checked_out(
    conn: Conn, provider: PaymentProvider, hold: Hold, test_card: str | None, grace: int
) -> Hold:
    """The hold with its payment started, once (the widget's checkout, the stored guest)."""
    if hold.payment_ref is not None:
        return hold
    assert hold.guest is not None  # open_hold refuses a hold without one
    card = cast("TestCard", test_card) if test_card in TEST_CARDS else None
    guest = msgspec.convert(msgspec.to_builtins(hold.guest), GuestIn)
    data = CheckoutIn(guest=guest, accept_cancellation_policy=True, test_card=card)
    await start_checkout(conn, provider, hold, data, grace_seconds=grace)
    return await load_hold_again(conn, hold)


async def load_hold_again(conn: Conn, hold: Hold) -> Hold:
    """The hold as it is now (checkout moved its version and stored its payment)."""
    cur = await conn.execute(queries("inventory")["hold_by_id"], {"id": hold.id})
    row = await cur.fetchone()
    assert row is not None  # a hold is never deleted while its page is open
    row.pop("hold_token_hash")
    return decoded(row, Hold)


async def _secret(provider: PaymentProvider, hold: Hold) -> str | None:
    if isinstance(provider, DemoProvider) or hold.payment_ref is None:
        return None
    if at_property(hold):
        return (await provider.retrieve_setup(hold.payment_ref)).client_secret
    return (await provider.retrieve(hold.payment_ref)).client_secret


async def hold_page_state(
    conn: Conn, provider: PaymentProvider, hold: Hold, *, grace: int
) -> HoldPayState:
    """The page as it stands: booked, or the form (with Stripe, its payment made now, once,
    so Stripe.js has an intent to confirm)."""
    room = await _room_name(conn, hold)
    if hold.status == "confirmed":
        return HoldPayState(outcome="done", room_name=room, reference=hold.reference)
    if not isinstance(provider, DemoProvider) and _needs_card(hold):
        # Stripe.js needs the intent to confirm: made now, once (a reload finds it).
        hold = await _checked_out(conn, provider, hold, None, grace)
    secret = await _secret(provider, hold)
    return HoldPayState(outcome="waiting", room_name=room, client_secret=secret)


async def pay_hold(
    conn: Conn,
    provider: PaymentProvider,
    hold: Hold,
    test_card: str | None,
    *,
    site: str,
    grace: int,
) -> HoldPayState:
    """The form came back (after Stripe.js confirmed the card, or with the demo's test
    card): check out if not yet, then confirm as the widget does; a payment not authorised
    yet leaves the form up."""
    room = await _room_name(conn, hold)
    if hold.status == "confirmed":
        return HoldPayState(outcome="done", room_name=room, reference=hold.reference)
    try:
        hold = await _checked_out(conn, provider, hold, test_card, grace)
    except PaymentRefused:  # the demo's declining test card: the form stays up
        return HoldPayState(outcome="declined", room_name=room)
    if (
        isinstance(provider, DemoProvider)
        and hold.payment_ref is not None
        and hold.payment_status == "requires_action"
    ):
        # The guest is on this page: sending the form passes the demo bank's check.
        await provider.bank_check(hold.payment_ref, passed=True)
    try:
        booked = await confirm_payment(conn, provider, hold.id, site=site)
    except PaymentNotAuthorised:
        secret = await _secret(provider, hold)
        return HoldPayState(outcome="declined", room_name=room, client_secret=secret)
    return HoldPayState(outcome="done", room_name=room, reference=booked.reference)


async def _room_name(conn: Conn, hold: Hold) -> str:
    row = await reservation(conn, hold.id)
    return row.room_type_name if row is not None else hold.room_type
