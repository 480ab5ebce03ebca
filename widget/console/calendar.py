"""The calendar (``/admin/{slug}/calendar?month=YYYY-MM``): the tape chart of units ×
nights, and blocks made by picking a free night, through the same service as
``innkeep block`` (the exclusion constraint decides; a refusal says what is in the way)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
from babel.dates import format_skeleton
from litestar import Controller, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter, QueryParameter
from litestar.response import Redirect, Template

from widget.accounts.sessions import Member
from widget.console.access import MemberDep, requires
from widget.console.history import record
from widget.console.pages import formats, page
from widget.errors import Invalid, NotFound
from widget.i18n import console_messages
from widget.intake import ACCEPTS, FORM
from widget.inventory.blocks import BlockRefused, add_block, lift_block
from widget.inventory.tape import tape
from widget.settings import Settings
from widget.sql import queries
from widget.state import DbDep, ServicesDep

T = TypeVar("T")
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Month = Annotated[str | None, QueryParameter(required=False, description="YYYY-MM", max_length=7)]


def month_start(value: str | None, today: date) -> date:
    """The first day of the month ``YYYY-MM`` (this month when None), or `Invalid`."""
    if not value:
        return today.replace(day=1)
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise Invalid(f"{value!r} is not a month like 2027-06", field="month") from None


def _night(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


async def _blocks_service(settings: Settings, work: Callable[[psycopg.Connection[Any]], T]) -> T:
    """Run one of `widget.inventory.blocks`' functions (the CLI's, on a plain connection)
    off the event loop."""

    def run() -> T:
        assert settings.database_url is not None  # create_app refuses to start without
        with psycopg.connect(settings.database_url, prepare_threshold=None) as conn:
            return work(conn)

    return await asyncio.to_thread(run)


async def _today(db: DbDep, member: Member) -> date:
    cur = await db.execute(
        queries("console")["property_today"], {"property_id": member.property_id}
    )
    row = await cur.fetchone()
    assert row is not None
    return date.fromisoformat(str(row["today"]))


async def _calendar_page(
    db: DbDep,
    member: Member,
    first: date,
    *,
    form: dict[str, str],
    error: str | None = None,
    status_code: int = 200,
    notice: str | None = None,
) -> Template:
    chart = await tape(db, member.property_id, first)
    today = await _today(db, member)
    words = console_messages(member.viewer.language)
    zone = ZoneInfo(member.time_zone)

    def held_until(moment: datetime) -> str:
        """A hold's expiry in the property's time: the time alone today, else with its day
        (a phone booking waiting for its payment link is held for a day)."""
        local = moment.astimezone(zone)
        time = f"{local:%H:%M}"
        if local.date() == today:
            return words["held_until"].format(time=time)
        day = format_skeleton("MMMEd", local.date(), locale=member.viewer.language)
        return words["held_until_day"].format(day=day, time=time)

    return page(
        "calendar.html",
        viewer=member.viewer,
        member=member,
        active="calendar",
        status_code=status_code,
        tape=chart,
        today=today,
        month=f"{first:%Y-%m}",
        previous=f"{(first - timedelta(days=1)):%Y-%m}",
        following=f"{(first + timedelta(days=32)):%Y-%m}",
        form=form,
        error=error,
        notice=notice,
        held_until=held_until,
        **formats(member),
    )


class CalendarController(Controller):
    path = "/{slug:str}/calendar"
    include_in_schema = False
    guards = [requires("staff")]  # noqa: RUF012 - Litestar reads it as a class attribute
    opt = {ACCEPTS: FORM}  # noqa: RUF012

    @get("/", operation_id="consoleCalendar", cache=False)
    async def show(
        self,
        db: DbDep,
        member: MemberDep,
        month: Month = None,
        unit: Annotated[str | None, QueryParameter(required=False, max_length=100)] = None,
        night: Annotated[str | None, QueryParameter(required=False, max_length=10)] = None,
        blocked: Annotated[str | None, QueryParameter(required=False, max_length=10)] = None,
    ) -> Template:
        """The tape chart of ``month``; a picked free night fills in the block form."""
        first = month_start(month, await _today(db, member))
        picked = _night(night)
        form = {
            "unit": unit or "",
            "first": picked.isoformat() if picked else "",
            "last": picked.isoformat() if picked else "",
            "reason": "",
        }
        notice = "block_added" if blocked == "1" else "block_lifted" if blocked == "0" else None
        return await _calendar_page(db, member, first, form=form, notice=notice)

    @post("/blocks", operation_id="consoleAddBlock", status_code=303)
    async def add(
        self, db: DbDep, services: ServicesDep, member: MemberDep, data: Form
    ) -> Response[Any]:
        """Block a unit's nights (both included), as ``innkeep block add`` does."""
        form = {k: data.get(k, "")[:200] for k in ("unit", "first", "last", "reason")}
        first, last = _night(form["first"]), _night(form["last"])
        shown = first or await _today(db, member)
        try:
            if first is None or last is None:
                raise BlockRefused("give the first and the last night as dates")
            block_id = await _blocks_service(
                services.settings,
                lambda conn: add_block(
                    conn, member.slug, form["unit"], first, last, form["reason"]
                ),
            )
        except BlockRefused as refused:
            return await _calendar_page(
                db, member, shown.replace(day=1), form=form, error=str(refused), status_code=409
            )
        await record(
            db,
            member,
            "block_added",
            reservation_id=block_id,
            detail=f"{form['unit']} {first} to {last}: {form['reason']}",
        )
        return Redirect(
            f"/admin/{member.slug}/calendar?month={first:%Y-%m}&blocked=1", status_code=303
        )

    @post("/blocks/{block_id:uuid}/lift", operation_id="consoleLiftBlock", status_code=303)
    async def lift(
        self,
        db: DbDep,
        services: ServicesDep,
        member: MemberDep,
        block_id: Annotated[UUID, PathParameter(description="the block's id")],
        data: Form,
    ) -> Response[Any]:
        """Give a block's nights back to sale."""
        month = data.get("month", "")[:7]
        try:
            await _blocks_service(
                services.settings, lambda conn: lift_block(conn, member.slug, block_id)
            )
        except BlockRefused as refused:
            raise NotFound(str(refused), field="block_id") from None
        await record(db, member, "block_lifted", reservation_id=block_id)
        return Redirect(f"/admin/{member.slug}/calendar?month={month}&blocked=0", status_code=303)
