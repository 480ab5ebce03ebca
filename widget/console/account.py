"""One's own account (``/admin/account``): the console's language, and two-factor login
(turned on with a code from the app, off only where no property requires it)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template

from widget.accounts.sessions import Viewer
from widget.accounts.two_factor import (
    disable,
    enable,
    new_secret,
    setup_qr,
    setup_uri,
    use_code,
)
from widget.console.access import ViewerDep, signed_in
from widget.console.pages import page
from widget.errors import Invalid
from widget.i18n import LANGUAGES, console_messages
from widget.intake import ACCEPTS, FORM
from widget.sql import queries
from widget.state import DbDep

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
ACCOUNT_PATH = "/admin/account"


def _account_page(
    viewer: Viewer,
    *,
    error: str | None = None,
    codes: list[str] | None = None,
    required: str | None = None,
    status_code: int = 200,
    saved: bool = False,
) -> Template:
    secret = None if viewer.two_factor else new_secret()
    demanding = [m.name for m in viewer.memberships if m.requires_two_factor]
    uri = setup_uri(secret, viewer.email) if secret else None
    words = console_messages(viewer.language)
    return page(
        "account.html",
        viewer=viewer,
        status_code=status_code,
        languages=LANGUAGES,
        secret=secret,
        uri=uri,
        qr=setup_qr(uri, words["two_factor_qr_title"]) if uri else None,
        error=error,
        codes=codes,
        required=required or (demanding[0] if demanding and not viewer.two_factor else None),
        may_turn_off=not demanding,
        saved=saved,
    )


class AccountController(Controller):
    path = "/account"
    include_in_schema = False
    guards = [signed_in]  # noqa: RUF012 - Litestar reads it as a class attribute
    opt = {ACCEPTS: FORM}  # noqa: RUF012

    @get("/", operation_id="consoleAccount", cache=False)
    async def show(
        self,
        viewer: ViewerDep,
        saved: Annotated[str | None, QueryParameter(required=False)] = None,
    ) -> Template:
        """The account's language and two-factor login."""
        return _account_page(viewer, saved=bool(saved))

    @post("/language", operation_id="consoleAccountLanguage", status_code=303)
    async def language(self, db: DbDep, viewer: ViewerDep, data: Form) -> Any:
        """The language the console speaks to this user."""
        chosen = data.get("language", "")
        if chosen not in LANGUAGES:
            return _account_page(viewer, error="language", status_code=422)
        await db.execute(
            queries("console")["set_language"], {"user_id": viewer.user_id, "language": chosen}
        )
        return Redirect(f"{ACCOUNT_PATH}?saved=1", status_code=303)

    @post("/two-factor", operation_id="consoleTwoFactorOn", status_code=200)
    async def turn_on(self, db: DbDep, viewer: ViewerDep, data: Form) -> Template:
        """Turn two-factor login on; the recovery codes are shown once, here."""
        secret = data.get("secret", "")[:64]
        try:
            codes = await enable(db, viewer.user_id, secret, data.get("code", "")[:40])
        except Invalid:
            return _account_page(viewer, error="code_failed", status_code=422)
        return _account_page(_with_two_factor(viewer), codes=codes)

    @post("/two-factor/off", operation_id="consoleTwoFactorOff", status_code=303)
    async def turn_off(self, db: DbDep, viewer: ViewerDep, data: Form) -> Any:
        """Turn two-factor login off, with a current code, where no property requires it."""
        if any(m.requires_two_factor for m in viewer.memberships):
            return _account_page(viewer, error="two_factor_needed_here", status_code=409)
        cur = await db.execute(queries("console")["user_by_id"], {"user_id": viewer.user_id})
        row = await cur.fetchone()
        secret = row["totp_secret"] if row else None
        if secret is None or not await use_code(
            db, viewer.user_id, secret, data.get("code", "")[:40]
        ):
            return _account_page(viewer, error="code_failed", status_code=422)
        await disable(db, viewer.user_id)
        return Redirect(f"{ACCOUNT_PATH}?saved=1", status_code=303)


def _with_two_factor(viewer: Viewer) -> Viewer:
    return msgspec.structs.replace(viewer, two_factor=True)
