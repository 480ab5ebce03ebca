"""The calendar: for each room type and night, units free, the price for the party, and the
restrictions on arriving or departing that day."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import msgspec

from engine import MAX_CALENDAR_NIGHTS, InvalidParty, Party, StayContext, price_nights
from widget.db import Conn, fetch_tuples
from widget.errors import Invalid
from widget.inventory.catalogue import Catalogue
from widget.inventory.freshness import MAX_AGE
from widget.inventory.stock import Stock, window
from widget.inventory.stock_memory import StockEntry, StockMemory
from widget.limits import CALENDAR_MARGIN_DAYS, last_departure
from widget.schemas import MoneyOut
from widget.sql import queries


class CalendarNight(msgspec.Struct, frozen=True):
    date: date
    units_free: int
    #: The night's price for the party; ``None`` for nights that cannot be booked (past).
    price: MoneyOut | None
    min_stay: int
    closed_to_arrival: bool
    closed_to_departure: bool


class CalendarRoomType(msgspec.Struct, frozen=True):
    slug: str
    nights: list[CalendarNight]


class Calendar(msgspec.Struct, frozen=True):
    room_types: list[CalendarRoomType]


async def busy_stock(conn: Conn, catalogue: Catalogue, start: date, end: date) -> dict[str, Stock]:
    """Each room type's `Stock` around ``[start, end)``, from one query."""
    low, high = window(start, end)
    rows = await fetch_tuples(
        conn,
        queries("inventory")["busy_stays"],
        {"property_id": catalogue.property_id, "start": low, "end": high},
    )
    return _stocks(catalogue, rows)


def _stocks(catalogue: Catalogue, busy: list[tuple[Any, ...]]) -> dict[str, Stock]:
    """Each room type's `Stock` from rows of busy stays (unit id, first night, check-out,
    anything after), each row looked at once."""
    by_unit: dict[int, list[tuple[int, date, date]]] = {}
    for unit, first_night, check_out, *_ in busy:
        by_unit.setdefault(unit, []).append((unit, first_night, check_out))
    return {
        slug: Stock(room.unit_ids, [s for u in room.unit_ids for s in by_unit.get(u, ())])
        for slug, room in catalogue.rooms.items()
    }


async def stock_ahead(
    conn: Conn, catalogue: Catalogue, today: date, inventory_version: int, memory: StockMemory
) -> dict[str, Stock]:
    """Every room type's `Stock` from yesterday's window on, kept in this worker's memory
    under the inventory version (Postgres's NOTIFY of each reservation's change moves it on,
    of any other change drops it) until the first of its holds lapses: the losers of a race
    for a room then never touch Postgres."""

    async def read() -> StockEntry:
        first = window(today, today)[0] - timedelta(days=1)
        # As tuples: after every change each worker reads them all again (in a race, while
        # every request waits), and a dict per stay cost five times as much.
        rows = await fetch_tuples(
            conn,
            queries("inventory")["busy_stays_ahead"],
            {"property_id": catalogue.property_id, "from": first},
        )
        version = rows[0][0]
        stays = [row[1:] for row in rows if row[1] is not None]
        # Until the first hold lapses (its seconds left, by the database's clock).
        lapses = [lapses_in for *_, lapses_in in stays if lapses_in is not None]
        ttl = min([MAX_AGE, *lapses])
        return StockEntry(first, _stocks(catalogue, stays), time.monotonic() + ttl, version)

    entry = await memory.ahead(catalogue.property_id, inventory_version, read)
    return entry.stocks


async def calendar(
    conn: Conn, catalogue: Catalogue, start: date, end: date, party: Party, today: date
) -> Calendar:
    """The calendar of ``[start, end)``. Room types that cannot sleep the party are left out;
    nights before today or after the booking horizon are shown, but not for sale."""
    last = last_departure(today, catalogue.horizon_days)
    stock = await busy_stock(conn, catalogue, start, end)
    room_types = []
    for slug, room in catalogue.rooms.items():
        if party.guests > room.room_type.max_guests:
            continue
        occupancy = stock[slug].occupancy(start, end)
        ctx = StayContext(
            property=catalogue.property,
            room_type=room.room_type,
            check_in=start,
            check_out=end,
            today=today,
            party=party,
            occupancy=occupancy,
        )
        try:
            prices = price_nights(ctx, catalogue.rules, catalogue.plans)
        except InvalidParty:
            continue
        nights = []
        for night, seen in zip(prices, occupancy, strict=True):
            bookable = today <= night.date < last
            nights.append(
                CalendarNight(
                    date=night.date,
                    units_free=seen.units_total - seen.units_sold if bookable else 0,
                    price=MoneyOut(night.amount, catalogue.property.currency) if bookable else None,
                    min_stay=night.min_stay,
                    closed_to_arrival=night.closed_to_arrival,
                    closed_to_departure=night.closed_to_departure,
                )
            )
        room_types.append(CalendarRoomType(slug, nights))
    return Calendar(room_types)


def free_in(
    catalogue: Catalogue, stocks: dict[str, Stock], check_in: date, check_out: date, party: Party
) -> list[str]:
    """Room types with a unit free for every night of the stay that can sleep the party."""
    return [
        slug
        for slug, room in catalogue.rooms.items()
        if party.guests <= room.room_type.max_guests and stocks[slug].any_free(check_in, check_out)
    ]


async def free_room_types(
    conn: Conn, catalogue: Catalogue, check_in: date, check_out: date, party: Party
) -> list[str]:
    """`free_in`, with the stock read from Postgres."""
    stocks = await busy_stock(conn, catalogue, check_in, check_out)
    return free_in(catalogue, stocks, check_in, check_out, party)


def check_calendar_window(first: date, end: date, today: date, horizon_days: int) -> None:
    """Refuse a calendar no guest's widget asks for, naming the field: ``end`` not after
    ``first``, longer than the engine prices at once, or reaching further than a month
    beyond today or the booking horizon (a month view may begin before today)."""
    if end <= first:
        raise Invalid("end must be after start", field="end")
    if (end - first).days > MAX_CALENDAR_NIGHTS:
        raise Invalid(f"at most {MAX_CALENDAR_NIGHTS} nights at once", field="end")
    margin = timedelta(days=CALENDAR_MARGIN_DAYS)
    if first < today - margin:
        raise Invalid(f"start must be on or after {today - margin}", field="start")
    latest = last_departure(today, horizon_days) + margin
    if end > latest:
        raise Invalid(f"end must be on or before {latest}", field="end")
