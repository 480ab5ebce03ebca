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


async def _bookings(conn: Conn, property_id: int, first: date, end: date) -> list[dict[str, Any]]:
    cur = await conn.execute(
        queries("reports")["ledger_bookings"],
        {"property_id": property_id, "first": first, "end": end},
    )
    return list(await cur.fetchall())


def _money(minor: int | None, currency: str) -> Decimal | None:
    return None if minor is None else to_major(minor, currency)


async def bookings_csv(conn: Conn, property_id: int, first: date, end: date) -> str:
    """Every booking made here with a night in ``[first, end)``, cancelled ones included."""
    header = [
        "reference", "status", "booked_at", "check_in", "check_out", "nights", "room_type",
        "unit", "guest_name", "guest_email", "adults", "children", "total", "paid_online",
        "due_at_property", "refunded", "currency",
    ]
    rows = []
    for r in await _bookings(conn, property_id, first, end):
        quote, guest, currency = r["quote"] or {}, r["guest"] or {}, r["currency"]
        total, due_now = quote.get("total"), quote.get("due_now")
        rows.append([
            r["reference"], r["status"], r["booked_at"], r["check_in"], r["check_out"],
            (r["check_out"] - r["check_in"]).days, r["room_type"], r["unit"],
            guest.get("name"), guest.get("email"), r["adults"],
            " ".join(str(age) for age in r["children"]),
            _money(total, currency), _money(due_now, currency),
            _money(total - due_now if total is not None and due_now is not None else None,
                   currency),
            _money(r["refund_amount"], currency), currency,
        ])
    return _write(header, rows)


async def payments_csv(conn: Conn, property_id: int, first: date, end: date) -> str:
    """One line per payment taken and per refund given, for the bookings of ``bookings_csv``."""
    header = ["reference", "kind", "at", "amount", "currency", "provider", "provider_ref",
              "status"]
    rows = []
    for r in await _bookings(conn, property_id, first, end):
        quote, currency = r["quote"] or {}, r["currency"]
        if r["captured_at"] is not None:
            rows.append([r["reference"], "payment", r["captured_at"],
                         _money(quote.get("due_now"), currency), currency,
                         r["payment_provider"], r["payment_ref"], r["payment_status"]])
        if r["refund_amount"]:
            rows.append([r["reference"], "refund", r["cancelled_at"],
                         _money(-int(r["refund_amount"]), currency), currency,
                         r["payment_provider"], r["refund_ref"] or r["payment_ref"], "refunded"])
    return _write(header, rows)
