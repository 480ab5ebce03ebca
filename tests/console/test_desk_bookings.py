"""New booking at the front desk, beyond "paid at the property": a payment link e-mailed
to the guest (the room held meanwhile for longer than a widget hold, a setting), and a stay
restriction overridden by staff with a recorded reason (the exclusion constraint never)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import psycopg

from tests.console.conftest import STAFF, add_booking, csrf_of, enter
from tests.console.test_new_booking import STAY, units_free
from tests.helpers import DEMO_TOML, advance_clock
from widget.properties.apply import apply_property
from widget.properties.file import parse_property

SUMMER = {**STAY, "check_in": "2027-07-13", "check_out": "2027-07-14"}  # 3 nights at least
GUEST = {"name": "Paolo Neri", "email": "paolo@example.com", "language": "it"}


async def _held(client: Any, stay: dict[str, str], **extra: str) -> Any:
    quoted = await client.get("/admin/demo/bookings/new", params=stay)
    token = csrf_of(quoted.text)
    held = await client.post(
        "/admin/demo/bookings/new",
        data={**stay, **extra, "_csrf_token": token},
        follow_redirects=False,
    )
    return held, token


async def test_a_payment_link_holds_the_room_for_the_phone_hold_and_emails_the_guest(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, STAFF)
    held, token = await _held(app_client, STAY)
    assert held.status_code == 303, held.text
    guest_page = held.headers["location"]
    hold_id = guest_page.rsplit("/", 1)[1]
    form = {**GUEST, "pay": "link", "_csrf_token": token}
    for _ in range(2):  # the same click again sends nothing more
        sent = await app_client.post(guest_page, data=form, follow_redirects=False)
        assert sent.status_code == 303, sent.text
    page = (await app_client.get(sent.headers["location"])).text
    assert 'data-testid="link-sent"' in page
    mails = people.execute(
        "SELECT recipient, body_text FROM outbox_message WHERE kind = 'guest_payment_link'"
    ).fetchall()
    assert len(mails) == 1 and mails[0][0] == "paolo@example.com"
    link = re.search(rf"/pay/{hold_id}\?key=([\w-]+)", mails[0][1])
    assert link is not None, mails[0][1]
    # Longer than a widget hold (10 minutes): still held, and still taken in the widget.
    advance_clock(people, timedelta(hours=2))
    assert await units_free(app_client) == 0
    # The e-mailed link opens the guest's payment page for that very hold, which books it.
    path, key = f"/pay/{hold_id}", link.group(1)
    shown = await app_client.get(path, params={"key": key})
    assert shown.status_code == 200 and "Paolo Neri" in shown.text, shown.text
    form = {"key": key, "_csrf_token": csrf_of(shown.text), "test_card": "success"}
    paid = await app_client.post(path, data=form)
    assert paid.status_code == 200 and 'data-testid="pay-done"' in paid.text, paid.text
    status = people.execute("SELECT status FROM reservation WHERE id = %s", (hold_id,)).fetchone()
    assert status is not None and status[0] == "confirmed"


async def test_staff_may_override_a_minimum_stay_with_a_recorded_reason(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, STAFF)
    refused = await app_client.get("/admin/demo/bookings/new", params=SUMMER)
    assert refused.status_code == 422 and "at least 3 nights" in refused.text
    assert 'data-testid="override-reason"' in refused.text
    unreasoned = await app_client.get(
        "/admin/demo/bookings/new", params={**SUMMER, "override": "1", "reason": " "}
    )
    assert unreasoned.status_code == 422 and 'data-field="reason"' in unreasoned.text
    waived = {"override": "1", "reason": "Regular guest, one night only"}
    quoted = await app_client.get("/admin/demo/bookings/new", params={**SUMMER, **waived})
    assert quoted.status_code == 200 and 'data-testid="new-booking-quote"' in quoted.text
    held, token = await _held(app_client, SUMMER, **waived)
    assert held.status_code == 303, held.text
    booked = await app_client.post(held.headers["location"], data={**GUEST, "_csrf_token": token})
    assert booked.status_code == 200 and 'data-status="confirmed"' in booked.text
    history = booked.text.split('data-testid="history"', 1)[1]
    assert 'data-action="restriction_overridden"' in history
    assert "Regular guest, one night only" in history and "at least 3 nights" in history


#: No arrivals on the day of STAY's check-in (a rule the demo does not have).
CLOSED_ON_ARRIVAL = """
[[rules]]
type = "closed_to_arrival"
name = "market-day"
dates = [{ first = 2027-03-10, last = 2027-03-10 }]
"""


async def test_staff_may_override_a_day_closed_to_arrival_with_a_recorded_reason(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    apply_property(people, parse_property(DEMO_TOML + CLOSED_ON_ARRIVAL))
    enter(app_client, people, STAFF)
    refused = await app_client.get("/admin/demo/bookings/new", params=STAY)
    assert refused.status_code == 422
    assert "arrivals are not possible on 2027-03-10" in refused.text
    assert 'data-testid="override-reason"' in refused.text
    unreasoned, _ = await _held(app_client, STAY, override="1", reason="")
    assert unreasoned.status_code == 422 and 'data-field="reason"' in unreasoned.text
    waived = {"override": "1", "reason": "Arrives with the market van, agreed by phone"}
    held, token = await _held(app_client, STAY, **waived)
    assert held.status_code == 303, held.text
    booked = await app_client.post(held.headers["location"], data={**GUEST, "_csrf_token": token})
    assert booked.status_code == 200 and 'data-status="confirmed"' in booked.text
    history = booked.text.split('data-testid="history"', 1)[1]
    assert 'data-action="restriction_overridden"' in history
    assert "Arrives with the market van, agreed by phone" in history
    assert "arrivals are not possible on 2027-03-10" in history
    row = people.execute(
        "SELECT count(*) FROM reservation WHERE status = 'confirmed' AND lower(stay) = '2027-03-10'"
    ).fetchone()
    assert row == (1,)


async def test_nothing_overrides_the_exclusion_constraint(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    add_booking(people, "FULL2", "2027-07-12", "2027-07-14", unit="Room 6")
    enter(app_client, people, STAFF)
    held, _ = await _held(app_client, SUMMER, override="1", reason="Regular guest")
    assert held.status_code == 409
    count = people.execute("SELECT count(*) FROM reservation WHERE status = 'held'").fetchone()
    assert count == (0,)
