"""The accountant's CSV files: bookings, and the payments and refunds made for them.

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
from widget.rows import LedgerBooking, decoded
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
    """What a line leaves to pay at the property: nothing once it is cancelled (a room
    cancelled alone included: its guests are not coming), everything for a desk booking
    paid there, else what is not paid online (a balance charged later is paid online)."""
    quote = line.quote
    if quote is None:
        return None
    if line.status == "cancelled":
        return 0
    return quote.total if line.payment_provider == "property" else quote.total - quote.online_total


async def bookings_csv(conn: Conn, property_id: int, first: date, end: date) -> str:
    """Every booking made here with a night in ``[first, end)``, cancelled ones included."""
    header = [
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
    ]
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
                _money(quote.due_now if quote else None, currency),
                _money(_due_at_property(b), currency),
                _money(b.refund_amount, currency),
                currency,
            ]
        )
    return _write(header, rows)


async def payments_csv(conn: Conn, property_id: int, first: date, end: date) -> str:
    """One line per payment taken and per refund given, for the bookings of ``bookings_csv``."""
    header = ["reference", "kind", "at", "amount", "currency", "provider", "provider_ref", "status"]
    rows: list[list[Any]] = []
    for b in await _bookings(conn, property_id, first, end):
        if b.captured_at is not None:
            rows.append(
                [
                    b.reference,
                    "payment",
                    b.captured_at,
                    _money(b.quote.due_now if b.quote else None, b.currency),
                    b.currency,
                    b.payment_provider,
                    b.payment_ref,
                    b.payment_status,
                ]
            )
        if b.refund_amount:
            rows.append(
                [
                    b.reference,
                    "refund",
                    b.cancelled_at,
                    _money(-b.refund_amount, b.currency),
                    b.currency,
                    b.payment_provider,
                    b.refund_ref or b.payment_ref,
                    "refunded",
                ]
            )
    return _write(header, rows)
