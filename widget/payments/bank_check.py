"""The demo bank's check: where the demo provider's test card asks for authentication, the
guest confirms (or cancels) the payment with their "bank" in the widget, as Stripe.js shows
a 3-D Secure step with Stripe. Nothing here exists with another provider."""

from __future__ import annotations

import msgspec

from widget.errors import HoldLost, NotFound, PaymentNotStarted
from widget.inventory.hold_access import Hold
from widget.payments.demo_provider import DemoProvider
from widget.payments.provider import PaymentProvider


class BankCheckIn(msgspec.Struct, forbid_unknown_fields=True):
    #: True: the guest confirmed the payment with their bank; false: they cancelled.
    passed: bool


class BankCheckOut(msgspec.Struct, frozen=True):
    """``requires_capture``: the payment is authorised, confirm the hold now;
    ``requires_payment_method``: cancelled, nothing charged, the hold is kept for another
    card; anything else: the payment was not waiting for the bank (nothing changed)."""

    status: str


async def demo_bank_check(provider: PaymentProvider, hold: Hold, passed: bool) -> BankCheckOut:
    """The guest's answer to the demo bank for the hold's payment."""
    if not isinstance(provider, DemoProvider):
        raise NotFound("No demo bank here: this service takes payments through Stripe.")
    if hold.status != "held" or hold.lapsed:
        raise HoldLost("This hold has ended; please choose your dates again.")
    if hold.payment_ref is None or hold.payment_provider != provider.name:
        raise PaymentNotStarted("Check out first: the hold has no payment to confirm.")
    payment = await provider.bank_check(hold.payment_ref, passed=passed)
    return BankCheckOut(payment.status)
