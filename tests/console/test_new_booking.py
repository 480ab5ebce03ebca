"""New booking at the front desk: the quote, a hold through the widget's own holds, the
guest, and a booking paid at the property that the widget then sees as taken."""

from __future__ import annotations

import re
from typing import Any

import psycopg

from tests.console.conftest import STAFF, add_booking, csrf_of, enter
from widget.mail.compose import money
from widget.mail.phrases import phrases

STAY = {
    "room_type": "garden-single",
    "check_in": "2027-03-10",
    "check_out": "2027-03-12",
    "adults": "1",
    "children": "",
}


async def units_free(client: Any) -> int:
    answer = await client.get(
        "/api/v1/properties/demo/calendar",
        params={"start": "2027-03-10", "end": "2027-03-11", "adults": 1},
    )
    kinds = {rt["slug"]: rt for rt in answer.json()["room_types"]}
    return int(kinds["garden-single"]["nights"][0]["units_free"])


async def test_a_phone_booking_goes_through_the_holds_and_is_paid_at_the_property(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    assert await units_free(app_client) == 1
    enter(app_client, people, STAFF)
    quoted = await app_client.get("/admin/demo/bookings/new", params=STAY)
    assert 'data-testid="new-booking-quote"' in quoted.text
    token = csrf_of(quoted.text)
    held = await app_client.post(
        "/admin/demo/bookings/new", data={**STAY, "_csrf_token": token}, follow_redirects=False
    )
    assert held.status_code == 303, held.text
    assert await units_free(app_client) == 0  # the hold already takes it from the widget
    guest_page = held.headers["location"]
    bad = await app_client.post(
        guest_page, data={"name": "Paolo Neri", "email": "not-an-address", "_csrf_token": token}
    )
    assert bad.status_code == 422 and "guest.email" in bad.text
    form = {
        "name": "Paolo Neri",
        "email": "paolo@example.com",
        "phone": "+39 010 123",
        "language": "it",
        "note": "Walk-in",
        "_csrf_token": token,
    }
    first = await app_client.post(guest_page, data=form, follow_redirects=False)
    again = await app_client.post(guest_page, data=form, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]  # one booking
    reference = re.search(r"/bookings/([A-Z0-9-]+)\?done=booked", first.headers["location"])
    assert reference is not None
    row = people.execute(
        "SELECT status, payment_status, guest->>'name' FROM reservation WHERE reference = %s",
        (reference.group(1),),
    ).fetchone()
    assert row == ("confirmed", "at_property", "Paolo Neri")
    mails = people.execute("SELECT kind, body_text FROM outbox_message ORDER BY id").fetchall()
    assert [kind for kind, _ in mails] == ["guest_confirmation", "owner_notification"]
    # Nothing was paid: the guest is told so, and that all of it is due at the property.
    words, guest_mail = phrases("it"), mails[0][1].replace("\xa0", " ")
    stored = people.execute(
        "SELECT (quote->>'total')::int FROM reservation WHERE reference = %s", (reference.group(1),)
    ).fetchone()
    assert stored is not None
    total = money(stored[0], "EUR", "it").replace("\xa0", " ")
    assert f"{words['paid']}: {money(0, 'EUR', 'it')}".replace("\xa0", " ") in guest_mail
    assert f"{words['at_property']}: {total}" in guest_mail, guest_mail
    page = (await app_client.get(first.headers["location"])).text
    assert 'data-testid="action-done"' in page and 'data-action="booked_at_desk"' in page
    assert await units_free(app_client) == 0


async def test_a_room_that_is_not_free_is_refused_before_the_guest(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    add_booking(people, "FULL1", "2027-03-09", "2027-03-11", unit="Room 6")
    enter(app_client, people, STAFF)
    page = await app_client.get("/admin/demo/bookings/new")
    refused = await app_client.post(
        "/admin/demo/bookings/new", data={**STAY, "_csrf_token": csrf_of(page.text)}
    )
    assert refused.status_code == 409
    assert 'data-testid="new-booking-error"' in refused.text
    held = people.execute("SELECT count(*) FROM reservation WHERE status = 'held'").fetchone()
    assert held == (0,)
