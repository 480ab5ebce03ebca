"""Today (``/admin/{slug}/``): channel sync's open conflicts and failing feeds when there are
any, then the front desk's arrivals, departures and stay-overs for today and tomorrow, in
the property's time zone."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get
from litestar.params import QueryParameter
from litestar.response import Template

from widget.console.access import MemberDep, requires
from widget.console.pages import formats, page
from widget.inventory.front_desk import front_desk
from widget.state import DbDep
from widget.sync.health import feed_health


class TodayController(Controller):
    path = "/{slug:str}"
    include_in_schema = False
    guards = [requires("staff")]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", operation_id="consoleToday", cache=False)
    async def today(
        self,
        db: DbDep,
        member: MemberDep,
        resolved: Annotated[str | None, QueryParameter(required=False, max_length=1)] = None,
    ) -> Template:
        """Channel sync's trouble first (conflicts, failing feeds), then who arrives,
        leaves and stays over today and tomorrow."""
        desk = await front_desk(db, member.property_id, member.currency)
        feeds = await feed_health(db, member.slug)
        context: dict[str, Any] = {
            "desk": desk,
            "failing": [f for f in feeds if f.state == "failing"],
            "conflicts": [(f, c) for f in feeds for c in f.conflicts],
            "resolved": resolved == "1",
            **formats(member),
        }
        return page("today.html", viewer=member.viewer, member=member, active="today", **context)
