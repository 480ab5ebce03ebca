"""Cancelling a booking with a refund the owner or staff chose (besides the policy's): shown
first, never more than was paid, refunded through the provider, and only once."""

from __future__ import annotations

import re
from typing import Any

import psycopg

from tests.console.conftest import STAFF, csrf_of, enter
from tests.console.test_booking_page import booked, count
from tests.console.test_new_booking import STAY


def _version(page: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found is not None
    return found.group(1)


async def test_a_chosen_refund_is_shown_first_then_refunded_once(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)
    enter(app_client, people, STAFF)
    path = f"/admin/demo/bookings/{reference}/cancel"
    preview = await app_client.get(path, params={"refund": "150.00"})
    assert preview.status_code == 200
    assert 'data-testid="cancel-preview"' in preview.text
    assert "gives back €150.00 of the €420.00 paid" in preview.text
    assert count(people, "SELECT count(*) FROM reservation WHERE status = 'cancelled'") == 0
    form = {
        "version": _version(preview.text),
        "refund": "150.00",
        "_csrf_token": csrf_of(preview.text),
    }
    for _ in range(2):  # the second is the same click again
        done = await app_client.post(path, data=form, follow_redirects=False)
        assert done.status_code == 303, done.text
    page = (await app_client.get(done.headers["location"])).text
    assert 'data-status="cancelled"' in page
    refund_row = page.split('data-testid="refund"', 1)[1].split("</tr>", 1)[0]
    assert "€150.00" in refund_row
    assert count(people, "SELECT sum(amount_refunded) FROM demo_payment") == 15000
    assert 'data-action="cancelled"' in page and "chosen" in page


async def test_a_refund_above_what_was_paid_or_not_an_amount_is_refused_and_changes_nothing(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)
    enter(app_client, people, STAFF)
    path = f"/admin/demo/bookings/{reference}/cancel"
    preview = await app_client.get(path)
    form = {"version": _version(preview.text), "_csrf_token": csrf_of(preview.text)}
    for amount in ("420.01", "-1", "12.345", "lots"):
        shown = await app_client.get(path, params={"refund": amount})
        assert shown.status_code == 422, amount
        assert 'data-field="refund"' in shown.text
        refused = await app_client.post(path, data={**form, "refund": amount})
        assert refused.status_code == 422, amount
        assert 'data-field="refund"' in refused.text
    assert count(people, "SELECT count(*) FROM reservation WHERE status = 'cancelled'") == 0
    assert count(people, "SELECT coalesce(sum(amount_refunded), 0) FROM demo_payment") == 0


async def test_a_booking_paid_at_the_property_has_nothing_to_give_back(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, STAFF)
    quoted = await app_client.get("/admin/demo/bookings/new", params=STAY)
    token = csrf_of(quoted.text)
    held = await app_client.post(
        "/admin/demo/bookings/new", data={**STAY, "_csrf_token": token}, follow_redirects=False
    )
    guest = {"name": "Paolo Neri", "email": "paolo@example.com", "_csrf_token": token}
    booked_page = await app_client.post(held.headers["location"], data=guest)
    reference = booked_page.url.path.rsplit("/", 1)[1]
    preview = await app_client.get(f"/admin/demo/bookings/{reference}/cancel")
    assert "gives back €0.00 of the €0.00 paid" in preview.text
    too_much = await app_client.get(
        f"/admin/demo/bookings/{reference}/cancel", params={"refund": "1.00"}
    )
    assert too_much.status_code == 422
