"""A group's money once one of its rooms is cancelled alone: that room's guests are not
coming, so the group's total and what is due at the property (its city tax) are the rooms
still booked, and what its policy kept of what was paid for it is a figure of its own. The
console's booking page, Today, the guest's API and manage page, the e-mails and the owners'
webhook all say the same."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from typing import Any

import psycopg

from engine import to_major
from tests.console.conftest import OWNER, enter
from tests.console.test_booking_payment_row import figure
from tests.console.test_group_bookings import open_people  # noqa: F401
from tests.console.test_group_dates_money import BALANCE_DAY, euros, units
from tests.console.test_ledger_money import agrees, cents, ledger_lines
from tests.helpers import set_clock
from tests.payments.test_group_readers import cancel_room, refunded
from tests.payments.test_manage_booking import manage_link
from tests.payments.test_payment_terms import run_job
from tests.payments.test_room_groups import book_group, group_on
from tests.payments.test_stripe_checkout import worker_connection
from widget.deliveries.bookings import booking_data
from widget.mail.compose import booking_confirmed, money
from widget.mail.outbox import booking_for_mail
from widget.mail.phrases import phrases
from widget.reports.ledger import bookings_csv
from widget.rows import BookingEvent, decoded
from widget.sql import queries

#: The group's arrival day, in the morning: Today lists its rooms.
ARRIVAL_DAY = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)


def online(quote: dict[str, Any]) -> int:
    """What a room of the hold's answer costs online (deposit and balance)."""
    return sum(p["amount"] for p in quote.get("payment_schedule") or []) or quote["due_now"]


def at_property(quote: dict[str, Any]) -> int:
    return int(quote["total"]) - online(quote)


async def today_due(client: Any, reference: str) -> tuple[list[str], list[str]]:
    """The units and the amounts due at the property that Today lists for ``reference``."""
    page = (await client.get("/admin/demo/")).text
    rows = [row.split("</tr>", 1)[0] for row in page.split(f'data-reference="{reference}"')[1:]]
    shown = [re.search(r'data-label="Unit">([^<]+)</td>', row) for row in rows]
    dues = [
        re.search(r'data-label="Due at the property">(?:<strong>)?([^<]+)<', row) for row in rows
    ]
    return [m[1] for m in shown if m], [m[1] for m in dues if m]


async def test_a_room_cancelled_alone_leaves_the_total_and_the_city_tax_of_the_others(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
    quiet_settings: Any,
) -> None:
    # Two months ahead: the flexible suite cancels free, the non-refundable single keeps all.
    hold, done = await book_group(app_client, group_on("flexible", "flexible", "non-refundable"))
    reference = str(done["reference"])
    double, suite, single = hold["quotes"]
    double_unit = units(open_people)[0]
    assert all(at_property(q) > 0 for q in (double, suite, single))  # each has its city tax
    path, secret = manage_link(open_people)
    for room in (1, 2):
        assert (await cancel_room(app_client, path, secret, room)).status_code == 200
    assert refunded(open_people) == suite["due_now"]
    staying = double["total"]
    kept = single["due_now"]  # the non-refundable single gave nothing back

    enter(app_client, open_people, OWNER)
    page = (await app_client.get(f"/admin/demo/bookings/{reference}")).text
    assert figure(page, "booking-total") == euros(staying)
    assert figure(page, "kept-cancelled-rooms") == euros(kept)
    assert figure(page, "due-at-property") == euros(at_property(double))
    assert figure(page, "paid-online") == euros(hold["due_now"] - suite["due_now"])
    balance = online(double) - double["due_now"]  # the double's own, still to be charged
    assert figure(page, "owed-online") == euros(balance)
    # What the guest pays in all, whichever way it is counted.
    assert (hold["due_now"] - suite["due_now"]) + balance + at_property(double) == staying + kept
    assert f"kept {euros(kept)}" in page and f"kept {euros(0)}" in page  # by each room

    # The balance day: the double's balance alone is charged (the suite's came off it).
    set_clock(open_people, BALANCE_DAY)
    await run_job(open_people, quiet_settings)
    assert open_people.execute("SELECT amount, status FROM booking_charge").fetchall() == [
        (balance, "succeeded")
    ]
    set_clock(open_people, ARRIVAL_DAY)
    shown, dues = await today_due(app_client, reference)  # arriving today, staying tomorrow
    assert set(shown) == {double_unit}  # the cancelled rooms' guests are not coming
    assert set(dues) == {euros(at_property(double))}
    page = (await app_client.get(f"/admin/demo/bookings/{reference}")).text
    assert figure(page, "due-at-property") == euros(at_property(double))
    assert figure(page, "kept-cancelled-rooms") == euros(kept)  # the suite's balance was not
    assert figure(page, "paid-online") == euros(hold["due_now"] - suite["due_now"] + balance)

    pid = open_people.execute("SELECT id FROM property WHERE slug = 'demo'").fetchone()[0]
    async with worker_connection(open_people) as conn:
        ledger = await bookings_csv(conn, pid, ARRIVAL_DAY.date(), date(2027, 4, 1))
    lines = [
        (line["status"], line["due_at_property"]) for line in csv.DictReader(io.StringIO(ledger))
    ]
    # The accountant's file: nothing is due at the property for the cancelled rooms.
    double_due = str(to_major(at_property(double), "EUR"))
    assert sorted(lines) == [("cancelled", "0.00")] * 2 + [("confirmed", double_due)]
    # Each room's line: what was taken for it, and what was kept of the rooms cancelled
    # alone; the movements (the payment, the suite's refund, the balance) add up.
    rooms, moves = await ledger_lines(open_people, reference)
    assert [cents(room["kept"]) if room["kept"] else None for room in rooms] == [None, 0, kept]
    assert sorted((m["kind"], cents(m["amount"])) for m in moves) == [
        ("balance", balance),
        ("payment", hold["due_now"]),
        ("refund", -suite["due_now"]),  # the single's refund of nothing is no movement
    ]
    agrees(page, rooms, moves)

    read = await app_client.get(
        f"/api/v1/bookings/{reference}", headers={"X-Booking-Secret": secret}
    )
    answer = read.json()
    assert answer["total"] == {"amount": staying, "currency": "EUR"}
    assert answer["kept"] == {"amount": kept, "currency": "EUR"}
    assert [r.get("kept") for r in answer["rooms"]] == [
        None,
        {"amount": 0, "currency": "EUR"},
        {"amount": kept, "currency": "EUR"},
    ]
    manage = (await app_client.get(path, params={"key": secret})).text
    assert 'data-testid="kept"' in manage

    async with worker_connection(open_people) as conn:
        mail = await booking_for_mail(conn, hold["id"])
    guest, owner = booking_confirmed(mail, "https://example.test/manage", False)
    assert f"To pay at the property: {euros(at_property(double))}" in owner.text
    assert f"Kept for rooms cancelled alone: {euros(kept)}" in owner.text
    assert "Family suite" not in owner.text  # only the rooms still booked are named
    de = phrases("de")  # the guest books in German
    assert f"{de['total']}: {money(staying, 'EUR', 'de')}" in guest.text
    assert f"{de['at_property']}: {money(at_property(double), 'EUR', 'de')}" in guest.text
    assert f"{de['kept_cancelled_rooms']}: {money(kept, 'EUR', 'de')}" in guest.text

    async with worker_connection(open_people) as conn:
        cur = await conn.execute(queries("webhooks")["booking_for_webhook"], {"id": hold["id"]})
        event = booking_data(decoded(await cur.fetchone(), BookingEvent))
    assert event["total"]["amount"] == staying and event["kept"]["amount"] == kept
