"""The front desk's day: who arrives, who leaves and who stays over, today and tomorrow in
the property's own time zone (by the database's clock), with what is paid and what is
still to collect at the property (a city tax, say)."""

from __future__ import annotations

from datetime import date, timedelta

import msgspec

from engine import Quote
from widget.db import Conn
from widget.rows import Guest, left_at_property, stay_money
from widget.sql import queries


class Stay(msgspec.Struct, frozen=True):
    """A confirmed booking as the front desk sees it (``console.sql`` ``front_desk``)."""

    reference: str
    check_in: date
    check_out: date
    unit: str
    room_type: str
    guest: Guest | None
    adults: int | None
    children: list[int]
    quote: Quote
    payment_status: str | None
    #: ``property`` for a stay taken at the desk and paid there.
    payment_provider: str | None
    #: The payment taken at booking has been captured.
    captured: bool
    #: What the guest has paid so far (minor units): the payment at booking once captured
    #: (less a date change's refund) and the later charges taken (balance, date changes).
    paid: int = 0
    #: What is still to be taken online for this room (a balance not charged yet, a change
    #: of dates' difference): the provider takes it, so the desk does not collect it.
    owed_online: int = 0

    @property
    def party(self) -> int:
        return (self.adults or 0) + len(self.children)

    @property
    def due_at_property(self) -> int:
        """What is still to collect at the property, as the booking page says; never what
        was or is still to be paid online (shown as ``owed_online``)."""
        return left_at_property(stay_money(self.quote, None), self.payment_provider, "confirmed")


class Day(msgspec.Struct, frozen=True):
    date: date
    arrivals: list[Stay]
    departures: list[Stay]
    stay_overs: list[Stay]


class FrontDesk(msgspec.Struct, frozen=True):
    today: Day
    tomorrow: Day
    currency: str


def _day(day: date, stays: list[Stay]) -> Day:
    return Day(
        date=day,
        arrivals=[s for s in stays if s.check_in == day],
        departures=[s for s in stays if s.check_out == day],
        stay_overs=[s for s in stays if s.check_in < day < s.check_out],
    )


async def front_desk(conn: Conn, property_id: int, currency: str) -> FrontDesk:
    """Today's and tomorrow's arrivals, departures and stay-overs at ``property_id``."""
    q = queries("console")
    cur = await conn.execute(q["front_desk"], {"property_id": property_id})
    rows = await cur.fetchall()
    if rows:
        today: date = rows[0]["today"]
    else:
        found = await (
            await conn.execute(q["property_today"], {"property_id": property_id})
        ).fetchone()
        assert found is not None  # the caller's membership names an existing property
        today = found["today"]
    stays = [msgspec.convert(row, Stay) for row in rows]
    return FrontDesk(
        today=_day(today, stays), tomorrow=_day(today + timedelta(days=1), stays), currency=currency
    )
