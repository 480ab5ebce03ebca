"""The owner's console at ``/admin``: server-rendered pages (Jinja2, ``templates/admin/``)
with htmx where a partial update helps, server-side sessions, CSRF on every form and
per-property access (`widget.console.access.requires`).

`console_router` lists every console controller: a new page is added there.
"""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide

from widget.console.access import NotSignedIn, TwoFactorNeeded, provide_member, provide_viewer
from widget.console.account import AccountController
from widget.console.bookings import BookingController
from widget.console.calendar import CalendarController
from widget.console.channels import ChannelsController
from widget.console.guests import GuestsController
from widget.console.invites import InviteController
from widget.console.login import LoginController
from widget.console.new_booking import NewBookingController
from widget.console.people import PeopleController
from widget.console.recovery import PasswordResetController
from widget.console.refusals import refusal_page, to_login, to_two_factor
from widget.console.reports import ReportsController
from widget.console.rooms import RoomsController
from widget.console.rules import RulesController
from widget.console.today import TodayController
from widget.console.website import WebsiteController
from widget.errors import InnkeepError
from widget.form_csrf import form_csrf

#: Every form of the console carries the token this checks (403 ``csrf_failed`` without).
ConsoleCSRF = form_csrf("/admin", samesite="lax")


def console_router() -> Router:
    """The console's routes under ``/admin``, with its CSRF check, its refusal pages and
    the ``viewer`` and ``member`` dependencies its guards prepare."""
    return Router(
        path="/admin",
        route_handlers=[
            LoginController,
            PasswordResetController,
            InviteController,
            AccountController,
            TodayController,
            CalendarController,
            NewBookingController,
            BookingController,
            PeopleController,
            RulesController,
            ReportsController,
            GuestsController,
            ChannelsController,
            RoomsController,
            WebsiteController,
        ],
        middleware=[ConsoleCSRF],
        dependencies={
            "viewer": Provide(provide_viewer),
            "member": Provide(provide_member),
        },
        exception_handlers={
            NotSignedIn: to_login,
            TwoFactorNeeded: to_two_factor,
            InnkeepError: refusal_page,
        },
        include_in_schema=False,
    )
