"""Pricing one stay for the guest: the engine's quote, with occupancy from the database."""

from __future__ import annotations

import logging
from datetime import date

from engine import NoBaseRate, Party, PricingError, Quote, RuleFailed, StayContext, price_stay
from widget.db import Conn
from widget.errors import Invalid, PricingBroken
from widget.inventory.availability import busy_stock
from widget.inventory.catalogue import Catalogue
from widget.inventory.stock import Stock

MAX_STAY_NIGHTS = 365
log = logging.getLogger(__name__)


def check_stay(check_in: date, check_out: date, today: date) -> None:
    """Refuse dates no property could sell, naming the field."""
    if check_out <= check_in:
        raise Invalid("check_out must be after check_in", field="check_out")
    if (check_out - check_in).days > MAX_STAY_NIGHTS:
        raise Invalid(f"a stay is at most {MAX_STAY_NIGHTS} nights", field="check_out")
    if check_in < today:
        raise Invalid(
            f"check_in {check_in} is in the past (it is {today} at the property)",
            field="check_in",
        )


def price(
    shop: Catalogue,
    stock: Stock,
    room_type: str,
    check_in: date,
    check_out: date,
    party: Party,
    promo_code: str | None,
    today: date,
) -> Quote:
    """The quote for the stay; every engine refusal becomes a 422 naming its field."""
    room = shop.room(room_type)
    ctx = StayContext(
        property=shop.property,
        room_type=room.room_type,
        check_in=check_in,
        check_out=check_out,
        today=today,
        party=party,
        promo_code=promo_code or None,
        occupancy=stock.occupancy(check_in, check_out),
    )
    try:
        return price_stay(ctx, shop.rules)
    except (RuleFailed, NoBaseRate) as error:
        # The owner's set-up or a plugin is at fault, not the guest's request.
        log.error("pricing %s of %s failed: %s", room_type, shop.property.slug, error)
        raise PricingBroken(
            "This stay cannot be priced right now because of a problem with the property's "
            "pricing rules; the guesthouse has been told.",
            code=error.code,
        ) from error
    except PricingError as error:
        raise Invalid(error.message, field=error.field, code=error.code) from None


async def quote(
    conn: Conn,
    shop: Catalogue,
    room_type: str,
    check_in: date,
    check_out: date,
    party: Party,
    promo_code: str | None,
    today: date,
) -> Quote:
    """Price a stay as it would be sold now."""
    check_stay(check_in, check_out, today)
    shop.room(room_type)
    stock = await busy_stock(conn, shop, check_in, check_out)
    return price(shop, stock[room_type], room_type, check_in, check_out, party, promo_code, today)
