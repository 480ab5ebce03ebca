"""Password reset: ask for a link by e-mail (``/admin/reset``), then choose a new password
through it (``/admin/reset/{token}``, once). The answer to a request is the same whether
or not the address has an account."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter
from litestar.response import Redirect, Template

from widget.accounts.resets import RESET_MINUTES, complete_reset, request_reset, reset_email
from widget.console.access import LOGIN_PATH
from widget.console.pages import page
from widget.errors import Invalid
from widget.intake import ACCEPTS, FORM
from widget.links import site_url
from widget.state import DbDep, ServicesDep

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Token = Annotated[str, PathParameter(description="the reset link's secret", max_length=100)]
#: The link's secret is in the address: never sent on to another site. `same-origin`, not
#: `no-referrer`: under that a browser posts the page's form with `Origin: null`, refused.
NO_REFERRER = {"Referrer-Policy": "same-origin"}


class PasswordResetController(Controller):
    path = "/reset"
    include_in_schema = False
    opt = {ACCEPTS: FORM}  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", operation_id="consoleResetPage", cache=False)
    async def ask(self) -> Template:
        """The form asking for the account's e-mail."""
        return page("reset.html", viewer=None, sent=None)

    @post("/", operation_id="consoleResetRequest", status_code=200)
    async def send(self, db: DbDep, services: ServicesDep, data: Form) -> Template:
        """E-mail a single-use link if the address has an account; say the same either way."""
        email = data.get("email", "")[:320]
        await request_reset(db, email, site_url(services.settings))
        return page("reset.html", viewer=None, sent=email, minutes=RESET_MINUTES)

    @get("/{token:str}", operation_id="consoleResetChoose", cache=False)
    async def choose(self, db: DbDep, token: Token) -> Template:
        """The form for the new password (404 for a used or expired link)."""
        email = await reset_email(db, token)
        return page(
            "reset_choose.html",
            viewer=None,
            email=email,
            token=token,
            error=None,
            headers=NO_REFERRER,
        )

    @post("/{token:str}", operation_id="consoleResetComplete", status_code=303)
    async def complete(self, db: DbDep, token: Token, data: Form) -> Any:
        """Set the new password; every session of the account ends."""
        try:
            await complete_reset(db, token, data.get("password", ""))
        except Invalid as invalid:
            email = await reset_email(db, token)
            return page(
                "reset_choose.html",
                viewer=None,
                email=email,
                token=token,
                error=invalid.message,
                status_code=422,
                headers=NO_REFERRER,
            )
        return Redirect(f"{LOGIN_PATH}?changed=1", status_code=303)
