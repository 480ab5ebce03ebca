"""How the console answers a refusal: a page, not JSON. No session → the login page (with
where the user was going); not a member → the same 404 as a page that does not exist; a
staff member on an owner's page → 403; any other refusal → its status with its message."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.response import Redirect

from widget.accounts.sessions import Viewer
from widget.console.access import LOGIN_PATH, NotSignedIn, TwoFactorNeeded
from widget.console.pages import page
from widget.console.refusal_text import refusal_text
from widget.errors import InnkeepError, NotFound, Refused
from widget.http_errors import headers_of, status_of


def to_login(request: Request[Any, Any, Any], _: NotSignedIn) -> Response[Any]:
    """Off to the login page; a page asked for by GET is where the user goes after it."""
    target = LOGIN_PATH
    if request.method == "GET":
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = f"{LOGIN_PATH}?next={quote(path, safe='/')}"
    if request.headers.get("hx-request"):
        # htmx would follow a redirect inside the page; it tells the browser to go instead.
        return Response(b"", status_code=200, headers={"HX-Redirect": target})
    return Redirect(target, status_code=303)


def to_two_factor(request: Request[Any, Any, Any], _: TwoFactorNeeded) -> Response[Any]:
    """To one's account page, to turn on the two-factor login the property requires."""
    target = "/admin/account"
    if request.headers.get("hx-request"):
        return Response(b"", status_code=200, headers={"HX-Redirect": target})
    return Redirect(target, status_code=303)


def refusal_page(request: Request[Any, Any, Any], error: InnkeepError) -> Response[Any]:
    """The page for one of the service's refusals (`widget.http_errors` says its status)."""
    viewer = request.state.get("console_viewer")
    viewer = viewer if isinstance(viewer, Viewer) else None
    kind = "not_found" if isinstance(error, NotFound) else "refused"
    if isinstance(error, Refused) and error.code == "owners_only":
        kind = "owners_only"
    return page(
        "refused.html",
        viewer=viewer,
        status_code=status_of(error),
        headers=headers_of(error),
        kind=kind,
        message=refusal_text(error, viewer.language if viewer else "en"),
        code=error.code,
    )
