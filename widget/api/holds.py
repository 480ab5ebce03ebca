"""Holds over HTTP: take one while the guest checks out, release it when they leave."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, post
from litestar.params import JSONBody

from engine import Instalment, Quote
from widget.api.params import HoldId, PropertySlug, check_adults, check_children
from widget.api.quotes import _MAX_CHOICES
from widget.api.responses import WRITE_REFUSALS, errors
from widget.clients import client_of
from widget.db import Conn, PooledOnDemand
from widget.errors import Conflict, InnkeepError, Invalid
from widget.headers import HOLD_TOKEN
from widget.idempotency import idempotent
from widget.intake import ACCEPTS, BEACON
from widget.inventory.catalogue import party
from widget.inventory.groups import (
    GroupWish,
    RoomWish,
    check_rooms,
    hold_group,
)
from widget.inventory.hold_access import load_hold
from widget.inventory.holds import StayWish
from widget.inventory.quotas import Client
from widget.inventory.quoting import Choices
from widget.properties.file import MAX_ROOMS_PER_BOOKING_LIMIT
from widget.rows import stay_money
from widget.state import DbDep, ServicesDep, services_in


class RoomRequest(msgspec.Struct, forbid_unknown_fields=True):
    """One room of a hold of several rooms: its type, its party and what was chosen."""

    room_type: str
    adults: int = 2
    children: list[int] = []
    #: The rate plan's slug; the property's first plan for the room type if left out.
    rate_plan: str | None = None
    #: Extras chosen for this room: ``{"breakfast": 2}`` (slug → quantity).
    extras: Annotated[dict[str, int], msgspec.Meta(max_length=_MAX_CHOICES)] = {}
    #: Answers to the questions the property's pricing rules ask: ``{"pets": 1}``.
    inputs: Annotated[dict[str, int | bool], msgspec.Meta(max_length=_MAX_CHOICES)] = {}


class HoldRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A stay to hold: as a quote, plus what the guest saw; or, with ``rooms``, several
    rooms for the same nights, held and booked together (then leave out ``room_type``)."""

    room_type: str | None = None
    check_in: date
    check_out: date
    adults: int = 2
    children: list[int] = []
    promo_code: str | None = None
    #: The rate plan's slug; the property's first plan for the room type if left out.
    rate_plan: str | None = None
    #: Extras chosen: ``{"breakfast": 2}`` (slug → quantity).
    extras: Annotated[dict[str, int], msgspec.Meta(max_length=_MAX_CHOICES)] = {}
    #: Answers to the questions the property's pricing rules ask: ``{"pets": 1}``.
    inputs: Annotated[dict[str, int | bool], msgspec.Meta(max_length=_MAX_CHOICES)] = {}
    #: The `quote_hash` of the quote the guest saw; if the price changed since, 409.
    quote_hash: str | None = None
    #: Several rooms at once (at most the property's rooms per booking, 4): all are held,
    #: or none.
    rooms: Annotated[list[RoomRequest], msgspec.Meta(max_length=64)] | None = None

    def choices(self) -> Choices:
        """The plan, extras and inputs of a single-room request."""
        return Choices(self.rate_plan, dict(self.extras), dict(self.inputs))


class HoldOut(msgspec.Struct, omit_defaults=True):
    id: UUID
    #: Secret: send it back as the X-Hold-Token header on every call about this hold.
    token: str
    expires_at: datetime
    #: The quote (with ``rooms``: the first room's).
    quote: Quote
    #: With ``rooms``: one quote per room, in the order asked.
    quotes: list[Quote] | None = None
    #: With ``rooms``: what the rooms cost together, and what is paid now (one payment).
    total: int | None = None
    due_now: int | None = None
    currency: str | None = None
    #: With ``rooms`` and a deposit: the group's one payment now and its one balance later
    #: (they add up to what is paid online; absent when all is paid now).
    payment_schedule: list[Instalment] | None = None


class ReleaseOut(msgspec.Struct):
    id: UUID
    status: str


class HoldController(Controller):
    tags = ("holds",)

    @post(
        "/api/v1/properties/{slug:str}/holds",
        operation_id="createHold",
        status_code=201,
        responses=errors(400, 404, 409, 422, 429, 500, 503, *WRITE_REFUSALS),
    )
    async def create_hold(
        self, request: Request[Any, Any, Any], slug: PropertySlug, data: JSONBody[HoldRequest]
    ) -> HoldOut:
        """Price the stay once and hold a free unit of the room type for
        `INNKEEP_HOLD_SECONDS`. 409 `taken` (with the room types still free) when none is
        left, 409 `price_changed` (with the new quote) when `quote_hash` no longer matches,
        429 with Retry-After when this client holds too many rooms or tries too often.
        A retry with the same `Idempotency-Key` gets the first hold back, not a second."""
        # Not a dependency: the race's losers, 100 at a time, each paid for resolving one.
        services = services_in(request)
        client = client_of(request, services.settings)

        async def hold() -> HoldOut:
            try:
                held = await _held(client, db, services, slug, data)
            except InnkeepError as refusal:
                services.metrics.hold_refused(refusal.code)
                raise
            services.metrics.hold_made()
            return held

        # A loser is mostly answered from memory and the gate: it borrows a pooled
        # connection only if it asks Postgres (see `PooledOnDemand`).
        async with PooledOnDemand(services.pool) as db:
            return await idempotent(request, db, hold, services.settings)

    @delete(
        "/api/v1/holds/{hold_id:uuid}",
        operation_id="releaseHold",
        status_code=200,
        responses=errors(404, 409, 503, *WRITE_REFUSALS),
    )
    async def release_hold(
        self, request: Request[Any, Any, Any], db: DbDep, services: ServicesDep, hold_id: HoldId
    ) -> ReleaseOut:
        """Let the room go at once (the X-Hold-Token header proves the hold is yours).
        Releasing again is harmless; a hold that became a booking is not released here."""
        return await _release(db, services, hold_id, request.headers.get(HOLD_TOKEN))

    @post(
        "/api/v1/holds/{hold_id:uuid}/release",
        operation_id="releaseHoldBeacon",
        status_code=200,
        responses=errors(404, 409, 503, *WRITE_REFUSALS),
        opt={ACCEPTS: BEACON},
    )
    async def release_hold_beacon(
        self, request: Request[Any, Any, Any], db: DbDep, services: ServicesDep, hold_id: HoldId
    ) -> ReleaseOut:
        """The same as DELETE, for `navigator.sendBeacon` when the guest leaves the page:
        a beacon cannot set headers, so the token may also come in the body as JSON
        `{"token": "…"}` (any content type) or as the form field `token`."""
        token = request.headers.get(HOLD_TOKEN) or _token_from(await request.body())
        return await _release(db, services, hold_id, token)


def _stay_wish(data: HoldRequest) -> StayWish:
    """The one room asked for, its party checked."""
    if data.room_type is None:
        raise Invalid("room_type: say which room type to hold (or give rooms).", field="room_type")
    return StayWish(
        room_type=data.room_type,
        check_in=data.check_in,
        check_out=data.check_out,
        party=party(check_adults(data.adults), check_children(data.children)),
        promo_code=data.promo_code or None,
        quote_hash=data.quote_hash or None,
        choices=data.choices(),
    )


def _group_wish(data: HoldRequest) -> GroupWish:
    """The rooms asked for together, each party checked and any fault named ``rooms[i]``."""
    assert data.rooms is not None
    if data.room_type is not None:
        raise Invalid("room_type: give either room_type or rooms, not both.", field="room_type")
    check_rooms(len(data.rooms), MAX_ROOMS_PER_BOOKING_LIMIT)  # the property's: when held
    wishes = [_room_wish(index, room) for index, room in enumerate(data.rooms)]
    return GroupWish(data.check_in, data.check_out, wishes, data.promo_code or None)


async def _held(
    client: Client, db: Conn, services: ServicesDep, slug: str, data: HoldRequest
) -> HoldOut:
    """Hold the stay (or the group) and answer with its quote."""
    if data.rooms is not None:
        return await _group_held(client, db, services, slug, _group_wish(data))
    wish = _stay_wish(data)
    seen = await services.versions.of(slug, db)
    catalogue = await services.catalogues.of(db, slug, seen)
    held = await services.holds.create(
        db, catalogue, wish, client, seen.today, seen.inventory_version
    )
    return HoldOut(held.id, held.token, held.expires_at, held.quote)


async def _group_held(
    client: Client, db: Conn, services: ServicesDep, slug: str, wish: GroupWish
) -> HoldOut:
    """Hold every room of the group or none, and answer with one quote per room."""
    seen = await services.versions.of(slug, db)
    catalogue = await services.catalogues.of(db, slug, seen)
    held = await hold_group(
        services.holds, db, catalogue, wish, client, seen.today, seen.inventory_version
    )
    quotes = held.quotes
    money = stay_money(quotes[0], quotes)
    schedule = None
    if money.balance > 0 and money.balance_due is not None:
        schedule = [
            Instalment(seen.today, money.due_now),
            Instalment(money.balance_due, money.balance),
        ]
    return HoldOut(
        held.id,
        held.token,
        held.expires_at,
        quotes[0],
        quotes,
        total=money.total,
        due_now=money.due_now,
        currency=quotes[0].currency,
        payment_schedule=schedule,
    )


def _room_wish(index: int, room: RoomRequest) -> RoomWish:
    """One room of the request, its party checked and any fault named ``rooms[i].…``."""
    try:
        who = party(check_adults(room.adults), check_children(room.children))
    except Invalid as refused:
        refused.field = f"rooms[{index}].{refused.field or 'adults'}"
        raise
    choices = Choices(room.rate_plan, dict(room.extras), dict(room.inputs))
    return RoomWish(room.room_type, who, choices)


def _token_from(body: bytes) -> str | None:
    if not body:
        return None
    try:
        decoded = msgspec.json.decode(body)
    except msgspec.DecodeError:
        from urllib.parse import parse_qs

        values = parse_qs(body.decode(errors="replace")).get("token")
        return values[0] if values else None
    token = decoded.get("token") if isinstance(decoded, dict) else None
    return token if isinstance(token, str) else None


async def _release(
    db: DbDep, services: ServicesDep, hold_id: UUID, token: str | None
) -> ReleaseOut:
    hold = await load_hold(db, hold_id, token)
    if hold.status == "held":
        if await services.holds.release(db, hold_id):
            return ReleaseOut(hold_id, "released")
        # It ended some other way between the two statements: say which.
        hold = await load_hold(db, hold_id, token)
    if hold.status == "confirmed":
        raise Conflict(
            "This hold is already a booking; cancel it from the link in the confirmation e-mail.",
            code="booked",
        )
    return ReleaseOut(hold_id, "released")  # cancelled or expired: the room is free of it
