"""``GET /api/v1/properties/{slug}/calendar``: availability and prices, cached and ETagged
(by the availability service, `widget.inventory.calendars`)."""

from __future__ import annotations

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
        If-None-Match: the ETag changes with any booking, rule change or the local date."""
        first, last = parse_date(start, "start"), parse_date(end, "end")
        who = party(check_adults(adults), parse_children(children))
        availability = services.availability
        etag, key, body = await availability.calendar(
            slug, first, last, who, request.headers.get("if-none-match", "")
        )
        headers = [(b"etag", etag), (b"cache-control", b"no-cache"), (b"vary", b"accept-encoding")]
        if body is None:
            return ASGIResponse(status_code=HTTP_304_NOT_MODIFIED, encoded_headers=headers)
        # Answers are compressed once, when first kept, not on every request.
        if "gzip" in request.headers.get("accept-encoding", ""):
            body = availability.gzipped(key, body)
            headers.append((b"content-encoding", b"gzip"))
        return ASGIResponse(body=body, media_type="application/json", encoded_headers=headers)
