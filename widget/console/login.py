"""Signing in and out of the console, and the list of one's properties at ``/admin/``."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

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
    session_account,
    viewer_of,
)
from widget.accounts.throttle import (
    LoginThrottled,
    check_throttle,
    forget_failures,
    record_failure,
)
from widget.accounts.two_factor import second_factor_matches
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


def throttled_page(
    target: str, throttled: LoginThrottled, *, email: str = "", template: str = "login.html"
) -> Template:
    """The form again, with 429 and when to retry."""
    minutes = max(1, -(-throttled.retry_after // 60))
    return page(
        template,
        viewer=None,
        status_code=429,
        headers={"Retry-After": str(throttled.retry_after)},
        next=target,
        error=None,
        notice=None,
        throttled=minutes,
        email=email,
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
        throttled=None,
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
        changed: Annotated[str | None, QueryParameter(required=False)] = None,
    ) -> Any:
        """The login form (or, for someone signed in already, where they were going)."""
        viewer = await viewer_of(db, request.cookies.get(SESSION_COOKIE))
        if viewer is not None and not viewer.second_factor_pending:
            return Redirect(safe_next(next), status_code=303)
        notice = "password_changed" if changed else "signed_out" if signed_out else None
        return _login_page(safe_next(next), notice=notice)

    @post("/login", operation_id="consoleLogin", status_code=303)
    async def login(
        self, db: DbDep, services: ServicesDep, request: Request[Any, Any, Any], data: Form
    ) -> Any:
        """Check the e-mail and password; on success a new session (the old one, if any,
        ends: sessions rotate at login), still waiting for its code with two-factor login."""
        target = safe_next(data.get("next"))
        email = data.get("email", "")
        address = client_address(request, services.settings)
        try:
            account = await checked_login(db, email, data.get("password", ""), address)
        except LoginThrottled as throttled:
            return throttled_page(target, throttled, email=email)
        except LoginRefused:
            return _login_page(target, error="login_failed", status_code=401, email=email)
        await end_session(db, request.cookies.get(SESSION_COOKIE))
        pending = account.totp_secret is not None
        token = await open_session(db, account.id, address=address, pending=pending)
        if pending:
            target = f"{LOGIN_PATH}/code?next={quote(target, safe='/')}"
        return Redirect(target, status_code=303, cookies=[session_cookie(services.settings, token)])

    @get("/login/code", operation_id="consoleLoginCodePage", cache=False)
    async def code_page(self, db: DbDep, request: Request[Any, Any, Any], next: Next = None) -> Any:
        """The second step of a two-factor login: the authenticator's code."""
        found = await session_account(db, request.cookies.get(SESSION_COOKIE))
        if found is None or not found[1]:
            return Redirect(LOGIN_PATH, status_code=303)
        return page("login_code.html", viewer=None, next=safe_next(next), error=None)

    @post("/login/code", operation_id="consoleLoginCode", status_code=303)
    async def code(
        self, db: DbDep, services: ServicesDep, request: Request[Any, Any, Any], data: Form
    ) -> Any:
        """Check the code (or a recovery code); on success the pending session is replaced
        by a signed-in one."""
        target = safe_next(data.get("next"))
        token = request.cookies.get(SESSION_COOKIE)
        found = await session_account(db, token)
        secret = found[0].totp_secret if found and found[1] else None
        if found is None or secret is None:
            return Redirect(LOGIN_PATH, status_code=303)
        account = found[0]
        address = client_address(request, services.settings)
        try:
            await check_throttle(db, account.email, address)
        except LoginThrottled as throttled:
            return throttled_page(target, throttled, template="login_code.html")
        code = data.get("code", "")[:40]
        if not await second_factor_matches(db, account.id, secret, code):
            await record_failure(db, account.email, address)
            return page(
                "login_code.html", viewer=None, next=target, error="code_failed", status_code=401
            )
        await forget_failures(db, account.email)
        await end_session(db, token)
        fresh = await open_session(db, account.id, address=address)
        return Redirect(target, status_code=303, cookies=[session_cookie(services.settings, fresh)])

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
