"""Rows are decoded into Structs where they are read: the stored quote is an `engine.Quote`,
and quotes stored by earlier releases still decode."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import msgspec
import pytest

from engine import Quote
from widget.rows import Booking, BookingMail, CancellationPolicy, Guest, decoded

#: A quote as this release stores it in ``reservation.quote`` (JSONB, read back by psycopg
#: as plain values). Never edit it: it stands for the rows already in guesthouses' databases.
STORED_QUOTE: dict[str, Any] = {
    "room_type": "double-sea-view",
    "check_in": "2027-06-01",
    "check_out": "2027-06-03",
    "nights": [
        {
            "date": "2027-06-01",
            "amount": 12000,
            "lines": [{"rule": "base", "stage": "base", "amount": 12000, "note": "base rate"}],
        },
        {
            "date": "2027-06-02",
            "amount": 13000,
            "lines": [
                {"rule": "base", "stage": "base", "amount": 12000, "note": "base rate"},
                {"rule": "weekend", "stage": "adjust", "amount": 1000, "note": "+10 EUR"},
            ],
        },
    ],
    "stay_lines": [
        {
            "rule": "vat",
            "kind": "tax",
            "amount": 2272,
            "note": "VAT 10%",
            "included": True,
            "payable": "now",
        },
        {
            "rule": "city-tax",
            "kind": "tax",
            "amount": 400,
            "note": "2 x 2 EUR",
            "included": False,
            "payable": "at_property",
        },
    ],
    "total": 25400,
    "due_now": 25000,
    "currency": "EUR",
    "quote_hash": "0" * 64,
}

#: The guest as this release stores it in ``reservation.guest``.
STORED_GUEST = {
    "name": "Anna",
    "email": "anna@example.com",
    "language": "de",
    "phone": None,
    "note": None,
}


def booking_row(**changes: Any) -> dict[str, Any]:
    """A ``booking_by_reference`` row as psycopg's ``dict_row`` gives it."""
    row: dict[str, Any] = {
        "id": uuid.uuid4(),
        "reference": "ABCD2345",
        "status": "confirmed",
        "version": 3,
        "booking_secret_hash": "h",
        "guest_key_hash": None,
        "guest": STORED_GUEST,
        "quote": STORED_QUOTE,
        "check_in": date(2027, 6, 1),
        "check_out": date(2027, 6, 3),
        "adults": 2,
        "children": [],
        "payment_provider": "demo",
        "payment_ref": "pay_1",
        "payment_status": "captured",
        "cancelled_at": None,
        "refund_amount": None,
        "room_type": "double-sea-view",
        "room_type_name": "Double, sea view",
        "property_slug": "demo",
        "property_name": "Casa",
        "currency": "EUR",
        "cancellation_policy": {"free_until_days": 14, "refund_percent": 50},
        "today": date(2027, 5, 1),
    }
    return {**row, **changes}


def test_a_quote_stored_by_this_release_decodes_into_the_engines_quote() -> None:
    booking = decoded(booking_row(), Booking)
    assert isinstance(booking.quote, Quote)
    assert (booking.quote.due_now, booking.quote.total, booking.quote.currency) == (
        25000,
        25400,
        "EUR",
    )
    assert booking.quote.nights[1].lines[1].rule == "weekend"
    assert booking.quote.stay_lines[1].payable == "at_property"
    assert booking.guest == Guest("Anna", "anna@example.com", "de")
    assert booking.cancellation_policy == CancellationPolicy(14, 50)


def test_a_quote_with_fields_this_release_does_not_know_still_decodes() -> None:
    later = {
        **STORED_QUOTE,
        "rooms": [{"room_type": "x"}],
        "payment_schedule": [{"due": "2027-05-01", "amount": 100}],
    }
    assert decoded(booking_row(quote=later), Booking).quote.total == 25400


def test_fields_added_to_the_quote_later_have_defaults() -> None:
    """A quote stored before a field existed must decode: every new field needs a default."""
    for struct, stored in (
        (Quote, STORED_QUOTE),
        (type(decoded(booking_row(), Booking).quote.nights[0]), STORED_QUOTE["nights"][0]),
    ):
        info = msgspec.inspect.type_info(struct)
        assert isinstance(info, msgspec.inspect.StructType)
        new = [f.name for f in info.fields if f.name not in stored and f.required]
        assert not new, f"{struct.__name__} fields {new} need defaults: old rows lack them"


def test_a_booking_without_its_quote_is_refused_loudly_not_priced_at_zero() -> None:
    with pytest.raises(msgspec.ValidationError, match="quote"):
        decoded(booking_row(quote=None), Booking)
    with pytest.raises(msgspec.ValidationError, match="due_now"):
        decoded(
            booking_row(quote={k: v for k, v in STORED_QUOTE.items() if k != "due_now"}), Booking
        )


def test_the_mail_row_decodes_times_and_policy() -> None:
    row = {
        **booking_row(),
        "contact_email": "owner@example.com",
        "locale": "de_DE",
        "check_in_time": time(15),
        "check_out_time": time(11),
        "time_zone": "Europe/Rome",
        "hold_expires_at": datetime.now(UTC),
    }
    mail = decoded(row, BookingMail)
    assert mail.check_in_time == time(15) and mail.guest.email == "anna@example.com"


#: A JSON column read as a dict (``row["quote"]``, ``booking["guest"]``, ``.get("due_now"``):
#: the silent defaults the row Structs replaced.
DICT_READS = re.compile(
    r"""\[["'](quote|guest|cancellation_policy)["']\]|\.get\(["'](due_now|total|"""
    r"""free_until_days|refund_percent)["']"""
)


def test_no_module_reads_a_stored_json_column_as_a_dict() -> None:
    root = Path(__file__).resolve().parents[2] / "widget"
    found = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for path in sorted(root.rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if DICT_READS.search(line) and "msgspec.convert(" not in line  # convert decodes
    ]
    assert not found, "decode the row into its Struct (widget/rows.py):\n" + "\n".join(found)
