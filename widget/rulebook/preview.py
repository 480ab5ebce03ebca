"""The live preview of a draft rule list: the next nights' prices for a room type and party,
and "why this night", priced by the engine exactly as the calendar and the quote are, but
with the draft's rules instead of the stored ones (nothing is saved)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from engine import Party, Quote, RatePlan, StayContext, price_stay
from widget.db import Conn
from widget.inventory.availability import CalendarNight, busy_stock, calendar
from widget.inventory.catalogue import Catalogue, read_catalogue
from widget.rulebook.draft import RuleBook, Rules

#: How many nights from today the preview shows.
PREVIEW_NIGHTS = 60


async def draft_catalogue(conn: Conn, book: RuleBook, draft: Rules, room_type: str) -> Catalogue:
    """The property priced by ``draft``, narrowed to ``room_type`` (checked by the caller)."""
    catalogue = await read_catalogue(conn, book.slug, draft)
    catalogue.room(room_type)  # Invalid naming room_type when it is not one of them
    return replace(catalogue, rooms={room_type: catalogue.rooms[room_type]})


async def preview_nights(
    conn: Conn,
    book: RuleBook,
    draft: Rules,
    room_type: str,
    party: Party,
    nights: int = PREVIEW_NIGHTS,
) -> list[CalendarNight]:
    """The next ``nights`` nights from the property's today as the calendar would answer
    them under ``draft``: price, units free and restrictions (empty when the room type
    cannot sleep the party)."""
    catalogue = await draft_catalogue(conn, book, draft, room_type)
    start = book.today
    answer = await calendar(
        conn, catalogue, start, start + timedelta(days=nights), party, book.today
    )
    return answer.room_types[0].nights if answer.room_types else []


async def why_this_night(
    conn: Conn, book: RuleBook, draft: Rules, room_type: str, party: Party, night: date
) -> Quote:
    """The quote of a one-night stay arriving on ``night`` under ``draft``: the lines that
    made the night's price (the rate plan's among them, the plan the calendar's price is
    under), then the stay lines such a stay would get. Restrictions (a minimum stay) are
    left out: they change whether a stay is sold, not its price.
    Raises the engine's `PricingError` for a party or night it cannot price."""
    catalogue = await draft_catalogue(conn, book, draft, room_type)
    stock = await busy_stock(conn, catalogue, night, night + timedelta(days=1))
    room = catalogue.rooms[room_type]
    context = StayContext(
        property=catalogue.property,
        room_type=room.room_type,
        check_in=night,
        check_out=night + timedelta(days=1),
        today=book.today,
        party=party,
        occupancy=stock[room_type].occupancy(night, night + timedelta(days=1)),
    )
    pricing = [rule for rule in catalogue.rules if rule.stage != "restrict"]
    # The calendar shows each night at its lowest price over the rate plans that sell the
    # room type: explain the night under that plan (or under none, without plans).
    plans: list[RatePlan | None] = [p for p in catalogue.plans if p.applies_to(room_type)]
    quotes = [
        price_stay(context, pricing, rate_plan=plan, extras=catalogue.extras)
        for plan in plans or [None]
    ]
    return min(quotes, key=lambda quote: quote.nights[0].amount)
