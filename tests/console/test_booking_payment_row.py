"""The booking page's money after a change of dates: the payment row says what the payment
at booking took (less what the change gave back from it), and the page what is still to
be paid online and at the property; never what the new stay's quote would take now."""

from __future__ import annotations

import re
from typing import Any

import msgspec
import psycopg

from engine import Quote
from tests.console.conftest import OWNER, csrf_of, enter
from tests.console.test_booking_page import booked
from tests.console.test_date_changes import _form, _online
from tests.console.test_group_bookings import dates_preview, open_people  # noqa: F401
from tests.console.test_group_dates_money import euros
from tests.payments.test_group_readers import refunded
from tests.payments.test_manage_booking import manage_link
from tests.payments.test_room_groups import book_group, group_on
from widget.headers import BOOKING_SECRET


def figure(page: str, testid: str) -> str:
    """The amount in the cell ``testid`` of the booking page."""
    found = re.search(rf'data-testid="{testid}">(?:<strong>)?([^<]+)<', page)
    assert found is not None, testid
    return found[1]


async def changed(client: Any, reference: str, check_in: str, check_out: str) -> str:
    """The booking's page once the owner changed its dates to ``check_in``–``check_out``."""
    preview = await dates_preview(client, reference, check_in, check_out)
    done = await client.post(
        f"/admin/demo/bookings/{reference}/dates", data=_form(preview.text), follow_redirects=False
    )
    assert done.status_code == 303, done.text
    return str((await client.get(done.headers["location"])).text)


async def test_a_longer_stay_shows_what_was_taken_and_what_the_link_still_takes(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)  # 2027-06-01 to 06-04, €420.00 paid
    enter(app_client, people, OWNER)
    page = await changed(app_client, reference, "2027-06-01", "2027-06-08")
    online = _online(people, reference)  # what the new stay costs online
    assert online > 42000
    assert figure(page, "booking-payment") == euros(42000)  # not the new quote's due now
    assert figure(page, "paid-online") == euros(42000)
    assert figure(page, "owed-online") == euros(online - 42000)  # the guest's link
    row = people.execute("SELECT quote FROM reservation WHERE reference = %s", (reference,))
    quote = msgspec.convert(row.fetchone()[0], Quote)
    assert figure(page, "due-at-property") == euros(quote.total - online)  # the city tax


async def test_a_shorter_stay_shows_what_the_payment_took_and_the_refund_apart(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)
    enter(app_client, people, OWNER)
    page = await changed(app_client, reference, "2027-06-01", "2027-06-03")
    online = _online(people, reference)
    assert online < 42000  # the difference went back to the guest
    assert figure(page, "booking-payment") == euros(42000)  # what it took, not what is left
    assert "once a change of dates gave part of it back" not in page
    assert 'data-settlement="refund" data-status="done"' in page
    assert figure(page, "date-change-amount") == "−" + euros(42000 - online)  # counted once
    assert figure(page, "paid-online") == euros(online)
    assert figure(page, "owed-online") == euros(0)


async def test_a_refund_the_provider_refused_is_shown_and_still_counted_as_paid(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)
    # The demo provider refuses to refund a payment that is not (or no longer) succeeded.
    people.execute("UPDATE demo_payment SET status = 'requires_capture'")
    enter(app_client, people, OWNER)
    page = await changed(app_client, reference, "2027-06-01", "2027-06-03")
    online = _online(people, reference)
    assert 'data-settlement="refund" data-status="failed"' in page
    assert 'data-testid="refund-not-made"' in page
    assert figure(page, "booking-payment") == euros(42000)
    assert figure(page, "paid-online") == euros(42000)  # nothing came back to the guest
    path, secret = manage_link(people)
    read = await app_client.get(f"/api/v1/bookings/{reference}", headers={BOOKING_SECRET: secret})
    assert read.json()["paid"]["amount"] == 42000  # the guest's answer agrees
    assert online < 42000 and path
    # Cancelling later gives back what the policy says of all that is still held.
    people.execute("UPDATE demo_payment SET status = 'succeeded'")
    preview = (await app_client.get(f"/admin/demo/bookings/{reference}/cancel")).text
    assert f"gives back {euros(42000)} of the {euros(42000)} paid" in preview
    version = re.search(r'name="version" value="(\d+)"', preview)
    assert version is not None
    form = {"version": version[1], "_csrf_token": csrf_of(preview)}
    done = await app_client.post(
        f"/admin/demo/bookings/{reference}/cancel", data=form, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    assert refunded(people) == 42000


async def test_a_dropped_balance_shows_as_such_and_the_refund_as_what_came_back(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
) -> None:
    # Ten nights on the flexible plan: 30 % now, the balance 14 days before arrival.
    long_stay = {
        "check_in": "2027-03-15",
        "check_out": "2027-03-25",
        "rooms": [{"room_type": "double-sea-view", "adults": 2, "rate_plan": "flexible"}],
    }
    hold, done = await book_group(app_client, long_stay)
    reference = str(done["reference"])
    (quote,) = hold["quotes"]
    deposit = quote["due_now"]
    balance = quote["payment_schedule"][1]["amount"]
    enter(app_client, open_people, OWNER)
    page = await changed(app_client, reference, "2027-03-15", "2027-03-17")
    online = _online(open_people, reference)
    assert online < deposit  # two nights cost less than the deposit: the balance goes
    assert figure(page, "booking-payment") == euros(deposit)
    assert 'data-settlement="refund" data-status="done"' in page
    assert figure(page, "date-change-amount") == "−" + euros(deposit - online)  # not the
    assert figure(page, "balance-dropped").endswith(euros(balance) + " is no longer charged")
    assert figure(page, "paid-online") == euros(online)  # price difference
    assert figure(page, "owed-online") == euros(0)
    assert refunded(open_people) == deposit - online


async def test_a_groups_deposits_and_the_balance_that_took_the_change(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
) -> None:
    hold, done = await book_group(app_client, group_on("flexible", "flexible"))
    reference = str(done["reference"])
    enter(app_client, open_people, OWNER)
    page = await changed(app_client, reference, "2027-03-15", "2027-03-17")
    rows = open_people.execute("SELECT quote FROM reservation ORDER BY group_position")
    quotes = [msgspec.convert(row[0], Quote) for row in rows.fetchall()]
    taken = hold["due_now"]  # the rooms' deposits, taken at booking
    assert sum(q.due_now for q in quotes) != taken  # what the new quotes would say
    assert figure(page, "booking-payment") == euros(taken)
    assert figure(page, "paid-online") == euros(taken)
    # The scheduled balance took the change: deposits + balance = the new online price.
    online = sum(q.online_total for q in quotes)
    assert figure(page, "owed-online") == euros(online - taken)
    at_property = sum(q.total - q.online_total for q in quotes)
    assert figure(page, "due-at-property") == euros(at_property)
