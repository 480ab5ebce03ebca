"""Who may open a console page: a live session, and for a property's pages a membership of
that property with a role that allows the page.

Pages use the guard `requires`: ``guards=[requires("staff")]`` for the daily work,
``guards=[requires("owner")]`` for prices, rules, rooms, channels and users. The guard
reads the ``slug`` path parameter, finds the signed-in user's membership of that property
and leaves it for the handler as the ``member`` dependency (`provide_member`). Without a
session the answer is a redirect to the login page; another property's page is a 404
(exactly as a page that does not exist); a staff member on an owner's page gets 403.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.params import SkipValidation

from widget.accounts.sessions import Member, Viewer, may, member_of, viewer_of
from widget.accounts.users import Role
from widget.errors import Refused
from widget.state import services_in

#: The session cookie: only ever sent to the console's own paths.
SESSION_COOKIE = "innkeep_console"
COOKIE_PATH = "/admin"
LOGIN_PATH = "/admin/login"
_VIEWER = "console_viewer"
_MEMBER = "console_member"

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


class NotSignedIn(Exception):
    """No live session (or its second factor is still to come): off to the login page."""

    def __init__(self, pending_second_factor: bool = False) -> None:
        super().__init__("not signed in")
        self.pending_second_factor = pending_second_factor


class TwoFactorNeeded(Exception):
    """The property asks for two-factor login and the user has not set it up yet."""


class OwnersOnly(Refused):
    """A staff member asked for what only the property's owners may do."""

    code = "owners_only"


async def _viewer(connection: ASGIConnection[Any, Any, Any, Any]) -> Viewer:
    known = connection.state.get(_VIEWER)
    if isinstance(known, Viewer):
        return known
    async with services_in(connection).pool.connection() as conn:
        viewer = await viewer_of(conn, connection.cookies.get(SESSION_COOKIE))
    if viewer is None or viewer.second_factor_pending:
        raise NotSignedIn(pending_second_factor=viewer is not None)
    connection.state[_VIEWER] = viewer
    return viewer


async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard for console pages that belong to no property (the list of one's properties,
    one's own account): a live session is enough."""
    await _viewer(connection)


def requires(role: Role) -> Guard:
    """A guard: the signed-in user must belong to the property named by the ``slug`` path
    parameter with ``role`` (an owner may do whatever staff may)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        viewer = await _viewer(connection)
        slug = str(connection.path_params.get("slug", ""))
        async with services_in(connection).pool.connection() as conn:
            member = await member_of(conn, viewer, slug)
        if member.requires_two_factor and not viewer.two_factor:
            raise TwoFactorNeeded
        if not may(member, role):
            raise OwnersOnly("Only the property's owners may do this.")
        connection.state[_MEMBER] = member

    guard.__name__ = f"requires_{role}"
    return guard


async def provide_viewer(request: ASGIConnection[Any, Any, Any, Any]) -> Viewer:
    """The ``viewer`` dependency of pages guarded by `signed_in` or `requires`."""
    return await _viewer(request)


async def provide_member(request: ASGIConnection[Any, Any, Any, Any]) -> Member:
    """The ``member`` dependency of pages guarded by `requires`."""
    member = request.state.get(_MEMBER)
    assert isinstance(member, Member), "a page that takes `member` is guarded by `requires`"
    return member


# Handlers take these unvalidated: the guards made them, they are not request data.
ViewerDep = SkipValidation[Viewer]
MemberDep = SkipValidation[Member]
