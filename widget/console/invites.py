"""Accepting an invitation to a property's console (``/admin/invite/{token}``, the link
e-mailed by `widget.accounts.invites`): choose a password, or with an account already,
just accept. Then sign in as usual."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter
from litestar.response import Redirect, Template

from widget.accounts.invites import accept, invitation
from widget.console.access import LOGIN_PATH
from widget.console.pages import page
from widget.errors import Invalid
from widget.intake import ACCEPTS, FORM
from widget.state import DbDep

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Token = Annotated[str, PathParameter(description="the invitation's secret", max_length=100)]
#: The link's secret is in the address: never sent on to another site.
NO_REFERRER = {"Referrer-Policy": "no-referrer"}


class InviteController(Controller):
    path = "/invite"
    include_in_schema = False
    opt = {ACCEPTS: FORM}  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/{token:str}", operation_id="consoleInvitation", cache=False)
    async def show(self, db: DbDep, token: Token) -> Template:
        """The invitation: whose, to what; a password to choose (404 once used)."""
        found = await invitation(db, token)
        return page(
            "invite.html", viewer=None, invite=found, token=token, error=None, headers=NO_REFERRER
        )

    @post("/{token:str}", operation_id="consoleAcceptInvitation", status_code=303)
    async def take(self, db: DbDep, token: Token, data: Form) -> Any:
        """Accept (once): the account is made or given the role; then to the login page."""
        try:
            await accept(db, token, data.get("password", ""))
        except Invalid as wrong:
            return page(
                "invite.html",
                viewer=None,
                invite=await invitation(db, token),
                token=token,
                error=wrong.message,
                status_code=422,
                headers=NO_REFERRER,
            )
        return Redirect(f"{LOGIN_PATH}?invited=1", status_code=303)
