"""A booked group read back everywhere: its rooms other than the first carry no reference,
payment or guest of their own (the first room carries them for the group), so every reader
must find them through the group. Each room shows with the booking's reference and guest;
what the guest sees lists every room and what the rooms cost together."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import psycopg

from tests.helpers import OPEN_DEMO_TOML, set_clock
from tests.payments.test_manage_booking import manage_link
from tests.payments.test_payment_terms import NOW
from tests.payments.test_room_groups import book_group, group_on, open_demo  # noqa: F401
from tests.payments.test_stripe_checkout import worker_connection
from widget.deliveries.bookings import booking_data
from widget.guests.privacy import erase_guest, guest_property
from widget.inventory.bookings import bookings_between
from widget.inventory.front_desk import front_desk
from widget.inventory.tape import tape
from widget.mail.compose import money
from widget.mail.phrases import phrases
from widget.payments.booking_file import booking_file
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.reports.ledger import bookings_csv
from widget.rows import BookingEvent, decoded
from widget.sql import queries

DOUBLE, SUITE = "Double room with sea view", "Family suite"
ARRIVAL = date(2027, 3, 15)


async def booked(api: Any, conn: psycopg.Connection[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    set_clock(conn, NOW)
    return await book_group(api, group_on("flexible", "non-refundable"))


async def test_the_guest_sees_every_room_in_the_mail_the_page_and_the_api(
    demo_api: Any,
    open_demo: psycopg.Connection[Any],  # noqa: F811
) -> None:
    hold, done = await booked(demo_api, open_demo)
    assert [room["room_type"] for room in done["rooms"]] == ["double-sea-view", "family-suite"]
    mail = open_demo.execute(
        "SELECT body_text FROM outbox_message WHERE kind = 'guest_confirmation'"
    ).fetchone()
    assert mail is not None and DOUBLE in mail[0] and SUITE in mail[0]
    words = phrases("de")  # the guest books in German
    assert f"{words['guests']}: 5" in mail[0]  # two in the double, three in the suite
    total = sum(q["total"] for q in hold["quotes"])
    assert f"{words['total']}: {money(total, 'EUR', 'de')}" in mail[0]  # not one room's
    assert f"{words['paid']}: {money(hold['due_now'], 'EUR', 'de')}" in mail[0]
    path, secret = manage_link(open_demo)
    page = await demo_api.get(path, params={"key": secret})
    assert DOUBLE in page.text and SUITE in page.text


async def test_the_owner_sees_every_room_under_the_bookings_reference(
    demo_api: Any,
    open_demo: psycopg.Connection[Any],  # noqa: F811
) -> None:
    hold, done = await booked(demo_api, open_demo)
    reference = done["reference"]
    property_id = open_demo.execute("SELECT id FROM property WHERE slug = 'demo'").fetchone()[0]
    _, lines = bookings_between(open_demo, "demo", ARRIVAL, None)
    assert sorted((line.reference, line.room_type, line.guest_name) for line in lines) == [
        (reference, DOUBLE, "Anna Schmidt"),
        (reference, SUITE, "Anna Schmidt"),
    ]
    # Each room shows what was paid for it; together, the one payment.
    assert sum(line.paid for line in lines) == hold["due_now"]
    assert sum(line.total for line in lines) == sum(q["total"] for q in hold["quotes"])
    set_clock(open_demo, NOW.replace(month=3, day=15, hour=12))
    async with worker_connection(open_demo) as conn:
        desk = await front_desk(conn, property_id, "EUR")
        chart = await tape(conn, property_id, ARRIVAL.replace(day=1))
        file = await booking_file(conn, property_id, reference)
        ledger = await bookings_csv(conn, property_id, ARRIVAL, date(2027, 4, 1))
    assert sorted(s.room_type for s in desk.today.arrivals) == [DOUBLE, SUITE]
    assert {s.reference for s in desk.today.arrivals} == {reference}
    taken = [c.taken for row in chart.rows for c in row.cells if c.taken is not None]
    assert [(t.reference, t.guest_name) for t in taken] == [(reference, "Anna Schmidt")] * 2
    assert [room.room_type_name for room in file.booking.group_rooms or []] == [DOUBLE, SUITE]
    assert ledger.count(reference) == 2
    async with worker_connection(open_demo) as conn:
        cur = await conn.execute(queries("webhooks")["booking_for_webhook"], {"id": hold["id"]})
        event = booking_data(decoded(await cur.fetchone(), BookingEvent))
    assert [room["room_type"]["slug"] for room in event["rooms"]] == [
        "double-sea-view",
        "family-suite",
    ]
    assert event["total"]["amount"] == sum(q["total"] for q in hold["quotes"])
    assert event["paid"]["amount"] == hold["due_now"]


async def test_erasing_the_guest_erases_every_room_of_the_group(
    demo_api: Any,
    open_demo: psycopg.Connection[Any],  # noqa: F811
) -> None:
    await booked(demo_api, open_demo)
    set_clock(open_demo, NOW.replace(month=4, day=1))  # they have left
    async with worker_connection(open_demo) as conn:
        place = await guest_property(conn, "demo")
        assert await erase_guest(conn, place, "anna@example.com") == 2
    kept = open_demo.execute(
        "SELECT count(*) FROM reservation WHERE client_address IS NOT NULL "
        "OR client_key IS NOT NULL OR guest_erased_at IS NULL"
    ).fetchone()
    assert kept == (0,)


async def cancel_room(api: Any, path: str, secret: str, room: int) -> Any:
    page = await api.get(path, params={"key": secret})
    assert page.status_code == 200
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    return await api.post(
        f"{path}/cancel-room",
        data={"key": secret, "_csrf_token": token.group(1), "room": str(room)},
    )


def refunded(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT coalesce(sum(amount_refunded), 0) FROM demo_payment").fetchone()
    return int(row[0]) if row else 0


async def test_cancelling_one_room_refunds_its_share_and_keeps_the_others(
    demo_api: Any,
    open_demo: psycopg.Connection[Any],  # noqa: F811
) -> None:
    set_clock(open_demo, NOW)  # two months ahead: free cancellation on the flexible plan
    hold, done = await book_group(demo_api, group_on("flexible", "flexible", "non-refundable"))
    double, suite, _single = hold["quotes"]
    path, secret = manage_link(open_demo)
    # The first room carries the booking: it goes only with the whole booking.
    first = await cancel_room(demo_api, path, secret, 0)
    assert first.status_code == 409, first.text
    answer = await cancel_room(demo_api, path, secret, 1)
    assert answer.status_code == 200, answer.text
    assert refunded(open_demo) == suite["due_now"]  # the suite's deposit, all of it
    again = await cancel_room(demo_api, path, secret, 1)  # a second click changes nothing
    assert again.status_code == 200 and refunded(open_demo) == suite["due_now"]
    # The balance charged later is the rooms' that stay: the suite's is no longer due.
    left = open_demo.execute("SELECT amount, status FROM booking_charge").fetchone()
    assert left == (double["payment_schedule"][1]["amount"], "scheduled")
    read = (
        await demo_api.get(
            f"/api/v1/bookings/{done['reference']}", headers={"X-Booking-Secret": secret}
        )
    ).json()
    assert [r.get("status") for r in read["rooms"]] == ["confirmed", "cancelled", "confirmed"]
    assert read["status"] == "confirmed"
    # The non-refundable room may go too, giving nothing back.
    assert (await cancel_room(demo_api, path, secret, 2)).status_code == 200
    assert refunded(open_demo) == suite["due_now"]
    # Cancelling the booking now refunds the double's share only: nothing twice.
    from tests.payments.test_manage_booking import cancel

    assert (await cancel(demo_api, path, secret)).status_code == 200
    assert refunded(open_demo) == suite["due_now"] + double["due_now"]
    assert open_demo.execute(
        "SELECT count(*) FROM reservation WHERE status = 'confirmed'"
    ).fetchone() == (0,)


HOOKED_DEMO = (
    OPEN_DEMO_TOML
    + """
[[webhooks]]
url = "http://127.0.0.1:9/hooks/door-lock"
events = ["booking.cancelled", "booking.room_cancelled"]
secret = "whsec_Y2FzYS1sYW50ZXJuYS13ZWJob29rLWtleS0zMmJ5dGU="
"""
)


async def test_cancelling_one_room_tells_the_guest_the_owner_their_tools_and_the_history(
    demo_api: Any,
    open_demo: psycopg.Connection[Any],  # noqa: F811
) -> None:
    apply_property(open_demo, parse_property(HOOKED_DEMO))
    set_clock(open_demo, NOW)  # free cancellation on the flexible plan
    hold, done = await book_group(demo_api, group_on("flexible", "flexible"))
    suite = hold["quotes"][1]
    path, secret = manage_link(open_demo)
    assert (await cancel_room(demo_api, path, secret, 1)).status_code == 200
    assert (await cancel_room(demo_api, path, secret, 1)).status_code == 200  # told once
    refund_de = money(suite["due_now"], "EUR", "de")
    mails = open_demo.execute(
        "SELECT kind, subject, body_text FROM outbox_message "
        "WHERE kind LIKE '%room_cancellation' ORDER BY kind"
    ).fetchall()
    assert [kind for kind, _, _ in mails] == ["guest_room_cancellation", "owner_room_cancellation"]
    words = phrases("de")  # the guest books in German: their e-mail is in German
    _, subject, body = mails[0]
    assert subject == words["room_cancelled_subject"].format(
        property="Casa Lanterna", reference=done["reference"]
    )
    assert SUITE in body and DOUBLE not in body
    assert f"{words['refund']}: {refund_de}" in body
    assert money(suite["due_now"], "EUR", "en") in mails[1][1]  # the owner's subject
    (event,) = open_demo.execute(
        "SELECT event_type, data FROM webhook_delivery WHERE event_type = 'booking.room_cancelled'"
    ).fetchall()
    data = event[1]
    assert data["reference"] == done["reference"] and data["status"] == "confirmed"
    assert data["room"]["position"] == 1 and data["room"]["status"] == "cancelled"
    assert data["room"]["room_type"]["slug"] == "family-suite"
    assert data["room"]["refund"] == {"amount": suite["due_now"], "currency": "EUR"}
    assert [r["status"] for r in data["rooms"]] == ["confirmed", "cancelled"]
    history = open_demo.execute(
        "SELECT actor, action, detail FROM console_event WHERE action = 'room_cancelled'"
    ).fetchall()
    assert len(history) == 1 and history[0][0] == "guest" and SUITE in history[0][2]
    read = (
        await demo_api.get(
            f"/api/v1/bookings/{done['reference']}", headers={"X-Booking-Secret": secret}
        )
    ).json()
    assert [r.get("refund") for r in read["rooms"]] == [
        None,
        {"amount": suite["due_now"], "currency": "EUR"},
    ]
