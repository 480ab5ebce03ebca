"""Pricing one stay for the guest: the engine's quote, with occupancy from the database."""

from __future__ import annotations

import logging
from datetime import date

import msgspec

from engine import (
    MAX_STAY_NIGHTS,
    InvalidStay,
    NoBaseRate,
    Party,
    PricingError,
    Quote,
    RestrictionRule,
    RuleFailed,
    StayContext,
    check_nights,
    price_stay,
)
from widget.db import Conn
from widget.errors import Invalid, PricingBroken, Said
from widget.inventory.availability import busy_stock
from widget.inventory.catalogue import Catalogue
from widget.inventory.stock import Stock
from widget.limits import last_departure

log = logging.getLogger(__name__)


class Choices(msgspec.Struct, frozen=True):
    """What the guest chose beside the dates and the party: the rate plan (None: the first
    that sells the room type), extras (slug → quantity) and the rules' inputs."""

    rate_plan: str | None = None
    extras: dict[str, int] = {}
    inputs: dict[str, int | bool] = {}


NO_CHOICES = Choices()


def check_stay(check_in: date, check_out: date, today: date, horizon_days: int) -> None:
    """Refuse dates the property does not sell, naming the field, before anything is read:
    the nights by the engine's own rule, then the property's window from today to its
    booking horizon."""
    try:
        check_nights(check_in, check_out)
    except InvalidStay as error:
        said = (
            Said("check_out_first")
            if check_out <= check_in
            else Said("stay_too_long", {"nights": MAX_STAY_NIGHTS})
        )
        raise Invalid(error.message, field=error.field, said=said) from None
    if check_in < today:
        raise Invalid(
            f"check_in {check_in} is in the past (it is {today} at the property)",
            field="check_in",
            said=Said("past", {"check_in": check_in, "today": today}),
        )
    last = last_departure(today, horizon_days)
    if check_out > last:
        raise Invalid(
            f"this property takes bookings up to a check-out on {last}",
            field="check_out",
            said=Said("beyond_horizon", {"date": last}),
        )


def price(
    catalogue: Catalogue,
    stock: Stock,
    room_type: str,
    check_in: date,
    check_out: date,
    party: Party,
    promo_code: str | None,
    today: date,
    choices: Choices = NO_CHOICES,
    gap: bool | None = None,
    waive: bool = False,
) -> Quote:
    """The quote for the stay; every engine refusal becomes a 422 naming its field.
    ``gap=False`` prices it as if it filled no gap (a hold asks whether it needs one).
    ``waive`` leaves the stay restrictions out (the front desk overrides them, with a
    reason it records); prices are the same."""
    room = catalogue.room(room_type)
    spec = catalogue.rate_plan(choices.rate_plan, room_type)
    plan = catalogue.engine_plan(spec)
    ctx = StayContext(
        property=catalogue.property,
        room_type=room.room_type,
        check_in=check_in,
        check_out=check_out,
        today=today,
        party=party,
        promo_code=promo_code or None,
        occupancy=stock.occupancy(check_in, check_out),
        extras=choices.extras,
        inputs=choices.inputs,
        fills_gap=gap is not False and bool(stock.gap_units(check_in, check_out)),
    )
    rules = catalogue.rules
    if waive:
        rules = tuple(rule for rule in rules if not isinstance(rule.rule, RestrictionRule))
    try:
        quote = price_stay(ctx, rules, rate_plan=plan, extras=catalogue.extras)
    except (RuleFailed, NoBaseRate) as error:
        # The owner's set-up or a plugin is at fault, not the guest's request.
        log.error("pricing %s of %s failed: %s", room_type, catalogue.property.slug, error)
        raise PricingBroken(
            "This stay cannot be priced right now because of a problem with the property's "
            "pricing rules; the guesthouse has been told.",
            code=error.code,
        ) from error
    except PricingError as error:
        said = Said(error.code, error.values)
        raise Invalid(error.message, field=error.field, code=error.code, said=said) from None
    # The plan's payment terms split what is paid online (part of the quote and its hash).
    return quote if spec is None else spec.payment.scheduled(quote, today)


async def quote(
    conn: Conn,
    catalogue: Catalogue,
    room_type: str,
    check_in: date,
    check_out: date,
    party: Party,
    promo_code: str | None,
    today: date,
    choices: Choices = NO_CHOICES,
    waive: bool = False,
) -> Quote:
    """Price a stay as it would be sold now (``waive``: without its stay restrictions)."""
    check_stay(check_in, check_out, today, catalogue.horizon_days)
    catalogue.room(room_type)
    stock = await busy_stock(conn, catalogue, check_in, check_out)
    return price(
        catalogue,
        stock[room_type],
        room_type,
        check_in,
        check_out,
        party,
        promo_code,
        today,
        choices,
        waive=waive,
    )


async def quote_every_plan(
    conn: Conn,
    catalogue: Catalogue,
    room_type: str,
    check_in: date,
    check_out: date,
    party: Party,
    promo_code: str | None,
    today: date,
    choices: Choices = NO_CHOICES,
) -> list[Quote]:
    """The stay priced under every plan that sells the room type (one stock read), in the
    owner's order; extras not offered with a plan are left out of that plan's quote. A
    property without plans answers its one quote."""
    check_stay(check_in, check_out, today, catalogue.horizon_days)
    catalogue.room(room_type)
    stock = (await busy_stock(conn, catalogue, check_in, check_out))[room_type]
    selling: list[str | None] = [
        plan.slug
        for plan in catalogue.rate_plans
        if plan.room_types is None or room_type in plan.room_types
    ] or [None]
    quotes = []
    for slug in selling:
        offered = {
            name: quantity
            for name, quantity in choices.extras.items()
            if not _left_out(catalogue, name, room_type, slug)
        }
        mine = msgspec.structs.replace(choices, rate_plan=slug, extras=offered)
        quotes.append(
            price(catalogue, stock, room_type, check_in, check_out, party, promo_code, today, mine)
        )
    return quotes


def _left_out(catalogue: Catalogue, slug: str, room_type: str, rate_plan: str | None) -> bool:
    """Whether a known extra is not offered with this plan (unknown ones stay, to be refused)."""
    extra = next((e for e in catalogue.extras if e.slug == slug), None)
    return extra is not None and not extra.offered(room_type, rate_plan)
