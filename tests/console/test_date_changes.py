"""Changing a booking's dates: the new stay priced first, then changed through the
exclusion constraint (a refusal names what is in the way), the difference refunded through
the provider, charged to the saved card, or left due with a payment link; once per click."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import msgspec
import psycopg

from engine import Quote
from tests.console.conftest import OWNER, add_booking, csrf_of, enter, save_a_card
from tests.console.test_booking_page import booked, count
from tests.helpers import set_clock

MAILS = "SELECT count(*) FROM outbox_message WHERE kind = 'guest_dates_changed'"


def _form(page: str) -> dict[str, str]:
    post = page[page.index('<form method="post"', page.index('data-testid="dates-preview"')) :]
    post = post.split("</form>", 1)[0]
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', post))
    fields["_csrf_token"] = csrf_of(page)
    return fields


def _stay(conn: psycopg.Connection[Any], reference: str) -> tuple[str, str]:
    row = conn.execute(
        "SELECT lower(stay)::text, upper(stay)::text FROM reservation WHERE reference = %s",
        (reference,),
    ).fetchone()
    assert row is not None
    return row[0], row[1]


def _online(conn: psycopg.Connection[Any], reference: str) -> int:
    row = conn.execute("SELECT quote FROM reservation WHERE reference = %s", (reference,))
    stored = row.fetchone()
    assert stored is not None
    return msgspec.convert(stored[0], Quote).online_total


async def _change(client: Any, reference: str, check_in: str, check_out: str) -> Any:
    path = f"/admin/demo/bookings/{reference}/dates"
    preview = await client.get(path, params={"check_in": check_in, "check_out": check_out})
    assert preview.status_code == 200, preview.text
    assert 'data-testid="dates-quote"' in preview.text
    return preview


async def test_a_shorter_stay_is_priced_first_then_the_difference_refunded_once(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)  # 2027-06-01 to 06-04, €420.00 paid
    enter(app_client, people, OWNER)
    preview = await _change(app_client, reference, "2027-06-01", "2027-06-03")
    assert 'data-settlement="refund"' in preview.text
    assert _stay(people, reference) == ("2027-06-01", "2027-06-04")  # nothing changed yet
    form = _form(preview.text)
    for _ in range(2):  # the second is the same click again
        done = await app_client.post(
            f"/admin/demo/bookings/{reference}/dates", data=form, follow_redirects=False
        )
        assert done.status_code == 303, done.text
    assert _stay(people, reference) == ("2027-06-01", "2027-06-03")
    refunded = 42000 - _online(people, reference)
    assert refunded > 0
    assert count(people, "SELECT sum(amount_refunded) FROM demo_payment") == refunded
    page = (await app_client.get(done.headers["location"])).text
    assert 'data-action="dates_changed"' in page
    change = page.split('data-testid="date-change"', 1)[1].split("</tr>", 1)[0]
    assert 'data-status="done"' in change and f"−€{refunded / 100:,.2f}" in change
    assert count(people, "SELECT count(*) FROM console_event WHERE action = 'dates_changed'") == 1
    assert count(people, MAILS) == 1
    # What is left to give back on cancellation is what is still paid, not the old amount.
    cancel = (await app_client.get(f"/admin/demo/bookings/{reference}/cancel")).text
    paid = re.search(r"of the (€[\d,.]+) paid", cancel)
    assert paid is not None and paid.group(1) == f"€{(42000 - refunded) / 100:,.2f}"


async def test_a_longer_stay_without_a_saved_card_is_left_due_with_a_payment_link(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)
    enter(app_client, people, OWNER)
    preview = await _change(app_client, reference, "2027-06-01", "2027-06-08")
    assert 'data-settlement="link"' in preview.text
    done = await app_client.post(
        f"/admin/demo/bookings/{reference}/dates",
        data=_form(preview.text),
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    owed = _online(people, reference) - 42000
    charge = people.execute(
        "SELECT id, amount, status FROM booking_charge WHERE kind = 'change'"
    ).fetchone()
    assert charge is not None and charge[1:] == (owed, "balance_due")
    status = people.execute(
        "SELECT payment_status FROM reservation WHERE reference = %s", (reference,)
    ).fetchone()
    assert status == ("balance_due",)
    mail = people.execute(
        "SELECT body_text FROM outbox_message WHERE kind = 'guest_dates_changed'"
    ).fetchone()
    assert mail is not None and f"/pay/{charge[0]}?key=" in mail[0]
    assert count(people, "SELECT coalesce(sum(amount_refunded), 0) FROM demo_payment") == 0
    # Until the guest pays it, no other change (it would refund money never taken).
    again = await app_client.get(
        f"/admin/demo/bookings/{reference}/dates",
        params={"check_in": "2027-06-01", "check_out": "2027-06-03"},
    )
    assert again.status_code == 422 and "still due from the guest" in again.text


async def test_a_longer_stay_is_charged_to_the_saved_card(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)
    save_a_card(people, reference)
    enter(app_client, people, OWNER)
    preview = await _change(app_client, reference, "2027-06-01", "2027-06-08")
    assert 'data-settlement="saved_card"' in preview.text
    form = _form(preview.text)
    for _ in range(2):
        done = await app_client.post(
            f"/admin/demo/bookings/{reference}/dates", data=form, follow_redirects=False
        )
        assert done.status_code == 303, done.text
    owed = _online(people, reference) - 42000
    charges = people.execute(
        "SELECT amount, status FROM booking_charge WHERE kind = 'change'"
    ).fetchall()
    assert charges == [(owed, "succeeded")]
    taken = "SELECT count(*) FROM demo_payment WHERE customer = 'demo_cus_desk'"
    assert count(people, taken) == 1


async def test_new_dates_the_unit_does_not_have_are_refused_naming_the_clash(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)
    add_booking(people, "CLASH2", "2027-06-04", "2027-06-06", unit="Room 1")
    enter(app_client, people, OWNER)
    preview = await _change(app_client, reference, "2027-06-01", "2027-06-06")
    assert "booking CLASH2 (2027-06-04 to 2027-06-05)" in preview.text
    refused = await app_client.post(
        f"/admin/demo/bookings/{reference}/dates", data=_form(preview.text)
    )
    assert refused.status_code == 409
    assert "booking CLASH2 (2027-06-04 to 2027-06-05)" in refused.text
    assert _stay(people, reference) == ("2027-06-01", "2027-06-04")
    assert count(people, "SELECT count(*) FROM booking_change") == 0
    assert count(people, MAILS) == 0


async def test_today_shows_what_is_paid_after_the_dates_changed(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)
    set_clock(people, datetime(2027, 5, 31, 9, 0, tzinfo=UTC))  # it arrives tomorrow
    enter(app_client, people, OWNER)
    preview = await _change(app_client, reference, "2027-06-01", "2027-06-06")
    assert 'data-settlement="link"' in preview.text
    done = await app_client.post(
        f"/admin/demo/bookings/{reference}/dates",
        data=_form(preview.text),
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    today = (await app_client.get("/admin/demo/")).text
    row = today.split(f'data-reference="{reference}"', 1)[1].split("</tr>", 1)[0]
    # Paid: what was taken at booking; the difference waits for the guest's link.
    assert "€420.00" in row, row
