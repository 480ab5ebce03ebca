"""Payments: one small provider interface (Stripe, or the offline demo), checkout, the
idempotent confirmation shared by the guest's return, the webhook and the reconciler."""

from __future__ import annotations

import weakref

from psycopg_pool import AsyncConnectionPool

from widget.db import Conn
from widget.payments.demo_provider import DemoProvider
from widget.payments.provider import (
    Payment,
    PaymentProvider,
    PaymentUnavailable,
    Refund,
    deployment_marker,
)
from widget.payments.stripe_provider import StripeProvider
from widget.state import Services

__all__ = [
    "Payment",
    "PaymentProvider",
    "PaymentUnavailable",
    "Refund",
    "provider_for",
]

# One provider per service instance (its HTTP client belongs to that instance's event loop).
_providers: weakref.WeakKeyDictionary[AsyncConnectionPool[Conn], PaymentProvider] = (
    weakref.WeakKeyDictionary()
)


def provider_for(services: Services) -> PaymentProvider:
    """The deployment's provider, chosen by settings alone (never by a request)."""
    provider = _providers.get(services.pool)
    if provider is None:
        settings = services.settings
        if settings.payment_provider == "stripe":
            assert settings.stripe_secret_key and settings.stripe_publishable_key  # checked
            provider = StripeProvider(
                settings.stripe_secret_key,
                settings.stripe_publishable_key,
                deployment=deployment_marker(settings.secret_key),
                api_base=settings.stripe_api_base,
            )
        else:
            assert settings.database_url is not None  # create_app refuses to start without
            provider = DemoProvider(settings.database_url)
        _providers[services.pool] = provider
    return provider
