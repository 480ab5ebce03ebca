"""Signing in and out of the console, and the list of one's properties at ``/admin/``."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template

from widget.accounts.sessions import (
    SESSION_SECONDS,
    LoginRefused,
    checked_login,
    end_every_session,
    end_session,
    open_session,
    viewer_of,
)
from widget.clients import client_address
from widget.console.access import (
    COOKIE_PATH,
    LOGIN_PATH,
    SESSION_COOKIE,
    ViewerDep,
    signed_in,
)
from widget.console.pages import page
from widget.intake import ACCEPTS, FORM
from widget.settings import Settings
from widget.state import DbDep, ServicesDep

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Next = Annotated[str | None, QueryParameter(required=False, description="where to go after")]


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a console path of this service, never another site."""
    if (
        target
        and target.startswith("/admin/")
        and not target.startswith("//")
        and "\\" not in target
        and not target.startswith(LOGIN_PATH)
        and target.isprintable()
    ):
        return target
    return "/admin/"


def session_cookie(settings: Settings, token: str, max_age: int = SESSION_SECONDS) -> Cookie:
    """The console's session cookie: sent only to /admin, never readable by scripts, not
    sent on cross-site subrequests, only over HTTPS in production."""
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=settings.env == "production",
        max_age=max_age,
    )


def _login_page(
    next_path: str,
    *,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
    email: str = "",
) -> Template:
    return page(
        "login.html",
        viewer=None,
        status_code=status_code,
        next=next_path,
        error=error,
        notice=notice,
        email=email,
    )


class LoginController(Controller):
    path = "/"
    include_in_schema = False
    opt = {ACCEPTS: FORM}  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/login", operation_id="consoleLoginPage", cache=False)
    async def login_page(
        self,
        db: DbDep,
        request: Request[Any, Any, Any],
        next: Next = None,
        signed_out: Annotated[str | None, QueryParameter(required=False)] = None,
    ) -> Any:
        """The login form (or, for someone signed in already, where they were going)."""
        viewer = await viewer_of(db, request.cookies.get(SESSION_COOKIE))
        if viewer is not None and not viewer.second_factor_pending:
            return Redirect(safe_next(next), status_code=303)
        return _login_page(safe_next(next), notice="signed_out" if signed_out else None)

    @post("/login", operation_id="consoleLogin", status_code=303)
    async def login(
        self, db: DbDep, services: ServicesDep, request: Request[Any, Any, Any], data: Form
    ) -> Any:
        """Check the e-mail and password; on success a new session (the old one, if any,
        ends: sessions rotate at login)."""
        target = safe_next(data.get("next"))
        email = data.get("email", "")
        try:
            user_id = await checked_login(db, email, data.get("password", ""))
        except LoginRefused:
            return _login_page(target, error="login_failed", status_code=401, email=email)
        await end_session(db, request.cookies.get(SESSION_COOKIE))
        token = await open_session(db, user_id, address=client_address(request, services.settings))
        return Redirect(target, status_code=303, cookies=[session_cookie(services.settings, token)])

    @post("/logout", operation_id="consoleLogout", status_code=303)
    async def logout(
        self, db: DbDep, services: ServicesDep, request: Request[Any, Any, Any], data: Form
    ) -> Response[Any]:
        """End this session, or every session of the account (``everywhere``)."""
        token = request.cookies.get(SESSION_COOKIE)
        viewer = await viewer_of(db, token)
        if viewer is not None and data.get("everywhere"):
            await end_every_session(db, viewer.user_id)
        await end_session(db, token)
        gone = session_cookie(services.settings, "", max_age=0)
        return Redirect(f"{LOGIN_PATH}?signed_out=1", status_code=303, cookies=[gone])

    @get("/", operation_id="consoleHome", guards=[signed_in], cache=False)
    async def home(self, viewer: ViewerDep) -> Any:
        """The properties the user belongs to; straight to Today when there is only one."""
        if len(viewer.memberships) == 1:
            return Redirect(f"/admin/{viewer.memberships[0].slug}/", status_code=303)
        return page("home.html", viewer=viewer)
