"""``GET /api/v1/properties/{slug}/calendar``: availability and prices, cached and ETagged
(by the availability service, `widget.inventory.calendars`).

The answer is the same for every guest who asks the same question, so a CDN or caching proxy
in front of the service may keep it for ``INNKEEP_CALENDAR_MAX_AGE`` seconds and serve it
stale for ``INNKEEP_CALENDAR_STALE_SECONDS`` more while it revalidates (with the ETag: a 304
costs no computing). A calendar is only ever a hint: a hold is decided by the Redis gate and
Postgres's exclusion constraint, never by what a cache showed (docs/operations.md).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from litestar import Controller, Request, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from litestar.response.base import ASGIResponse
from litestar.status_codes import HTTP_304_NOT_MODIFIED

from widget.api.params import PropertySlug, check_adults, parse_children, parse_date
from widget.api.responses import NOT_MODIFIED, errors
from widget.inventory.availability import Calendar
from widget.inventory.catalogue import party
from widget.state import ServicesDep

#: Caches keep apart answers that differ: by encoding, and by Origin (the CORS headers of a
#: property's allowed sites differ from a same-origin answer's, which has none).
VARY = (b"vary", b"Accept-Encoding, Origin")


@lru_cache(maxsize=8)  # a handful of settings values per process
def cache_control(max_age: int, stale_seconds: int) -> tuple[bytes, bytes]:
    """The Cache-Control header for calendar answers: shared caches may keep them briefly."""
    if max_age == 0 and stale_seconds == 0:
        return (b"cache-control", b"no-cache")
    value = f"public, max-age={max_age}, stale-while-revalidate={stale_seconds}"
    return (b"cache-control", value.encode())


class CalendarController(Controller):
    path = "/api/v1/properties"
    tags = ("availability",)

    @get(
        "/{slug:str}/calendar",
        operation_id="getCalendar",
        cache=False,
        # The answer is kept encoded (and gzipped) by the availability service: documented
        # here as the Struct it was encoded from (tests/inventory/test_calendar.py checks).
        responses={
            200: ResponseSpec(data_container=Calendar, description="The calendar."),
            **NOT_MODIFIED,
            **errors(404, 422, 500, 503),
        },
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
        If-None-Match: the ETag changes with any booking, rule change or the local date.
        Cacheable for a few seconds by browsers and shared caches (Cache-Control)."""
        first, last = parse_date(start, "start"), parse_date(end, "end")
        who = party(check_adults(adults), parse_children(children))
        availability = services.availability
        etag, key, body = await availability.calendar(
            slug, first, last, who, request.headers.get("if-none-match", "")
        )
        settings = services.settings
        headers = [
            (b"etag", etag),
            cache_control(settings.calendar_max_age, settings.calendar_stale_seconds),
            VARY,
        ]
        if body is None:
            return ASGIResponse(status_code=HTTP_304_NOT_MODIFIED, encoded_headers=headers)
        # Answers are compressed once, when first kept, not on every request.
        if "gzip" in request.headers.get("accept-encoding", ""):
            body = availability.gzipped(key, body)
            headers.append((b"content-encoding", b"gzip"))
        return ASGIResponse(body=body, media_type="application/json", encoded_headers=headers)
