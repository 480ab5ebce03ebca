"""The owner's list of bookings: who arrives when, in which unit, and what they paid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row

from widget.rows import ListedBooking, decoded
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
    with conn.cursor(row_factory=dict_row) as cur:
        # The same lookup as the service's: the property's id and its local "today".
        found = cur.execute(queries("inventory")["property_versions"], {"slug": slug}).fetchone()
        if found is None:
            raise UnknownProperty(f"no property is called {slug!r}")
        first = first or found["today"]
        rows = cur.execute(
            queries("bookings")["bookings_between"],
            {
                "property_id": found["id"],
                "statuses": ["confirmed", "cancelled"] if with_cancelled else ["confirmed"],
                "first": first,
                "end": last + timedelta(days=1) if last else None,  # NULL: no end
            },
        ).fetchall()
    return first, [_line(row) for row in rows]


def _line(found: dict[str, Any]) -> BookingLine:
    row = decoded(found, ListedBooking)
    return BookingLine(
        reference=row.reference,
        status=row.status,
        check_in=row.check_in,
        check_out=row.check_out,
        unit=row.unit,
        room_type=row.room_type,
        # A booking is made at checkout, which stores the guest; a row without one is a
        # stay entered by hand, listed with blank contact details.
        guest_name=row.guest.name if row.guest else "",
        guest_email=row.guest.email if row.guest else "",
        guests=(row.adults or 0) + len(row.children),
        paid=row.quote.due_now if row.paid is None else row.paid,
        total=row.quote.total,
        currency=row.quote.currency,
        refunded=row.refund_amount,
    )
