"""The tape chart: a month of a property's units × nights, each night free or taken by a
booking, a block, a stay imported from a channel or a live hold (a lapsed hold is free, as
the constraint sees it); what is in conflict with a channel says so."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

import msgspec

from widget.db import Conn
from widget.sql import queries


class Taken(msgspec.Struct, frozen=True):
    """A reservation on the chart (``console.sql`` ``tape_reservations``)."""

    id: UUID
    unit_id: int
    first_night: date
    check_out: date
    status: str
    reference: str | None
    guest_name: str | None
    hold_expires_at: datetime | None
    block_reason: str | None
    #: The channel a stay was imported from (a block of that channel's feed).
    channel: str | None = None
    #: The channels whose imported stays clash with this one (open conflicts), if any.
    conflict_with: str | None = None


class Cell(msgspec.Struct, frozen=True):
    """One run of the chart's row: ``nights`` nights from ``first``, free or ``taken``."""

    first: date
    nights: int
    taken: Taken | None = None

    @property
    def last(self) -> date:
        return self.first + timedelta(days=self.nights - 1)


class UnitRow(msgspec.Struct, frozen=True):
    unit_id: int
    unit: str
    room_type: str
    cells: list[Cell]


class Tape(msgspec.Struct, frozen=True):
    first: date
    days: list[date]
    rows: list[UnitRow]


def month_days(first: date) -> list[date]:
    """Every date of the month that starts on ``first``."""
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return [first + timedelta(days=n) for n in range((following - first).days)]


def _cells(days: list[date], taken: list[Taken]) -> list[Cell]:
    """The row's runs: a taken run per reservation (clipped to the month), and each free
    night on its own, so that each can be picked."""
    cells: list[Cell] = []
    by_night: dict[date, Taken] = {}
    for reservation in taken:
        by_night[max(reservation.first_night, days[0])] = reservation
    end = days[-1] + timedelta(days=1)
    day = days[0]
    while day < end:
        one = by_night.get(day)
        if one is None:
            cells.append(Cell(first=day, nights=1))
            day += timedelta(days=1)
            continue
        stop = min(one.check_out, end)
        cells.append(Cell(first=day, nights=(stop - day).days, taken=one))
        day = stop
    return cells


async def tape(conn: Conn, property_id: int, first: date) -> Tape:
    """The month from ``first`` for every active unit of ``property_id``."""
    q = queries("console")
    days = month_days(first)
    units = await (await conn.execute(q["tape_units"], {"property_id": property_id})).fetchall()
    cur = await conn.execute(
        q["tape_reservations"],
        {"property_id": property_id, "first": first, "end": days[-1] + timedelta(days=1)},
    )
    taken = [msgspec.convert(row, Taken) for row in await cur.fetchall()]
    rows = [
        UnitRow(
            unit_id=unit["id"],
            unit=unit["name"],
            room_type=unit["room_type"],
            cells=_cells(days, [t for t in taken if t.unit_id == unit["id"]]),
        )
        for unit in units
    ]
    return Tape(first=first, days=days, rows=rows)
