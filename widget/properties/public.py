"""Reading a property as guests see it."""

from __future__ import annotations

from datetime import date

import msgspec

from widget.db import Conn
from widget.errors import NotFound, shown
from widget.schemas import MoneyOut
from widget.sql import queries


class PhotoOut(msgspec.Struct, frozen=True):
    url: str
    alt: str


class RoomTypeOut(msgspec.Struct, frozen=True):
    slug: str
    name: str
    description: str
    photos: list[PhotoOut]
    max_guests: int
    included_guests: int
    base_price: MoneyOut
    units: int


class CancellationPolicyOut(msgspec.Struct, frozen=True):
    free_until_days: int
    refund_percent: int


class PropertyOut(msgspec.Struct, frozen=True):
    slug: str
    name: str
    time_zone: str
    currency: str
    locale: str
    check_in_time: str
    check_out_time: str
    cancellation_policy: CancellationPolicyOut
    #: The property's own date now (by the database's clock, in the property's time zone),
    #: so the widget never trusts the browser's clock.
    today: date
    room_types: list[RoomTypeOut]


async def public_property(conn: Conn, slug: str) -> PropertyOut:
    """The public description of ``slug`` with its active room types; `NotFound` if none."""
    q = queries("properties")
    cur = await conn.execute(q["public_property"], {"slug": slug})
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"No property is called {shown(slug)}; check the data-property attribute.")
    cur = await conn.execute(q["public_room_types"], {"property_id": row["id"]})
    rooms = await cur.fetchall()
    currency = str(row["currency"])
    return PropertyOut(
        slug=str(row["slug"]),
        name=str(row["name"]),
        time_zone=str(row["time_zone"]),
        currency=currency,
        locale=str(row["locale"]),
        check_in_time=row["check_in_time"].strftime("%H:%M"),
        check_out_time=row["check_out_time"].strftime("%H:%M"),
        cancellation_policy=msgspec.convert(row["cancellation_policy"], CancellationPolicyOut),
        today=row["today"],
        room_types=[
            RoomTypeOut(
                slug=str(r["slug"]),
                name=str(r["name"]),
                description=str(r["description"]),
                photos=msgspec.convert(r["photos"], list[PhotoOut]),
                max_guests=r["max_guests"],
                included_guests=r["included_guests"],
                base_price=MoneyOut(r["base_price"], currency),
                units=r["units"],
            )
            for r in rooms
        ],
    )
