"""The accountant's CSV files: bookings, and every movement of money made for them.

Their money is what the console's booking page says (``reports.sql``): what was actually
taken online (never the quote's ``due_now``, which a change of dates, a desk booking, a
balance or a refund leaves behind), so the movements of a booking in the payments file that
went through add up to its lines' ``paid_online`` less their ``refunded``.

A cell a guest wrote (a name) that a spreadsheet would read as a formula is written with a
leading apostrophe (OWASP's advice on CSV injection). Amounts are in major units of the
property's currency, in its own column.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine import to_major
from widget.db import Conn
from widget.rows import LedgerBooking, LedgerMovement, decoded, left_at_property, stay_money
from widget.sql import queries

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One CSV cell: dates as ISO, text safe from spreadsheet formulas."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)  # a number is never a formula, whatever its sign
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _write(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[cell(v) for v in row] for row in rows])
    return out.getvalue()


async def _bookings(conn: Conn, property_id: int, first: date, end: date) -> list[LedgerBooking]:
    cur = await conn.execute(
        queries("reports")["ledger_bookings"],
        {"property_id": property_id, "first": first, "end": end},
    )
    return [decoded(row, LedgerBooking) for row in await cur.fetchall()]


def _money(minor: int | None, currency: str) -> Decimal | None:
    return None if minor is None else to_major(minor, currency)


def _due_at_property(line: LedgerBooking) -> int | None:
    """What a line leaves to pay at the property (a room cancelled alone is cancelled)."""
    if line.quote is None:
        return None
    return left_at_property(stay_money(line.quote, None), line.payment_provider, line.status)


#: The bookings file's columns, in order. An accountant's import maps them by name once:
#: never rename one; a new one goes at the end (docs/console.md).
BOOKING_COLUMNS = [
    "reference",
    "status",
    "booked_at",
    "check_in",
    "check_out",
    "nights",
    "room_type",
    "unit",
    "guest_name",
    "guest_email",
    "adults",
    "children",
    "total",
    "paid_online",
    "due_at_property",
    "refunded",
    "currency",
    "owed_online",
    "kept",
]
#: The payments file's columns (the same rule).
PAYMENT_COLUMNS = [
    "reference",
    "kind",
    "at",
    "amount",
    "currency",
    "provider",
    "provider_ref",
    "status",
]


async def bookings_csv(conn: Conn, property_id: int, first: date, end: date) -> str:
    """Every booking made here with a night in ``[first, end)``, cancelled ones included."""
    rows = []
    for b in await _bookings(conn, property_id, first, end):
        quote, guest, currency = b.quote, b.guest, b.currency
        rows.append(
            [
                b.reference,
                b.status,
                b.booked_at,
                b.check_in,
                b.check_out,
                (b.check_out - b.check_in).days,
                b.room_type,
                b.unit,
                guest.name if guest else None,
                guest.email if guest else None,
                b.adults,
                " ".join(str(age) for age in b.children),
                _money(quote.total if quote else None, currency),
                _money(b.paid, currency),
                _money(_due_at_property(b), currency),
                _money(b.refund_amount, currency),
                currency,
                _money(b.owed_online, currency),
                _money(b.kept, currency),
            ]
        )
    return _write(BOOKING_COLUMNS, rows)


async def movements(conn: Conn, property_id: int, first: date, end: date) -> list[LedgerMovement]:
    """The movements of money of the bookings of ``bookings_csv`` (``ledger_movements``)."""
    cur = await conn.execute(
        queries("reports")["ledger_movements"],
        {"property_id": property_id, "first": first, "end": end},
    )
    return [decoded(row, LedgerMovement) for row in await cur.fetchall()]


async def payments_csv(conn: Conn, property_id: int, first: date, end: date) -> str:
    """One line per movement of money for the bookings of ``bookings_csv``: the payment at
    booking, the refunds of changes of dates (``refused`` when the provider did not make
    one), the balance, a change's charge, a no-show fee, and a cancellation's refund."""
    rows: list[list[Any]] = [
        [m.reference, m.kind, m.at, _money(m.amount, m.currency), m.currency, *m.paid_by]
        for m in await movements(conn, property_id, first, end)
    ]
    return _write(PAYMENT_COLUMNS, rows)
