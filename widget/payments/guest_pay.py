"""What the guest's payment page does, for each purpose of its link.

Nothing here charges a card a second time: a balance is paid by confirming the very
PaymentIntent the job made (the bank's check, or another card on the same intent), so the
provider can take it once at most; every outcome is read back from the provider, never
from the browser, and recorded once (`widget.payments.balance.record_success`).
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from widget.db import Conn
from widget.errors import Conflict
from widget.payments.balance import settle_guest_action
from widget.payments.demo_provider import DemoProvider
from widget.payments.keys import card_update_key, guest_payment_key
from widget.payments.pay_links import PayLink
from widget.payments.provider import PaymentProvider
from widget.sql import queries

#: ``waiting`` (the form is shown), ``done`` (paid, or the card saved), ``declined`` (the
#: card did not pay: try another), ``not_waiting`` (nothing left for this link to do).
Outcome = Literal["waiting", "done", "declined", "not_waiting"]

#: The charge status each paying purpose acts on: one link, one purpose.
_ACTS_ON = {"authenticate": "requires_action", "pay_balance": "balance_due"}


class PayState(msgspec.Struct, frozen=True, kw_only=True):
    """What the page shows: the outcome so far and what the browser needs (Stripe.js)."""

    outcome: Outcome
    client_secret: str | None = None
    #: The saved card the bank's check confirms (Stripe's recovery flow).
    payment_method: str | None = None
    #: The payment the page confirms (None for a card update).
    payment_id: str | None = None


async def page_state(conn: Conn, provider: PaymentProvider, link: PayLink) -> PayState:
    """The page as it stands; a payment the provider took meanwhile (the guest's browser,
    before its form came back) is recorded now."""
    if link.booking_status != "confirmed":
        return PayState(outcome="done" if link.charge_status == "succeeded" else "not_waiting")
    if link.purpose == "update_card":
        return await _card_state(conn, provider, link)
    if link.charge_status == "succeeded":
        return PayState(outcome="done")
    if link.charge_status != _ACTS_ON[link.purpose]:
        return PayState(outcome="not_waiting")
    if not link.payment_ref:
        if link.purpose == "authenticate":
            return PayState(outcome="not_waiting")
        link = await _with_payment(conn, provider, link)
    assert link.payment_ref is not None
    payment = await provider.retrieve(link.payment_ref)
    if payment.captured:
        return await _recorded(conn, provider, link)
    return PayState(
        outcome="waiting",
        client_secret=payment.client_secret,
        payment_method=payment.payment_method or link.payment_method_ref,
        payment_id=payment.id,
    )


async def _with_payment(conn: Conn, provider: PaymentProvider, link: PayLink) -> PayLink:
    """A balance due with no payment left to confirm (the provider refused the charge
    before making one, or the owner asked the guest to pay): the one payment for it, made
    once (its key is the charge's) and kept on the charge."""
    assert link.charge_id is not None and link.amount is not None
    payment = await provider.start_payment(
        customer=link.customer_ref,
        amount=link.amount,
        currency=link.currency,
        idempotency_key=guest_payment_key(link.charge_id),
        description=f"Payment for booking {link.reference}",
        metadata={"booking": link.reference, "charge_id": str(link.charge_id)},
    )
    cur = await conn.execute(
        queries("payments")["keep_guest_payment"],
        {"id": link.charge_id, "payment_ref": payment.id},
    )
    kept = await cur.fetchone()
    return msgspec.structs.replace(link, payment_ref=kept["payment_ref"] if kept else payment.id)


async def _card_state(conn: Conn, provider: PaymentProvider, link: PayLink) -> PayState:
    if link.done_at is not None:
        return PayState(outcome="done")
    if not link.customer_ref:
        return PayState(outcome="not_waiting")
    if isinstance(provider, DemoProvider):
        return PayState(outcome="waiting")
    setup = await provider.setup_card(
        hold_id=link.reservation_id,
        customer=link.customer_ref,
        idempotency_key=card_update_key(link.id),
    )
    cur = await conn.execute(
        queries("payments")["keep_link_setup"], {"id": link.id, "setup_ref": setup.id}
    )
    await cur.fetchone()
    return PayState(outcome="waiting", client_secret=setup.client_secret)


async def _recorded(conn: Conn, provider: PaymentProvider, link: PayLink) -> PayState:
    charge = await _charge(conn, link)
    outcome = await settle_guest_action(conn, provider, charge)
    return PayState(outcome="done" if outcome == "succeeded" else "not_waiting")


async def _charge(conn: Conn, link: PayLink) -> dict[str, Any]:
    cur = await conn.execute(queries("payments")["charge_by_id"], {"id": link.charge_id})
    row = await cur.fetchone()
    assert row is not None  # a link's charge is never deleted while its booking lives
    return dict(row)


async def complete(
    conn: Conn, provider: PaymentProvider, link: PayLink, test_card: str | None
) -> PayState:
    """The guest's form came back: after Stripe.js confirmed the payment or saved the card,
    or with the demo's test card. Reads the outcome from the provider and records it."""
    state = await page_state(conn, provider, link)
    if state.outcome != "waiting":
        return state
    if link.purpose == "update_card":
        return await _save_card(conn, provider, link, test_card)
    assert state.payment_id is not None  # page_state waits only on a payment
    if isinstance(provider, DemoProvider):
        if link.purpose == "authenticate":
            await provider.authenticate(state.payment_id)
        else:
            await provider.pay_with_card(state.payment_id, test_card or "success")
    try:
        outcome = await settle_guest_action(conn, provider, await _charge(conn, link))
    except Conflict:
        return PayState(outcome="not_waiting")
    if outcome == "succeeded":
        return PayState(outcome="done")
    # Not taken: the card declined (or the bank's check failed); the form stays.
    again = await page_state(conn, provider, link)
    if again.outcome == "waiting":
        return msgspec.structs.replace(again, outcome="declined")
    return again


async def _save_card(
    conn: Conn, provider: PaymentProvider, link: PayLink, test_card: str | None
) -> PayState:
    """Keep the guest's new card on the booking, once the provider saved it."""
    assert link.customer_ref is not None  # page_state waits only with a customer
    if isinstance(provider, DemoProvider):
        method: str | None = await provider.save_card(link.customer_ref, test_card or "success")
    else:
        cur = await conn.execute(queries("payments")["payment_link"], {"id": link.id})
        row = await cur.fetchone()
        setup_ref = row["setup_ref"] if row else None
        setup = await provider.retrieve_setup(setup_ref) if setup_ref else None
        if setup is None or setup.status != "succeeded":
            secret = setup.client_secret if setup else None
            return PayState(outcome="declined", client_secret=secret)
        method = setup.payment_method
    async with conn.transaction():
        await conn.execute(
            queries("payments")["keep_saved_card"],
            {"id": link.reservation_id, "payment_method": method, "customer": link.customer_ref},
        )
        await conn.execute(queries("payments")["payment_link_done"], {"id": link.id})
    return PayState(outcome="done")
