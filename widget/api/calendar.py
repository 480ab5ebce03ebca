"""``GET /api/v1/properties/{slug}/calendar``: availability and prices, cached and ETagged."""

from __future__ import annotations

import hashlib
import logging
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import Parameter
from litestar.status_codes import HTTP_304_NOT_MODIFIED

from widget.api.params import PropertySlug, check_adults, parse_children, parse_date
from widget.errors import Unprocessable
from widget.inventory.availability import MAX_CALENDAR_NIGHTS, calendar
from widget.inventory.catalogue import catalogue, party, versions
from widget.state import DbDep, ServicesDep

log = logging.getLogger(__name__)
CACHE_SECONDS = 600


class CalendarController(Controller):
    path = "/api/v1/properties"
    tags = ("availability",)

    @get("/{slug:str}/calendar", operation_id="getCalendar", cache=False)
    async def get_calendar(
        self,
        request: Request,  # type: ignore[type-arg]
        db: DbDep,
        services: ServicesDep,
        slug: PropertySlug,
        start: Annotated[str, Parameter(description="First night, YYYY-MM-DD.")],
        end: Annotated[str, Parameter(description="Night after the last one (exclusive).")],
        adults: Annotated[int, Parameter(description="Adults in the party.")] = 2,
        children: Annotated[
            str | None, Parameter(description="Children's ages, comma-separated: 4,9")
        ] = None,
    ) -> Response[bytes]:
        """Units free, the night's price for the party and the stay restrictions of every
        night of every room type that can sleep the party. Answers 304 to a matching
        If-None-Match: the ETag changes with any booking, rule change or the local date."""
        first, last = parse_date(start, "start"), parse_date(end, "end")
        if last <= first:
            raise Unprocessable("end must be after start", field="end")
        if (last - first).days > MAX_CALENDAR_NIGHTS:
            raise Unprocessable(f"at most {MAX_CALENDAR_NIGHTS} nights at once", field="end")
        who = party(check_adults(adults), parse_children(children))

        seen = await versions(db, slug)
        digest = hashlib.sha256(
            f"{seen.version}|{seen.inventory_version}|{seen.today}|{first}|{last}|"
            f"{who.adults}|{who.children}".encode()
        ).hexdigest()[:32]
        etag = f'"{digest}"'
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match") == etag:
            return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)

        key = f"innkeep:{{p:{seen.property_id}}}:calendar:{digest}"
        body = await _cached(services, key)
        if body is None:
            shop = await catalogue(db, slug, seen)
            answer = await calendar(db, shop, first, last, who, seen.today)
            body = msgspec.json.encode(answer)
            await _store(services, key, body)
        return Response(body, media_type="application/json", headers=headers)


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
