"""Against Stripe's real test mode: runs only when ``INNKEEP_TEST_STRIPE_SECRET_KEY`` holds a
test-mode key (``sk_test_…``); the test card stands in for the guest's browser."""

from __future__ import annotations

import os
import uuid

import pytest
import stripe

from widget.payments.stripe_provider import StripeProvider

KEY = os.environ.get("INNKEEP_TEST_STRIPE_SECRET_KEY", "")

pytestmark = [
    pytest.mark.stripe_live,
    pytest.mark.skipif(
        not KEY.startswith("sk_test_"), reason="INNKEEP_TEST_STRIPE_SECRET_KEY (sk_test_…) not set"
    ),
]


async def test_authorise_capture_and_cancel_in_stripe_test_mode() -> None:
    provider = StripeProvider(KEY, "pk_test_unused", deployment="innkeep-stripe-live-test")
    hold_id = uuid.uuid4()
    payment = await provider.authorise(
        hold_id=hold_id,
        amount=42000,
        currency="EUR",
        idempotency_key=f"innkeep-test-{hold_id}",
        description="Innkeep stripe_live test",
    )
    assert payment.status == "requires_payment_method" and payment.client_secret
    again = await provider.authorise(
        hold_id=hold_id,
        amount=42000,
        currency="EUR",
        idempotency_key=f"innkeep-test-{hold_id}",
        description="Innkeep stripe_live test",
    )
    assert again.id == payment.id  # the same key, the same payment
    # What the Payment Element does in the guest's browser, with Stripe's test card.
    client = stripe.StripeClient(KEY)
    await client.v1.payment_intents.confirm_async(payment.id, {"payment_method": "pm_card_visa"})
    authorised = await provider.retrieve(payment.id)
    assert authorised.authorised and authorised.amount == 42000
    assert authorised.currency == "EUR" and authorised.hold_id == str(hold_id)
    captured = await provider.capture(payment.id, idempotency_key=f"innkeep-test-{hold_id}-c")
    assert captured.captured and captured.amount_received == 42000
    refund = await provider.refund(payment.id, 21000, idempotency_key=f"innkeep-test-{hold_id}-r")
    assert refund.amount == 21000
