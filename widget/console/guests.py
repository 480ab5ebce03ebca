"""Guests and privacy (``/admin/{slug}/guests``): find a guest's bookings by e-mail (staff,
the daily work), export everything held about them as JSON, and, for owners, erase a guest
whose stays have ended and set how many years after departure guests are forgotten.

The e-mail address travels in POST bodies only, never in a URL (which logs keep).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from widget.console.access import MemberDep, OwnersOnly, requires
from widget.console.pages import HEADERS, formats, page
from widget.console.refusal_text import refusal_text
from widget.errors import Invalid, StayNotEnded
from widget.guests.privacy import (
    erase_guest,
    find_guest,
    guest_property,
    guest_record,
    set_retention,
)
from widget.intake import ACCEPTS, FORM
from widget.state import DbDep

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _owner(member: MemberDep) -> None:
    if not member.is_owner:
        raise OwnersOnly("Only the property's owners may do this.")


class GuestsController(Controller):
    path = "/{slug:str}/guests"
    include_in_schema = False
    guards = [requires("staff")]  # noqa: RUF012 - Litestar reads it as a class attribute
    opt = {ACCEPTS: FORM}  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", operation_id="consoleGuests", cache=False)
    async def guests(self, db: DbDep, member: MemberDep) -> Template:
        """The search form, and the retention setting."""
        return await self._page(db, member)

    @post("/", operation_id="consoleGuestsAct", status_code=200)
    async def act(
        self, db: DbDep, member: MemberDep, data: Form
    ) -> Template | Response[bytes] | Redirect:
        """The page's buttons (``action``): ``find`` a guest's reservations by e-mail,
        ``export`` everything held about them; owners only: ``erase`` them, or set the
        ``retention`` years."""
        action = data.get("action", "find")
        if action == "export":
            return await self._export(db, member, data.get("email", ""))
        if action == "erase":
            _owner(member)
            return await self._erase(db, member, data.get("email", ""))
        if action == "retention":
            _owner(member)
            return await self._retention(db, member, data.get("years", ""))
        return await self._page(db, member, email=data.get("email", ""))

    async def _export(self, db: DbDep, member: MemberDep, email: str) -> Response[bytes]:
        """Everything held about the guest, as a JSON file."""
        place = await guest_property(db, member.slug)
        record = await guest_record(db, place, email)
        body = json.dumps(record, indent=2, ensure_ascii=False, default=str).encode()
        return Response(
            body,
            media_type="application/json",
            headers={**HEADERS, "Content-Disposition": 'attachment; filename="guest.json"'},
        )

    async def _erase(self, db: DbDep, member: MemberDep, email: str) -> Template:
        """Anonymise a guest whose stays have ended."""
        place = await guest_property(db, member.slug)
        try:
            erased = await erase_guest(db, place, email)
        except StayNotEnded as refused:
            return await self._page(
                db,
                member,
                email=email,
                refusal=refusal_text(refused, member.viewer.language),
                status_code=409,
            )
        return await self._page(db, member, erased=erased)

    async def _retention(self, db: DbDep, member: MemberDep, text: str) -> Redirect:
        """How many years after departure guests are anonymised."""
        text = text.strip()
        if text and not text.isdigit():
            raise Invalid("years is a whole number from 1 to 30, or empty", field="years")
        await set_retention(db, member.property_id, int(text) if text else None)
        return Redirect(f"/admin/{member.slug}/guests", status_code=303)

    async def _page(
        self,
        db: DbDep,
        member: MemberDep,
        *,
        email: str = "",
        refusal: str = "",
        erased: int | None = None,
        status_code: int = 200,
    ) -> Template:
        place = await guest_property(db, member.slug)
        stays = await find_guest(db, place, email) if email else None
        context: dict[str, Any] = {
            "email": email,
            "stays": stays,
            "refusal": refusal,
            "erased": erased,
            "retention_years": place.retention_years,
            **formats(member),
        }
        return page(
            "guests.html",
            viewer=member.viewer,
            member=member,
            active="guests",
            status_code=status_code,
            **context,
        )
