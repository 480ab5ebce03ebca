"""A booking's page: everything about it, and its actions, each shown before it is done and
safe to repeat: cancel under the policy, move to another unit, resend the confirmation."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import psycopg

from tests.console.conftest import OWNER, STAFF, add_booking, csrf_of, enter
from tests.helpers import set_clock
from tests.payments.conftest import GUEST, hold_room


async def booked(client: Any, conn: psycopg.Connection[Any], unit: str = "Room 1") -> str:
    """A booking made the guest's way (hold, checkout, confirm with the demo provider)."""
    held = hold_room(conn, unit=unit)
    await client.post(f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=held.headers)
    answer = await client.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["reference"])


def count(conn: psycopg.Connection[Any], sql: str, *params: Any) -> Any:
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return row[0]


async def test_the_page_tells_everything_about_the_booking(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)
    enter(app_client, people, STAFF)
    page = (await app_client.get(f"/admin/demo/bookings/{reference}")).text
    assert f'data-reference="{reference}" data-status="confirmed"' in page
    assert "Anna Schmidt" in page and "Wir kommen mit der späten Fähre." in page
    assert 'data-testid="booking-unit">Room 1' in page
    quote = page.split('data-testid="quote"', 1)[1].split("</table>", 1)[0]
    assert "City tax" in quote and "€432.00" in quote and "€420.00" in quote
    payments = page.split('data-testid="payments"', 1)[1].split("</table>", 1)[0]
    assert "captured" in payments
    emails = page.split('data-testid="emails"', 1)[1].split("</table>", 1)[0]
    assert 'data-kind="guest_confirmation"' in emails
    assert 'data-kind="owner_notification"' in emails


async def test_cancel_shows_the_refund_first_and_cancels_once(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)
    enter(app_client, people, STAFF)
    preview = await app_client.get(f"/admin/demo/bookings/{reference}/cancel")
    assert 'data-testid="cancel-preview"' in preview.text
    assert "gives back €420.00 of the €420.00 paid" in preview.text
    assert count(people, "SELECT count(*) FROM reservation WHERE status = 'cancelled'") == 0
    version = re.search(r'name="version" value="(\d+)"', preview.text)
    assert version is not None
    form = {"version": version.group(1), "_csrf_token": csrf_of(preview.text)}
    for _ in range(2):  # the second is the same click again
        done = await app_client.post(
            f"/admin/demo/bookings/{reference}/cancel", data=form, follow_redirects=False
        )
        assert done.status_code == 303
    page = (await app_client.get(done.headers["location"])).text
    assert 'data-status="cancelled"' in page and 'data-testid="refund"' in page
    assert count(people, "SELECT sum(amount_refunded) FROM demo_payment") == 42000
    assert (
        count(people, "SELECT count(*) FROM outbox_message WHERE kind = 'guest_cancellation'") == 1
    )
    assert 'data-action="cancelled"' in page and STAFF in page


async def test_a_move_the_constraint_refuses_names_the_clash(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)
    add_booking(people, "CLASH1", "2027-06-03", "2027-06-05", unit="Room 2")
    enter(app_client, people, OWNER)
    choose = await app_client.get(f"/admin/demo/bookings/{reference}/move")
    units = dict(
        re.findall(
            r'value="(\d+)"\s+(?:disabled\s+)?data-testid="move-unit" data-unit="([^"]+)"',
            choose.text,
        )
    )
    by_name = {name: unit_id for unit_id, name in units.items()}
    preview = await app_client.get(
        f"/admin/demo/bookings/{reference}/move", params={"unit": by_name["Room 2"]}
    )
    assert "moves from Room 1 to Room 2" in preview.text
    token = csrf_of(preview.text)
    version = re.search(r'name="version" value="(\d+)"', preview.text)
    assert version is not None
    refused = await app_client.post(
        f"/admin/demo/bookings/{reference}/move",
        data={"unit": by_name["Room 2"], "version": version.group(1), "_csrf_token": token},
    )
    assert refused.status_code == 409
    assert "booking CLASH1 (2027-06-03 to 2027-06-04)" in refused.text
    for _ in range(2):  # repeated: already there, nothing more happens
        moved = await app_client.post(
            f"/admin/demo/bookings/{reference}/move",
            data={"unit": by_name["Room 3"], "version": version.group(1), "_csrf_token": token},
            follow_redirects=False,
        )
        assert moved.status_code == 303
    page = (await app_client.get(moved.headers["location"])).text
    assert 'data-testid="booking-unit">Room 3' in page
    assert count(people, "SELECT count(*) FROM console_event WHERE action = 'moved'") == 1


async def test_the_confirmation_is_sent_again_once(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)
    enter(app_client, people, STAFF)
    preview = await app_client.get(f"/admin/demo/bookings/{reference}/resend")
    assert "anna@example.com gets the confirmation again" in preview.text
    seen = re.search(r'name="seen" value="(\d+)"', preview.text)
    assert seen is not None and seen.group(1) == "1"
    for _ in range(2):  # the second is the same click again
        sent = await app_client.post(
            f"/admin/demo/bookings/{reference}/resend",
            data={"seen": seen.group(1), "_csrf_token": csrf_of(preview.text)},
            follow_redirects=False,
        )
        assert sent.status_code == 303
    kinds = people.execute("SELECT kind FROM outbox_message ORDER BY id").fetchall()
    assert [k for (k,) in kinds].count("guest_confirmation") == 2  # the booking's, and one more


async def test_another_propertys_booking_is_not_found_under_ones_own(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    add_booking(people, "THEIRS1", "2027-06-03", "2027-06-05", property_slug="other")
    enter(app_client, people, OWNER)
    answer = await app_client.get("/admin/demo/bookings/THEIRS1")
    assert answer.status_code == 404
    assert "THEIRS1" not in answer.text


async def test_the_stay_lines_read_in_the_users_language(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    """A rule's words per language (the pets rule's, the base rate's on each night) on the
    booking page of an Italian user."""
    set_clock(people, datetime(2027, 1, 15, 9, 30, tzinfo=UTC))
    stay = {
        "room_type": "double-sea-view",
        "check_in": "2027-03-15",
        "check_out": "2027-03-18",
        "adults": 2,
        "inputs": {"pets": 1},
    }
    held = await app_client.post("/api/v1/properties/demo/holds", json=stay)
    assert held.status_code == 201, held.text
    hold, headers = held.json(), {"X-Hold-Token": held.json()["token"]}
    await app_client.post(f"/api/v1/holds/{hold['id']}/checkout", json=GUEST, headers=headers)
    done = await app_client.post(f"/api/v1/holds/{hold['id']}/confirm", headers=headers)
    assert done.status_code == 200, done.text
    people.execute("UPDATE console_user SET language = 'it' WHERE email = %s", (STAFF,))
    enter(app_client, people, STAFF)
    page = (await app_client.get(f"/admin/demo/bookings/{done.json()['reference']}")).text
    quote = page.split('data-testid="quote"', 1)[1].split("</table>", 1)[0]
    assert "1 animale × 10,00\xa0€ a notte" in quote and "1 pet ×" not in quote
    # each night's lines too: the base rate's words, not its English note
    assert "prezzo base: 140,00\xa0€" in quote and "base price of" not in quote
