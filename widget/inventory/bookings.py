"""The owner's list of bookings: who arrives when, in which unit, and what they paid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import psycopg

from widget.sql import queries


class UnknownProperty(LookupError):
    """No property has that slug."""


@dataclass(frozen=True)
class BookingLine:
    reference: str
    status: str
    check_in: date
    check_out: date
    unit: str
    room_type: str
    guest_name: str
    guest_email: str
    guests: int
    #: Minor units of ``currency``: charged at booking, and the stay's total.
    paid: int
    total: int
    currency: str
    #: Given back after a cancellation, if anything.
    refunded: int | None

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days


def bookings_between(
    conn: psycopg.Connection[Any],
    slug: str,
    first: date | None = None,
    last: date | None = None,
    *,
    with_cancelled: bool = False,
) -> tuple[date, list[BookingLine]]:
    """Bookings with a night from ``first`` (default: the property's today) to ``last``
    (included; default: no end), and the first night used."""
    q = queries("bookings")
    found = conn.execute(q["property_today"], {"slug": slug}).fetchone()
    if found is None:
        raise UnknownProperty(f"no property is called {slug!r}")
    property_id, currency, today = found
    first = first or today
    rows = conn.execute(
        q["bookings_between"],
        {
            "property_id": property_id,
            "statuses": ["confirmed", "cancelled"] if with_cancelled else ["confirmed"],
            "first": first,
            "end": last + timedelta(days=1) if last else None,  # NULL: no end
        },
    ).fetchall()
    return first, [_line(row, currency) for row in rows]


def _line(row: tuple[Any, ...], currency: str) -> BookingLine:
    (reference, status, check_in, check_out, unit, room_type, guest, adults, children) = row[:9]
    quote, refunded = row[9:]
    guest, quote = guest or {}, quote or {}
    return BookingLine(
        reference=reference,
        status=status,
        check_in=check_in,
        check_out=check_out,
        unit=unit,
        room_type=room_type,
        guest_name=str(guest.get("name", "")),
        guest_email=str(guest.get("email", "")),
        guests=int(adults or 0) + len(children or []),
        paid=int(quote.get("due_now", 0)),
        total=int(quote.get("total", 0)),
        currency=str(quote.get("currency") or currency),
        refunded=None if refunded is None else int(refunded),
    )
