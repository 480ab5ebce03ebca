"""``POST /api/v1/webhooks/stripe``: Stripe tells us about payments, so a closed tab still
ends in a booking. Verified on the raw body; duplicates and late or out-of-order events are
harmless because the handler always asks Stripe for the payment as it is now."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
import stripe
from litestar import Controller, Request, post

from widget.api.responses import errors
from widget.errors import BadSignature, InnkeepError, NotFound, PricingBroken, ServiceDown
from widget.intake import ACCEPTS, WEBHOOK_BODY_LIMIT
from widget.links import site_url
from widget.payments.webhook import TOLERANCE_SECONDS as TOLERANCE
from widget.payments.webhook import handle_event, read_event, signed_in_time
from widget.state import DbDep, ServicesDep

log = logging.getLogger(__name__)


class WebhookOut(msgspec.Struct, frozen=True):
    """The event was received; ``outcome`` says what it did (`confirmed`, `ignored`, or the
    code of the refusal the payment met)."""

    received: bool
    outcome: str


class WebhookController(Controller):
    path = "/api/v1/webhooks"
    tags = ("webhooks",)

    @post(
        "/stripe",
        operation_id="stripeWebhook",
        status_code=200,
        responses=errors(400, 403, 404, 408, 413, 422, 503),
        request_max_body_size=WEBHOOK_BODY_LIMIT,
        # Stripe's signature over the raw body is the gate, whatever the Content-Type says.
        opt={ACCEPTS: None},
    )
    async def stripe_webhook(
        self, request: Request[Any, Any, Any], db: DbDep, services: ServicesDep
    ) -> WebhookOut:
        """A Stripe event: `payment_intent.amount_capturable_updated`, `.succeeded` and
        `.canceled` are handled; other types are acknowledged and ignored."""
        settings = services.settings
        if settings.payment_provider != "stripe" or not settings.stripe_webhook_secret:
            raise NotFound("Stripe is not this deployment's payment provider.")
        payload = await request.body()
        signature = request.headers.get("stripe-signature")
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8"), signature, settings.stripe_webhook_secret, TOLERANCE
            )
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
            raise BadSignature("The Stripe-Signature header does not match this body.") from exc
        if not signed_in_time(signature):
            raise BadSignature("The Stripe-Signature timestamp is too far from now.")
        event = read_event(payload)
        try:
            outcome = await handle_event(
                db,
                services.payments,
                event,
                site=site_url(settings),
            )
        except (PricingBroken, ServiceDown):
            raise  # our side failed: Stripe retries the delivery
        except InnkeepError as exc:
            # A refusal (room taken: authorisation cancelled; amount mismatch) is our answer
            # to the payment, not a delivery failure: Stripe must not retry it.
            log.info("webhook %s for %s: %s", event.id, event.type, exc.message)
            outcome = exc.code
        return WebhookOut(received=True, outcome=outcome)
