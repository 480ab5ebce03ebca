"""The property's people (``/admin/{slug}/people``): who may use the console, as what.
Only owners see it: users are an owner's business."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from widget.accounts.users import list_users
from widget.console.access import MemberDep, requires
from widget.console.pages import page
from widget.state import DbDep


class PeopleController(Controller):
    path = "/{slug:str}/people"
    include_in_schema = False
    guards = [requires("owner")]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", operation_id="consolePeople", cache=False)
    async def people(self, db: DbDep, member: MemberDep) -> Template:
        """The property's console users and their roles."""
        users = await list_users(db, member.slug)
        return page(
            "people.html", viewer=member.viewer, member=member, active="people", users=users
        )
