"""``POST /api/v1/properties/{slug}/quotes``: the explainable price of a stay."""

from __future__ import annotations

from datetime import date

import msgspec
from litestar import Controller, Response, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from engine import Quote, quote_to_json
from widget.api.params import PropertySlug, check_adults, check_children
from widget.api.responses import WRITE_REFUSALS, errors
from widget.inventory.catalogue import party
from widget.inventory.quoting import quote
from widget.state import DbDep, ServicesDep


class StayRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A stay to price (and, for holds, to hold)."""

    room_type: str
    check_in: date
    check_out: date
    adults: int = 2
    children: list[int] = []
    promo_code: str | None = None


class QuoteController(Controller):
    path = "/api/v1/properties"
    tags = ("pricing",)

    @post(
        "/{slug:str}/quotes",
        operation_id="createQuote",
        status_code=200,
        # Sent as the quote's canonical JSON (`engine.quote_to_json`, the bytes its hash and
        # the hold store): documented as the Struct it encodes (tests check they decode).
        responses={
            200: ResponseSpec(data_container=Quote, description="The priced stay."),
            **errors(400, 404, 422, 500, 503, *WRITE_REFUSALS),
        },
    )
    async def create_quote(
        self, services: ServicesDep, db: DbDep, slug: PropertySlug, data: JSONBody[StayRequest]
    ) -> Response[bytes]:
        """Every night with the rules that made its price, the stay's discounts, fees and
        taxes (what is paid now and what at the property), the total and a `quote_hash`."""
        who = party(check_adults(data.adults), check_children(data.children))
        seen = await services.versions.of(slug, db)
        catalogue = await services.catalogues.of(db, slug, seen)
        priced = await quote(
            db,
            catalogue,
            data.room_type,
            data.check_in,
            data.check_out,
            who,
            data.promo_code,
            seen.today,
        )
        return Response(quote_to_json(priced), media_type="application/json")
