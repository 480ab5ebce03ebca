"""Channels (``/admin/{slug}/channels``, owners only): each unit's secret iCal export URLs
(copied, rotated), the other channels' import feeds with their health (connected and
disconnected here as the property file's ``[[feeds]]`` would), the webhooks with their
recent deliveries (sent again on request), and conflicts resolved by hand.

Every change goes through the services the command line uses (`innkeep sync rotate`,
`property apply`, `innkeep webhooks resend`, `innkeep sync resolve`) and is noted in the
console's history. Feed and webhook URLs are credentials: they are never shown whole and
never written into the history."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import psycopg
from litestar import Controller, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter, QueryParameter
from litestar.response import Redirect, Template

from widget.accounts.sessions import Member
from widget.console.access import MemberDep, requires
from widget.console.history import record
from widget.console.pages import page
from widget.deliveries.listing import CannotResend, DeliveryLine, recent_deliveries, resend
from widget.errors import NotFound
from widget.intake import ACCEPTS, FORM
from widget.links import site_url
from widget.properties.apply import connect_feed, disconnect_feed
from widget.properties.endpoints import EndpointRefused, NoSuchEndpoint, edit_endpoint
from widget.properties.errors import PropertyApplyError
from widget.properties.file import PropertyFileError, read_feed
from widget.properties.webhooks import EVENT_TYPES, shown_url
from widget.settings import Settings
from widget.sql import queries
from widget.state import DbDep, ServicesDep
from widget.sync.conflicts import NoOpenConflict, resolve_conflict
from widget.sync.feeds import ExportUrl, NoSuchExport, export_urls, rotate_export
from widget.sync.health import feed_health

T = TypeVar("T")
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Notice = Annotated[str | None, QueryParameter(required=False, max_length=20)]
#: The notices a redirect back to the page may ask for (``?done=…``).
NOTICES = (
    "rotated",
    "feed_connected",
    "feed_disconnected",
    "resent",
    "resolved",
    "webhook_edited",
)


@dataclass
class HookForm:
    """A refused edit of one webhook, given back as it was sent (but its URL: a webhook URL
    is a credential, never echoed) with the field at fault."""

    id: int
    events: list[str]
    include_guest: bool
    field: str


@dataclass
class Stored:
    """What the page shows from the plain-connection services."""

    exports: list[ExportUrl] = field(default_factory=list)
    #: Why the export URLs cannot be shown (no secret key), or None.
    exports_missing: str | None = None
    webhooks: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[DeliveryLine] = field(default_factory=list)


async def _plain(settings: Settings, work: Callable[[psycopg.Connection[Any]], T]) -> T:
    """Run a command-line service (on a plain connection) off the event loop."""

    def run() -> T:
        assert settings.database_url is not None  # create_app refuses to start without
        with psycopg.connect(settings.database_url, prepare_threshold=None) as conn:
            return work(conn)

    return await asyncio.to_thread(run)


def _stored(settings: Settings, member: Member) -> Callable[[psycopg.Connection[Any]], Stored]:
    def gather(conn: psycopg.Connection[Any]) -> Stored:
        found = Stored()
        if settings.secret_key:
            found.exports = export_urls(conn, member.slug, settings.secret_key, site_url(settings))
        else:
            found.exports_missing = "INNKEEP_SECRET_KEY"
        rows = conn.execute(
            queries("webhooks")["endpoints_of_property"], {"property_id": member.property_id}
        ).fetchall()
        found.webhooks = [
            {
                "id": endpoint_id,
                "url": shown_url(url),
                "events": list(events),
                "include_guest": include_guest,
            }
            for endpoint_id, url, events, _, include_guest in rows
        ]
        found.deliveries = recent_deliveries(conn, member.slug, limit=20)
        return found

    return gather


async def _page(
    db: DbDep,
    settings: Settings,
    member: Member,
    *,
    notice: str | None = None,
    error: str | None = None,
    form: dict[str, str] | None = None,
    hook_form: HookForm | None = None,
    status_code: int = 200,
) -> Template:
    stored = await _plain(settings, _stored(settings, member))
    feeds = await feed_health(db, member.slug)
    cur = await db.execute(
        queries("console")["channel_history"], {"property_id": member.property_id}
    )
    units = list(dict.fromkeys(export.unit for export in stored.exports))
    zone = ZoneInfo(member.time_zone)
    return page(
        "channels.html",
        viewer=member.viewer,
        member=member,
        active="channels",
        status_code=status_code,
        stored=stored,
        units=units,
        feeds=feeds,
        history=await cur.fetchall(),
        notice=notice if notice in NOTICES else None,
        error=error,
        form=form or {"unit": "", "name": "", "interval": "10"},
        hook_form=hook_form,
        event_types=EVENT_TYPES,
        public_url_missing=not settings.public_url,
        when=lambda moment: _when(moment, zone),
    )


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    """An instant in the property's time zone, to the minute; a dash for never."""
    return "–" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _back(member: Member, done: str, anchor: str) -> Redirect:
    return Redirect(f"/admin/{member.slug}/channels?done={done}#{anchor}", status_code=303)


class ChannelsController(Controller):
    path = "/{slug:str}/channels"
    include_in_schema = False
    guards = [requires("owner")]  # noqa: RUF012 - Litestar reads it as a class attribute
    opt = {ACCEPTS: FORM}  # noqa: RUF012

    @get("/", operation_id="consoleChannels", cache=False)
    async def show(
        self, db: DbDep, services: ServicesDep, member: MemberDep, done: Notice = None
    ) -> Template:
        """Exports, feeds and their health, webhooks and their deliveries."""
        return await _page(db, services.settings, member, notice=done)

    @post("/rotate", operation_id="consoleRotateExport", status_code=303)
    async def rotate(
        self, db: DbDep, services: ServicesDep, member: MemberDep, data: Form
    ) -> Response[Any]:
        """Give one export URL a new token: the old one answers 404 from now on."""
        settings = services.settings
        unit, channel = data.get("unit", "")[:200], data.get("channel", "")[:60] or None
        if not settings.secret_key:
            raise NotFound("Export URLs need INNKEEP_SECRET_KEY to be set.")
        try:
            await _plain(
                settings,
                lambda conn: rotate_export(
                    conn,
                    member.slug,
                    unit,
                    str(settings.secret_key),
                    site_url(settings),
                    channel,
                ),
            )
        except NoSuchExport as missing:
            raise NotFound(str(missing), field="unit") from None
        which = f"{channel}'s export" if channel else "the full export"
        await record(db, member, "export_rotated", detail=f"{unit}: {which}")
        return _back(member, "rotated", "exports")

    @post("/feeds", operation_id="consoleConnectFeed", status_code=303)
    async def connect(
        self, db: DbDep, services: ServicesDep, member: MemberDep, data: Form
    ) -> Response[Any]:
        """Connect a channel's feed to a unit (or give a connected one a new URL)."""
        form = {k: data.get(k, "")[:2000].strip() for k in ("unit", "name", "url", "interval")}
        cur = await db.execute(
            queries("console")["tape_units"], {"property_id": member.property_id}
        )
        units = [str(row["name"]) for row in await cur.fetchall()]
        try:
            feed = read_feed({**form, "interval": form["interval"] or "10"}, units)
            report = await _plain(
                services.settings, lambda conn: connect_feed(conn, member.slug, feed)
            )
        except (PropertyFileError, PropertyApplyError) as refused:
            words = (
                f"{refused.key}: {refused.message}"
                if isinstance(refused, PropertyFileError)
                else str(refused)
            )
            kept = {k: v for k, v in form.items() if k != "url"}  # never echo a credential
            return await _page(
                db, services.settings, member, error=words, form=kept, status_code=422
            )
        await record(db, member, "feed_connected", detail="; ".join(report.changed))
        return _back(member, "feed_connected", "feeds")

    @post("/feeds/remove", operation_id="consoleDisconnectFeed", status_code=303)
    async def disconnect(
        self, db: DbDep, services: ServicesDep, member: MemberDep, data: Form
    ) -> Response[Any]:
        """Stop importing a feed; the nights it blocked are free again."""
        unit, name = data.get("unit", "")[:200], data.get("name", "")[:60]
        try:
            words = await _plain(
                services.settings, lambda conn: disconnect_feed(conn, member.slug, unit, name)
            )
        except PropertyApplyError as missing:
            raise NotFound(str(missing), field="name") from None
        await record(db, member, "feed_disconnected", detail=words)
        return _back(member, "feed_disconnected", "feeds")

    @post("/webhooks/{endpoint_id:int}", operation_id="consoleEditWebhook", status_code=303)
    async def edit_webhook(
        self,
        db: DbDep,
        services: ServicesDep,
        member: MemberDep,
        endpoint_id: Annotated[int, PathParameter(description="the webhook's number")],
        data: Form,
    ) -> Response[Any]:
        """Give a webhook a new URL (left empty: the same), its events and whether the
        guest's details go to it. Its secret and its deliveries stay."""
        url = data.get("url", "").strip()
        events = [key.removeprefix("event:") for key in data if key.startswith("event:")]
        include_guest = data.get("include_guest") == "1"
        try:
            words = await _plain(
                services.settings,
                lambda conn: edit_endpoint(
                    conn,
                    member.property_id,
                    endpoint_id,
                    url=url or None,
                    events=events,
                    include_guest=include_guest,
                ),
            )
        except NoSuchEndpoint as missing:
            raise NotFound(str(missing), field="endpoint_id") from None
        except EndpointRefused as refused:
            kept = HookForm(endpoint_id, events, include_guest, refused.field)
            return await _page(
                db,
                services.settings,
                member,
                error=f"{refused.field}: {refused}",
                hook_form=kept,
                status_code=422,
            )
        if words:
            await record(db, member, "webhook_edited", detail=words)
        return _back(member, "webhook_edited", "webhooks")

    @post(
        "/deliveries/{delivery_id:int}/resend",
        operation_id="consoleResendDelivery",
        status_code=303,
    )
    async def resend(
        self,
        db: DbDep,
        services: ServicesDep,
        member: MemberDep,
        delivery_id: Annotated[int, PathParameter(description="the delivery's number")],
    ) -> Response[Any]:
        """Queue a webhook delivery again (same message id, another day of retries)."""
        cur = await db.execute(
            queries("console")["delivery_of_property"],
            {"id": delivery_id, "property_id": member.property_id},
        )
        if await cur.fetchone() is None:
            raise NotFound("There is no such delivery.", field="delivery_id")
        try:
            await _plain(services.settings, lambda conn: resend(conn, member.slug, delivery_id))
        except CannotResend as refused:
            return await _page(db, services.settings, member, error=str(refused), status_code=409)
        await record(db, member, "webhook_resent", detail=f"delivery {delivery_id}")
        return _back(member, "resent", "webhooks")

    @post(
        "/conflicts/{conflict_id:int}/resolve",
        operation_id="consoleResolveConflict",
        status_code=303,
    )
    async def resolve(
        self,
        db: DbDep,
        member: MemberDep,
        conflict_id: Annotated[int, PathParameter(description="the conflict's number")],
        data: Form,
    ) -> Response[Any]:
        """Mark a conflict resolved (the owner has dealt with it); back to where it was."""
        try:
            await resolve_conflict(db, member.slug, conflict_id, member.viewer.email)
        except NoOpenConflict as missing:
            raise NotFound(str(missing), field="conflict_id") from None
        if data.get("back") == "today":
            return Redirect(f"/admin/{member.slug}/?resolved=1", status_code=303)
        return _back(member, "resolved", "feeds")
