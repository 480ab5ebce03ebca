"""``GET /api/v1/properties/{slug}/calendar``: availability and prices, cached and ETagged."""

from __future__ import annotations

import hashlib
import logging
from typing import Annotated

import msgspec
from litestar import Controller, Request, get
from litestar.params import Parameter
from litestar.response.base import ASGIResponse
from litestar.status_codes import HTTP_304_NOT_MODIFIED

from widget.api.params import PropertySlug, check_adults, parse_children, parse_date
from widget.api.responses import NOT_MODIFIED, errors
from widget.errors import Unprocessable
from widget.inventory.availability import MAX_CALENDAR_NIGHTS, calendar
from widget.inventory.catalogue import catalogue, party
from widget.state import ServicesDep

log = logging.getLogger(__name__)
CACHE_SECONDS = 600


class CalendarController(Controller):
    path = "/api/v1/properties"
    tags = ("availability",)

    @get(
        "/{slug:str}/calendar",
        operation_id="getCalendar",
        cache=False,
        responses={**NOT_MODIFIED, **errors(404, 422, 500, 503)},
    )
    async def get_calendar(
        self,
        request: Request,  # type: ignore[type-arg]
        services: ServicesDep,
        slug: PropertySlug,
        start: Annotated[
            str, Parameter(description="First night, YYYY-MM-DD.", schema_extra={"format": "date"})
        ],
        end: Annotated[
            str,
            Parameter(
                description="Night after the last one (exclusive).", schema_extra={"format": "date"}
            ),
        ],
        adults: Annotated[int, Parameter(description="Adults in the party.")] = 2,
        children: Annotated[
            str | None, Parameter(description="Children's ages, comma-separated: 4,9")
        ] = None,
    ) -> ASGIResponse:
        """Units free, the night's price for the party and the stay restrictions of every
        night of every room type that can sleep the party. Answers 304 to a matching
        If-None-Match: the ETag changes with any booking, rule change or the local date."""
        first, last = parse_date(start, "start"), parse_date(end, "end")
        if last <= first:
            raise Unprocessable("end must be after start", field="end")
        if (last - first).days > MAX_CALENDAR_NIGHTS:
            raise Unprocessable(f"at most {MAX_CALENDAR_NIGHTS} nights at once", field="end")
        who = party(check_adults(adults), parse_children(children))

        # The hot path touches no server: versions and answers come from this worker's memory,
        # which Postgres keeps honest (see widget.inventory.freshness).
        memory = services.freshness
        seen = await memory.versions(services.pool, slug)
        digest = hashlib.sha256(
            f"{seen.version}|{seen.inventory_version}|{seen.today}|{first}|{last}|"
            f"{who.adults}|{who.children}".encode()
        ).hexdigest()[:32]
        etag = f'"{digest}"'.encode()
        headers = [(b"etag", etag), (b"cache-control", b"no-cache"), (b"vary", b"accept-encoding")]
        if request.headers.get("if-none-match", "").encode() == etag:
            return ASGIResponse(status_code=HTTP_304_NOT_MODIFIED, encoded_headers=headers)

        key = f"innkeep:{{p:{seen.property_id}}}:calendar:{digest}"
        body = memory.body(key) or await _cached(services, key)
        if body is None:
            async with services.pool.connection() as db:
                shop = await catalogue(db, slug, seen)
                answer = await calendar(db, shop, first, last, who, seen.today)
            body = msgspec.json.encode(answer)
            await _store(services, key, body)
        memory.keep(key, body)
        # Answers are compressed once, when first kept, not on every request.
        if "gzip" in request.headers.get("accept-encoding", ""):
            body = memory.gzipped(key, body)
            headers.append((b"content-encoding", b"gzip"))
        return ASGIResponse(body=body, media_type="application/json", encoded_headers=headers)


async def _cached(services: ServicesDep, key: str) -> bytes | None:
    try:
        value = await services.redis.get(key)
    except Exception as exc:  # Redis away: compute from Postgres, the truth, instead
        log.debug("calendar cache unavailable: %s", exc)
        return None
    return value if isinstance(value, bytes) else None


async def _store(services: ServicesDep, key: str, body: bytes) -> None:
    try:
        await services.redis.set(key, body, ex=CACHE_SECONDS)
    except Exception as exc:
        log.debug("calendar cache unavailable: %s", exc)
