"""``GET /ical/{token}.ics``: a unit's secret iCal export, for the owner's other channels."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated

from litestar import Controller, Request, get
from litestar.background_tasks import BackgroundTask
from litestar.params import Parameter
from litestar.response.base import ASGIResponse
from litestar.status_codes import HTTP_304_NOT_MODIFIED

from widget.api.responses import NOT_MODIFIED, errors
from widget.errors import NotFound
from widget.state import ServicesDep
from widget.sync.export import ExportFeed, RenderedFeed, read_feed, read_stays, record_served
from widget.tokens import token_hash

MEDIA_TYPE = "text/calendar; charset=utf-8"


class IcalExportController(Controller):
    path = "/ical"
    tags = ("channel sync",)

    @get(
        "/{name:str}",
        operation_id="getIcalExport",
        cache=False,
        media_type=MEDIA_TYPE,
        responses={**NOT_MODIFIED, **errors(404, 503)},
    )
    async def export(
        self,
        request: Request,  # type: ignore[type-arg]
        services: ServicesDep,
        name: Annotated[str, Parameter(description="The export's secret token, then `.ics`.")],
    ) -> ASGIResponse:
        """A unit's confirmed bookings and blocks as all-day events (check-out exclusive),
        without guest data. The token is the only credential; a wrong one is a 404. Answers
        304 to a matching If-None-Match or, without one, to a current If-Modified-Since."""
        token = name.removesuffix(".ics")
        if token == name or not token:
            raise NotFound("No calendar at this address.")
        feed, rendered = await _export(services, token_hash(token))
        headers = [
            (b"etag", rendered.etag),
            (b"cache-control", b"private, no-cache"),
            (b"vary", b"accept-encoding"),
            (b"x-robots-tag", b"noindex"),
            (b"referrer-policy", b"no-referrer"),
        ]
        if rendered.last_modified is not None:
            stamp = format_datetime(rendered.last_modified, usegmt=True)
            headers.append((b"last-modified", stamp.encode()))
        if _not_modified(request, rendered):
            return ASGIResponse(status_code=HTTP_304_NOT_MODIFIED, encoded_headers=headers)
        body = rendered.body
        if "gzip" in request.headers.get("accept-encoding", ""):
            body = rendered.compressed()
            headers.append((b"content-encoding", b"gzip"))
        return ASGIResponse(
            body=body,
            media_type=MEDIA_TYPE,
            encoded_headers=headers,
            background=_recording(services, feed, rendered),
        )


async def _export(services: ServicesDep, hashed: bytes) -> tuple[ExportFeed, RenderedFeed]:
    """The export and its rendering: from this worker's memory while the property's versions
    say they are current, else one query each (see widget.sync.export)."""
    memory, pool, versions = services.exports, services.pool, services.versions
    feed = memory.feed(hashed)
    seen = None
    if feed is not None:
        seen = await versions.of(feed.slug)
        if seen.version != feed.version:  # rotated, or the unit changed: ask again
            memory.drop(hashed)
            feed = None
    if feed is None or seen is None:
        async with pool.connection() as conn:
            feed = await read_feed(conn, hashed)
            seen = await versions.of(feed.slug, conn)
        if seen.version == feed.version:
            memory.keep_feed(hashed, feed)
    found, today = feed, seen.today

    async def read() -> RenderedFeed:
        async with pool.connection() as conn:
            return await read_stays(conn, found, today)

    return feed, await memory.rendered(feed, seen, read)


def _not_modified(request: Request, rendered: RenderedFeed) -> bool:  # type: ignore[type-arg]
    """RFC 9110 13.2.2: If-None-Match decides when present; else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or rendered.etag.decode() in tags
    since = request.headers.get("if-modified-since")
    if since is None or rendered.last_modified is None:
        return False
    try:
        when: datetime = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if when.tzinfo is None:
        return False
    return rendered.last_modified <= when


def _recording(
    services: ServicesDep, feed: ExportFeed, rendered: RenderedFeed
) -> BackgroundTask | None:
    """After a channel's own feed was sent, record that the channel has now seen its stays
    (once per rendering per worker); the full feed records nothing."""
    if feed.channel_id is None or rendered.recorded or not rendered.stays:
        return None
    rendered.recorded = True

    async def record() -> None:
        try:
            async with services.pool.connection() as conn:
                await record_served(conn, feed, rendered.stays)
        except Exception:
            rendered.recorded = False  # try again with the next answer
            raise

    return BackgroundTask(record)
