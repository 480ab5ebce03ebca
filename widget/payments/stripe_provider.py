"""Stripe, through the official SDK: PaymentIntents with manual capture.

Every call that changes money carries an idempotency key derived from the hold, so a call
retried after a timeout (by the SDK or by us) never creates or captures twice.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import stripe

from widget.payments.provider import (
    DEPLOYMENT_KEY,
    ChargeRefused,
    Payment,
    PaymentsPage,
    PaymentUnavailable,
    Refund,
    RefundRefused,
    Started,
    StripeCheckoutOut,
)

#: Seconds per HTTP call to Stripe; the SDK retries timeouts with the same idempotency key.
TIMEOUT_SECONDS = 20.0
NETWORK_RETRIES = 2


def _plain(obj: Any) -> dict[str, Any]:
    """The SDK's object as plain data (its objects are not dicts)."""
    return dict(obj.to_dict(recursive=True))


def _payment(obj: Any) -> Payment:
    intent = _plain(obj)
    metadata = intent.get("metadata") or {}
    method = intent.get("payment_method")
    customer = intent.get("customer")
    return Payment(
        id=intent["id"],
        status=intent["status"],
        amount=int(intent["amount"]),
        currency=str(intent["currency"]).upper(),
        hold_id=metadata.get("hold_id"),
        amount_received=int(intent.get("amount_received") or 0),
        client_secret=intent.get("client_secret"),
        customer=customer.get("id") if isinstance(customer, dict) else customer,
        payment_method=method.get("id") if isinstance(method, dict) else method,
    )


def _setup(obj: Any) -> Payment:
    """A SetupIntent as a `Payment` of nothing (its status, customer and saved card)."""
    data = _plain(obj)
    method, customer = data.get("payment_method"), data.get("customer")
    return Payment(
        id=data["id"],
        status=data["status"],
        amount=0,
        currency="",
        hold_id=(data.get("metadata") or {}).get("hold_id"),
        client_secret=data.get("client_secret"),
        customer=customer.get("id") if isinstance(customer, dict) else customer,
        payment_method=method.get("id") if isinstance(method, dict) else method,
    )


def _refusal(exc: stripe.CardError) -> ChargeRefused:
    """A card error as a `ChargeRefused`: its decline code, and the PaymentIntent it left
    (which the guest confirms on the link when the bank wants authentication)."""
    error = exc.error
    code = (error.decline_code if error else None) or exc.code or "card_declined"
    intent = error.payment_intent if error else None
    intent_id = intent.id if intent is not None else None
    return ChargeRefused(str(code), intent_id, str(exc.user_message or exc))


class StripeProvider:
    """`PaymentProvider` backed by one Stripe account (one per deployment)."""

    name = "stripe"

    def __init__(
        self,
        secret_key: str,
        publishable_key: str,
        *,
        deployment: str,
        api_base: str | None = None,
        timeout: float | None = None,
        max_network_retries: int = NETWORK_RETRIES,
    ) -> None:
        self.publishable_key = publishable_key
        #: This deployment's mark on every PaymentIntent it creates (`deployment_marker`).
        self.deployment = deployment
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=max_network_retries,
            http_client=stripe.HTTPXClient(timeout=timeout or TIMEOUT_SECONDS),
        )

    async def authorise(
        self,
        *,
        hold_id: UUID,
        amount: int,
        currency: str,
        idempotency_key: str,
        description: str,
        customer: str | None = None,
        test_card: str | None = None,  # the demo's; Stripe.js collects the real card
    ) -> Payment:
        params: Any = {
            "amount": amount,
            "currency": currency.lower(),
            "capture_method": "manual",
            "metadata": {"hold_id": str(hold_id), DEPLOYMENT_KEY: self.deployment},
            "description": description,
            # Manual capture rules out bank redirects: cards and wallets only.
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
        }
        if customer is not None:
            # The card is kept on the customer so the balance can be charged later.
            params.update(customer=customer, setup_future_usage="off_session")
        try:
            intent = await self.client.v1.payment_intents.create_async(
                params, {"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as exc:
            raise PaymentUnavailable(f"Stripe refused to start the payment: {exc}") from exc
        return _payment(intent)

    async def customer(
        self, *, name: str, email: str, idempotency_key: str, test_card: str | None = None
    ) -> str:
        params: Any = {"name": name, "email": email, "metadata": {DEPLOYMENT_KEY: self.deployment}}
        try:
            made = await self.client.v1.customers.create_async(
                params, {"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as exc:
            raise PaymentUnavailable(f"Stripe did not create the customer: {exc}") from exc
        return str(_plain(made)["id"])

    async def setup_card(self, *, hold_id: UUID, customer: str, idempotency_key: str) -> Payment:
        params: Any = {
            "customer": customer,
            "usage": "off_session",
            "metadata": {"hold_id": str(hold_id), DEPLOYMENT_KEY: self.deployment},
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
        }
        try:
            setup = await self.client.v1.setup_intents.create_async(
                params, {"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as exc:
            raise PaymentUnavailable(f"Stripe did not start saving the card: {exc}") from exc
        return _setup(setup)

    async def retrieve_setup(self, setup_id: str) -> Payment:
        try:
            return _setup(await self.client.v1.setup_intents.retrieve_async(setup_id))
        except stripe.StripeError as exc:
            raise PaymentUnavailable(f"Stripe did not return the SetupIntent: {exc}") from exc

    async def charge_saved(
        self,
        *,
        customer: str,
        payment_method: str | None,
        amount: int,
        currency: str,
        idempotency_key: str,
        description: str,
        metadata: dict[str, str],
    ) -> Payment:
        params: Any = {
            "amount": amount,
            "currency": currency.lower(),
            "customer": customer,
            "payment_method": payment_method,
            "off_session": True,
            "confirm": True,
            "description": description,
            "metadata": {**metadata, DEPLOYMENT_KEY: self.deployment},
        }
        try:
            intent = await self.client.v1.payment_intents.create_async(
                params, {"idempotency_key": idempotency_key}
            )
        except stripe.CardError as exc:
            raise _refusal(exc) from exc
        except stripe.InvalidRequestError as exc:
            raise ChargeRefused(str(exc.code or "invalid_request"), None, str(exc)) from exc
        except stripe.StripeError as exc:
            raise PaymentUnavailable(f"Stripe did not answer the charge: {exc}") from exc
        return _payment(intent)

    async def start_payment(
        self,
        *,
        customer: str | None,
        amount: int,
        currency: str,
        idempotency_key: str,
        description: str,
        metadata: dict[str, str],
    ) -> Payment:
        params: Any = {
            "amount": amount,
            "currency": currency.lower(),
            "description": description,
            "metadata": {**metadata, DEPLOYMENT_KEY: self.deployment},
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
        }
        if customer is not None:
            params["customer"] = customer
        try:
            intent = await self.client.v1.payment_intents.create_async(
                params, {"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as exc:
            raise PaymentUnavailable(f"Stripe refused to start the payment: {exc}") from exc
        return _payment(intent)

    async def retrieve(self, payment_id: str) -> Payment:
        try:
            return _payment(await self.client.v1.payment_intents.retrieve_async(payment_id))
        except stripe.StripeError as exc:
            raise PaymentUnavailable(f"Stripe did not return the payment: {exc}") from exc

    async def capture(self, payment_id: str, *, idempotency_key: str) -> Payment:
        try:
            intent = await self.client.v1.payment_intents.capture_async(
                payment_id, options={"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as exc:
            raise PaymentUnavailable(f"Stripe did not capture the payment: {exc}") from exc
        return _payment(intent)

    async def cancel(self, payment_id: str, *, idempotency_key: str) -> Payment:
        try:
            intent = await self.client.v1.payment_intents.cancel_async(
                payment_id, options={"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as exc:
            raise PaymentUnavailable(f"Stripe did not cancel the payment: {exc}") from exc
        return _payment(intent)

    async def refund(self, payment_id: str, amount: int, *, idempotency_key: str) -> Refund:
        try:
            refund = await self.client.v1.refunds.create_async(
                {"payment_intent": payment_id, "amount": amount},
                {"idempotency_key": idempotency_key},
            )
        except stripe.InvalidRequestError as exc:  # Stripe answered: it will not
            raise RefundRefused(f"Stripe refused the refund: {exc}") from exc
        except stripe.StripeError as exc:
            raise PaymentUnavailable(f"Stripe did not refund the payment: {exc}") from exc
        data = _plain(refund)
        return Refund(data["id"], int(data["amount"]), data["status"])

    async def payments_page(
        self, *, created_after: int, created_until: int, starting_after: str | None, limit: int
    ) -> PaymentsPage:
        params: Any = {"created": {"gt": created_after, "lte": created_until}, "limit": limit}
        if starting_after is not None:
            params["starting_after"] = starting_after
        try:
            page = await self.client.v1.payment_intents.list_async(params)
        except stripe.StripeError as exc:
            raise PaymentUnavailable(f"Stripe did not list the payments: {exc}") from exc
        intents = list(page.data)
        ours = [
            _payment(intent)
            for intent in intents
            if (_plain(intent).get("metadata") or {}).get(DEPLOYMENT_KEY) == self.deployment
        ]
        last = str(intents[-1].id) if intents else None
        return PaymentsPage(ours, last, bool(page.has_more))

    def checkout_answer(self, payment: Payment, started: Started) -> StripeCheckoutOut:
        return StripeCheckoutOut(
            started.hold_id,
            started.expires_at,
            started.amount,
            client_secret=payment.client_secret,
            publishable_key=self.publishable_key,
        )
