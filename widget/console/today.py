"""Today (``/admin/{slug}/``): the front desk's arrivals, departures and stay-overs for
today and tomorrow, in the property's time zone."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.response import Template

from widget.console.access import MemberDep, requires
from widget.console.pages import formats, page
from widget.inventory.front_desk import front_desk
from widget.state import DbDep


class TodayController(Controller):
    path = "/{slug:str}"
    include_in_schema = False
    guards = [requires("staff")]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", operation_id="consoleToday", cache=False)
    async def today(self, db: DbDep, member: MemberDep) -> Template:
        """Who arrives, leaves and stays over today and tomorrow."""
        desk = await front_desk(db, member.property_id, member.currency)
        context: dict[str, Any] = {"desk": desk, **formats(member)}
        return page("today.html", viewer=member.viewer, member=member, active="today", **context)
