"""Payments: one small provider interface (Stripe, or the offline demo), checkout, the
idempotent confirmation shared by the guest's return, the webhook and the reconciler."""

from __future__ import annotations

from widget.payments.demo_provider import DemoProvider
from widget.payments.provider import (
    Payment,
    PaymentProvider,
    PaymentUnavailable,
    Refund,
    deployment_marker,
)
from widget.payments.stripe_provider import StripeProvider
from widget.settings import Settings

__all__ = [
    "Payment",
    "PaymentProvider",
    "PaymentUnavailable",
    "Refund",
    "payment_provider",
]


def payment_provider(settings: Settings) -> PaymentProvider:
    """The deployment's provider, chosen by settings alone (never by a request). Built once
    per service (`widget.state.build_services`): its HTTP client belongs to that service."""
    if settings.payment_provider == "stripe":
        assert settings.stripe_secret_key and settings.stripe_publishable_key  # checked
        return StripeProvider(
            settings.stripe_secret_key,
            settings.stripe_publishable_key,
            deployment=deployment_marker(settings.secret_key),
            api_base=settings.stripe_api_base,
        )
    assert settings.database_url is not None  # create_app refuses to start without
    return DemoProvider(settings.database_url)
