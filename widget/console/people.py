"""The property's people (``/admin/{slug}/people``): who may use the console, as what, and
whether everyone must use two-factor login. Only owners see it: users are their business."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from widget.accounts.users import list_users
from widget.console.access import MemberDep, requires
from widget.console.pages import page
from widget.intake import ACCEPTS, FORM
from widget.sql import queries
from widget.state import DbDep

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class PeopleController(Controller):
    path = "/{slug:str}/people"
    include_in_schema = False
    guards = [requires("owner")]  # noqa: RUF012 - Litestar reads it as a class attribute
    opt = {ACCEPTS: FORM}  # noqa: RUF012

    @get("/", operation_id="consolePeople", cache=False)
    async def people(self, db: DbDep, member: MemberDep) -> Template:
        """The property's console users and their roles."""
        users = await list_users(db, member.slug)
        return page(
            "people.html", viewer=member.viewer, member=member, active="people", users=users
        )

    @post("/two-factor", operation_id="consoleRequireTwoFactor", status_code=303)
    async def require_two_factor(self, db: DbDep, member: MemberDep, data: Form) -> Response[None]:
        """Require (or stop requiring) two-factor login of everyone on the property."""
        required = data.get("required") == "on"
        await db.execute(
            queries("console")["require_two_factor"],
            {"property_id": member.property_id, "required": required},
        )
        return Redirect(f"/admin/{member.slug}/people", status_code=303)
