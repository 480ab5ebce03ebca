"""The owner's list of bookings: every booking with a night in the asked dates, in order of
arrival, and nothing that is not a booking."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

from tests.helpers import add_reservation, stored_quote
from widget.inventory.bookings import UnknownProperty, bookings_between

FIRST = date(2031, 3, 3)


def add(
    db: psycopg.Connection[Any],
    unit: str,
    first: date,
    nights: int,
    status: str,
    reference: str | None,
    name: str = "Anna Schmidt",
    captured: bool = True,
) -> None:
    add_reservation(
        db,
        unit=unit,
        check_in=first,
        check_out=first + timedelta(days=nights),
        status=status,
        reference=reference,
        guest={"name": name, "email": "anna@example.com"},
        adults=2,
        children=[7],
        quote=stored_quote(
            str(first), str(first + timedelta(days=nights)), due_now=9000, total=30000
        ),
        refund_amount=4500 if status == "cancelled" else None,
        payment_captured_at="2031-01-10T10:00:00Z" if reference and captured else None,
    )


def test_bookings_are_listed_by_arrival_with_unit_guest_and_money(
    demo: psycopg.Connection[Any],
) -> None:
    add(demo, "Room 2", FIRST + timedelta(days=5), 2, "confirmed", "BBB-2222", "Bruno")
    add(demo, "Room 1", FIRST, 3, "confirmed", "AAA-1111")
    add(demo, "Room 3", FIRST + timedelta(days=1), 1, "held", None)
    add(demo, "Suite 4", FIRST + timedelta(days=1), 1, "blocked", None)
    add(demo, "Room 6", FIRST + timedelta(days=2), 2, "cancelled", "CCC-3333")

    first, lines = bookings_between(demo, "demo", FIRST)
    assert first == FIRST
    assert [line.reference for line in lines] == ["AAA-1111", "BBB-2222"]
    anna = lines[0]
    assert (anna.unit, anna.room_type) == ("Room 1", "Double room with sea view")
    assert (anna.check_in, anna.nights, anna.guests) == (FIRST, 3, 3)
    assert (anna.guest_name, anna.guest_email) == ("Anna Schmidt", "anna@example.com")
    assert (anna.paid, anna.total, anna.currency) == (9000, 30000, "EUR")

    _, with_cancelled = bookings_between(demo, "demo", FIRST, with_cancelled=True)
    assert [line.reference for line in with_cancelled] == ["AAA-1111", "CCC-3333", "BBB-2222"]
    assert with_cancelled[1].refunded == 4500


def test_a_payment_not_captured_yet_is_not_counted_as_paid(
    demo: psycopg.Connection[Any],
) -> None:
    add(demo, "Room 1", FIRST, 2, "confirmed", "AAA-1111", captured=False)
    _, [line] = bookings_between(demo, "demo", FIRST)
    assert (line.paid, line.total) == (0, 30000)  # as the front desk's Today says


def test_a_stay_with_any_night_in_the_dates_is_listed(demo: psycopg.Connection[Any]) -> None:
    add(demo, "Room 1", FIRST, 3, "confirmed", "AAA-1111")  # nights 3, 4, 5 March

    def listed(first: date, last: date | None) -> list[str]:
        return [line.reference for line in bookings_between(demo, "demo", first, last)[1]]

    assert listed(FIRST + timedelta(days=2), None) == ["AAA-1111"]  # its last night
    assert listed(FIRST + timedelta(days=3), None) == []  # its check-out day is not a night
    assert listed(FIRST - timedelta(days=5), FIRST) == ["AAA-1111"]  # its first night
    assert listed(FIRST - timedelta(days=5), FIRST - timedelta(days=1)) == []


def test_by_default_the_list_starts_at_the_propertys_today(demo: psycopg.Connection[Any]) -> None:
    today = date.today()
    add(demo, "Room 1", today - timedelta(days=10), 2, "confirmed", "PAST-0001")
    add(demo, "Room 2", today - timedelta(days=1), 3, "confirmed", "HERE-0001")  # staying now
    first, lines = bookings_between(demo, "demo")
    assert abs((first - today).days) <= 1  # the property's date (Europe/Rome), not ours
    assert [line.reference for line in lines] == ["HERE-0001"]


def test_an_unknown_property_is_named(demo: psycopg.Connection[Any]) -> None:
    with pytest.raises(UnknownProperty, match="no property is called 'nowhere'"):
        bookings_between(demo, "nowhere")
