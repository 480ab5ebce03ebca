"""The HTTP surface. Each module holds one controller; `route_handlers` lists them all."""

from __future__ import annotations

from typing import Any

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

from widget.api.bookings import BookingController
from widget.api.calendar import CalendarController
from widget.api.charges import ChargeController
from widget.api.checkout import CheckoutController
from widget.api.docs import swagger_assets
from widget.api.embed import EmbedCheckController, WidgetPageController, WidgetPartController
from widget.api.health import HealthController
from widget.api.holds import HoldController
from widget.api.ical import IcalExportController
from widget.api.loader import LoaderController
from widget.api.manage import ManageBookingController
from widget.api.pay import PayPageController
from widget.api.photos import PhotoController
from widget.api.properties import PropertyController
from widget.api.quotes import QuoteController
from widget.api.testing import TestingController, testing_token_guard
from widget.api.webhooks import WebhookController
from widget.paths import STATIC_DIR


def route_handlers(testing_token: str | None = None) -> list[Any]:
    """Every controller and router of the service (add new ones here); the testing API only
    when a testing token is given (`Settings.testing_api`)."""
    return [*_public_handlers(), *_testing_handlers(testing_token)]


def _testing_handlers(token: str | None) -> list[Any]:
    if not token:
        return []
    return [
        Router(path="/", route_handlers=[TestingController], guards=[testing_token_guard(token)])
    ]


def _public_handlers() -> list[Any]:
    return [
        HealthController,
        PropertyController,
        CalendarController,
        QuoteController,
        HoldController,
        CheckoutController,
        WebhookController,
        BookingController,
        ChargeController,
        ManageBookingController,
        PayPageController,
        LoaderController,
        EmbedCheckController,
        WidgetPageController,
        WidgetPartController,
        IcalExportController,
        PhotoController,
        create_static_files_router(
            path="/static",
            directories=[STATIC_DIR],
            name="static",
            # The widget page asks for its JS and CSS with a content hash (?v=…), so a new
            # release is fetched at once; within the hour a returning guest asks for nothing.
            cache_control=CacheControlHeader(public=True, max_age=3600),
        ),
        swagger_assets(),
    ]
