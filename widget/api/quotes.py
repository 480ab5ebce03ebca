"""``POST /api/v1/properties/{slug}/quotes``: the explainable price of a stay."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from litestar import Controller, Response, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from engine import Quote, quote_to_json
from widget.api.params import PropertySlug, check_adults, check_children
from widget.api.responses import WRITE_REFUSALS, errors
from widget.errors import Invalid
from widget.inventory.catalogue import party
from widget.inventory.combinations import check_party_fits
from widget.inventory.quoting import Choices, quote, quote_every_plan
from widget.state import DbDep, ServicesDep

#: No property offers more extras or asks more questions than this in one request.
_MAX_CHOICES = 32


class StayRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A stay to price (and, for holds, to hold)."""

    room_type: str
    check_in: date
    check_out: date
    adults: int = 2
    children: list[int] = []
    promo_code: str | None = None
    #: The rate plan's slug; the property's first plan for the room type if left out
    #: (ignored by properties without plans only when left out).
    rate_plan: str | None = None
    #: Extras chosen: ``{"breakfast": 2}`` (slug → quantity).
    extras: Annotated[dict[str, int], msgspec.Meta(max_length=_MAX_CHOICES)] = {}
    #: Answers to the questions the property's pricing rules ask: ``{"pets": 1}``.
    inputs: Annotated[dict[str, int | bool], msgspec.Meta(max_length=_MAX_CHOICES)] = {}

    def choices(self) -> Choices:
        """The plan, extras and inputs of the request."""
        return Choices(self.rate_plan, dict(self.extras), dict(self.inputs))


class PlanQuotes(msgspec.Struct, frozen=True):
    """The stay under every rate plan that sells the room type, in the owner's order."""

    quotes: list[Quote]


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
        await check_party_fits(
            db, catalogue, data.check_in, data.check_out, who, data.promo_code, seen.today
        )
        priced = await quote(
            db,
            catalogue,
            data.room_type,
            data.check_in,
            data.check_out,
            who,
            data.promo_code,
            seen.today,
            data.choices(),
        )
        return Response(quote_to_json(priced), media_type="application/json")

    @post(
        "/{slug:str}/quotes/all-plans",
        operation_id="createPlanQuotes",
        status_code=200,
        responses=errors(400, 404, 422, 500, 503, *WRITE_REFUSALS),
    )
    async def create_plan_quotes(
        self, services: ServicesDep, db: DbDep, slug: PropertySlug, data: JSONBody[StayRequest]
    ) -> PlanQuotes:
        """The stay quoted under every rate plan that sells the room type, side by side
        (each quote names its `rate_plan`); extras a plan does not offer are left out of
        its quote. The body is a quote's, without `rate_plan`."""
        if data.rate_plan is not None:
            raise Invalid("leave rate_plan out: every plan is quoted", field="rate_plan")
        who = party(check_adults(data.adults), check_children(data.children))
        seen = await services.versions.of(slug, db)
        catalogue = await services.catalogues.of(db, slug, seen)
        quotes = await quote_every_plan(
            db,
            catalogue,
            data.room_type,
            data.check_in,
            data.check_out,
            who,
            data.promo_code,
            seen.today,
            data.choices(),
        )
        return PlanQuotes(quotes)
