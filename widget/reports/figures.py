"""The year's figures by month and by room type (`FIGURES`; their words are the console's).

Nights come from SQL (`reports.sql`); room revenue from each booking's stored quote, so it
is what the guest was charged for the rooms, shared out over the nights it paid for.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine import Quote, scale
from widget.db import Conn
from widget.rows import PricedStay, decoded
from widget.sql import queries

#: The report's figures, in the order the page shows them. Each one's name and definition
#: are console words (``report_{figure}`` and ``report_{figure}_means`` in `widget.i18n`),
#: in the owner's language, and the page shows the definition beside the figure.
FIGURES = ("available", "sold", "occupancy", "revenue", "adr", "revpar")
#: The lead-time bands of ``report_lead_times`` (its ``bucket`` numbers index them), each
#: named by the console word ``report_lead_{band}``.
LEAD_BANDS = ("same_day", "week", "month", "quarter", "longer")


@dataclass(frozen=True)
class Figures:
    """One row of the report: a month (``2027-05``), a room type, or the whole year."""

    label: str
    available: int = 0
    sold: int = 0
    booked: int = 0
    revenue: int = 0

    @property
    def occupancy_permille(self) -> int | None:
        """Occupancy in tenths of a percent (``625`` is 62.5 %), None with nothing to sell."""
        return scale(self.sold, 1000, self.available) if self.available else None

    @property
    def adr(self) -> int | None:
        """Average daily rate in minor units, None without nights booked here."""
        return scale(self.revenue, 1, self.booked) if self.booked else None

    @property
    def revpar(self) -> int | None:
        """Revenue per available room night in minor units."""
        return scale(self.revenue, 1, self.available) if self.available else None

    def plus(self, other: Figures, label: str | None = None) -> Figures:
        return Figures(
            label or self.label,
            self.available + other.available,
            self.sold + other.sold,
            self.booked + other.booked,
            self.revenue + other.revenue,
        )


@dataclass(frozen=True)
class ChannelLine:
    #: The channel's name, None for the bookings made here (the page says "direct" in the
    #: owner's language; no channel's name can be taken for them).
    channel: str | None
    stays: int
    nights: int


@dataclass(frozen=True)
class Report:
    year: int
    by_month: list[Figures]
    by_room_type: list[Figures]
    total: Figures
    channels: list[ChannelLine]
    #: Direct bookings per `LEAD_BANDS` entry, with its key.
    lead_times: list[tuple[str, int]]


def night_revenue(quote: Quote) -> dict[date, int]:
    """Each night's room revenue from a stored quote (as ``report_revenue_means`` defines
    it): the nights plus the discounts, less the room's share of included taxes, shared out
    over the nights by their prices; the shares add up to the whole exactly."""
    nights = [(night.date, night.amount) for night in quote.nights]
    rooms = sum(amount for _, amount in nights)

    def total(kind: str, included: bool) -> int:
        return sum(
            line.amount
            for line in quote.stay_lines
            if line.kind == kind and line.included == included
        )

    room_price = max(rooms + total("discount", False), 0)
    taxed = room_price + total("fee", False)
    room_tax = scale(total("tax", True), room_price, taxed) if taxed > 0 else 0
    net = room_price - room_tax
    if rooms <= 0:
        return {day: 0 for day, _ in nights}
    shares = {day: scale(net, amount, rooms) for day, amount in nights}
    last = max((day for day, amount in nights if amount), default=None)
    if last is not None:
        shares[last] += net - sum(shares.values())
    return shares


def _month(day: date) -> date:
    return day.replace(day=1)


async def _revenue(
    conn: Conn, property_id: int, first: date, end: date
) -> dict[tuple[date, str], int]:
    cur = await conn.execute(
        queries("reports")["report_bookings"],
        {"property_id": property_id, "first": first, "end": end},
    )
    revenue: dict[tuple[date, str], int] = defaultdict(int)
    for row in await cur.fetchall():
        stay = decoded(row, PricedStay)
        for day, amount in night_revenue(stay.quote).items():
            if first <= day < end:
                revenue[(_month(day), stay.room_type)] += amount
    return revenue


async def yearly_report(conn: Conn, property_id: int, year: int) -> Report:
    """The figures of ``year`` for the property, by month and by room type."""
    first, end = date(year, 1, 1), date(year + 1, 1, 1)
    params = {"property_id": property_id, "first": first, "end": end}
    q = queries("reports")
    cur = await conn.execute(q["report_nights"], params)
    rows = await cur.fetchall()
    revenue = await _revenue(conn, property_id, first, end)
    months: dict[date, Figures] = {}
    rooms: dict[str, Figures] = {}
    for row in rows:
        cell = Figures(
            row["room_type"],
            int(row["nights"]) - int(row["blocked"]),
            int(row["booked"]) + int(row["imported"]),
            int(row["booked"]),
            revenue.get((row["month"], row["room_type"]), 0),
        )
        label = row["month"].strftime("%Y-%m")
        months[row["month"]] = months.get(row["month"], Figures(label)).plus(cell, label)
        rooms[cell.label] = rooms.get(cell.label, Figures(cell.label)).plus(cell)
    total = Figures(str(year))
    for figures in months.values():
        total = total.plus(figures, str(year))
    return Report(
        year,
        list(months.values()),
        list(rooms.values()),
        total,
        await _channels(conn, params),
        await _lead_times(conn, params),
    )


async def _channels(conn: Conn, params: dict[str, Any]) -> list[ChannelLine]:
    cur = await conn.execute(queries("reports")["report_channels"], params)
    return [ChannelLine(r["channel"], r["stays"], r["nights"]) for r in await cur.fetchall()]


async def _lead_times(conn: Conn, params: dict[str, Any]) -> list[tuple[str, int]]:
    cur = await conn.execute(queries("reports")["report_lead_times"], params)
    counts = {r["bucket"]: r["bookings"] for r in await cur.fetchall()}
    return [(label, int(counts.get(i, 0))) for i, label in enumerate(LEAD_BANDS)]
