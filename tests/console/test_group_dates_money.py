"""A group whose dates the owner changed: each room keeps what was actually taken for it
(the console's Today page and the booking list show that, not its new quote's share), and
one room may still be cancelled alone, refunded from what was taken for it under its own
plan's policy, with the balance for the rooms that stay still adding up."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import msgspec
import psycopg

from engine import Quote
from tests.console.conftest import OWNER, enter
from tests.console.test_date_changes import _form
from tests.console.test_group_bookings import dates_preview, open_people  # noqa: F401
from tests.helpers import set_clock
from tests.payments.test_group_readers import cancel_room, refunded
from tests.payments.test_manage_booking import manage_link
from tests.payments.test_payment_terms import run_job
from tests.payments.test_room_groups import book_group, group_on
from widget.inventory.bookings import bookings_between
from widget.mail.compose import money

#: The day the new, shorter stay begins, in the morning: Today lists its rooms.
ARRIVAL_DAY = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)
#: 14 days before arrival: the flexible plan's balance falls due.
BALANCE_DAY = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


async def changed_group(client: Any, conn: psycopg.Connection[Any], *plans: str) -> tuple[Any, str]:
    """A group booked 15–18 March on ``plans``, its dates changed to 15–17 March by the
    owner; the hold as booked and the reference."""
    hold, done = await book_group(client, group_on(*plans))
    reference = str(done["reference"])
    enter(client, conn, OWNER)
    preview = await dates_preview(client, reference, "2027-03-15", "2027-03-17")
    changed = await client.post(
        f"/admin/demo/bookings/{reference}/dates",
        data=_form(preview.text),
        follow_redirects=False,
    )
    assert changed.status_code == 303, changed.text
    return hold, reference


def new_quotes(conn: psycopg.Connection[Any]) -> list[Quote]:
    rows = conn.execute("SELECT quote FROM reservation ORDER BY group_position").fetchall()
    return [msgspec.convert(row[0], Quote) for row in rows]


async def today_paid(client: Any, reference: str) -> list[str]:
    """What the Today page says each room of ``reference`` paid (a room listed today and
    tomorrow counted once), sorted."""
    page = (await client.get("/admin/demo/")).text
    rows = [row.split("</tr>", 1)[0] for row in page.split(f'data-reference="{reference}"')[1:]]
    return sorted({m for row in rows for m in re.findall(r'data-label="Paid">([^<]+)</td>', row)})


def listed_paid(conn: psycopg.Connection[Any]) -> dict[str, int]:
    """What the booking list says each unit's room paid."""
    _, lines = bookings_between(conn, "demo", ARRIVAL_DAY.date(), None)
    return {line.unit: line.paid for line in lines}


def units(conn: psycopg.Connection[Any]) -> list[str]:
    rows = conn.execute(
        "SELECT u.name FROM reservation r JOIN unit u ON u.id = r.unit_id ORDER BY r.group_position"
    ).fetchall()
    return [row[0] for row in rows]


def euros(amount: int) -> str:
    return money(amount, "EUR", "en")


async def test_today_and_the_list_show_what_each_room_paid_after_the_dates_changed(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
    quiet_settings: Any,
) -> None:
    hold, reference = await changed_group(app_client, open_people, "flexible", "flexible")
    deposits = [q["due_now"] for q in hold["quotes"]]  # what was taken at booking, per room
    quotes = new_quotes(open_people)
    assert [q.due_now for q in quotes] != deposits  # the new quotes would say otherwise
    set_clock(open_people, ARRIVAL_DAY)
    assert await today_paid(app_client, reference) == sorted(set(map(euros, deposits)))
    assert listed_paid(open_people) == dict(zip(units(open_people), deposits, strict=True))
    # The balance, which took the change, goes through: each room has paid its new price.
    set_clock(open_people, BALANCE_DAY)
    await run_job(open_people, quiet_settings)
    (charged,) = open_people.execute("SELECT amount FROM booking_charge").fetchone()
    online = [q.online_total for q in quotes]
    assert sum(deposits) + charged == sum(online)
    set_clock(open_people, ARRIVAL_DAY)
    assert await today_paid(app_client, reference) == sorted(set(map(euros, online)))
    assert listed_paid(open_people) == dict(zip(units(open_people), online, strict=True))


async def test_one_room_of_a_regrouped_booking_is_cancelled_from_what_it_paid(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
    quiet_settings: Any,
) -> None:
    hold, reference = await changed_group(app_client, open_people, "flexible", "flexible")
    double_deposit, suite_deposit = (q["due_now"] for q in hold["quotes"])
    double, _suite = (q.online_total for q in new_quotes(open_people))
    path, secret = manage_link(open_people)
    for _ in range(2):  # a second click changes nothing more
        answer = await cancel_room(app_client, path, secret, 1)
        assert answer.status_code == 200, answer.text
    # Free cancellation at the new dates: all that was taken for the suite comes back, once.
    assert refunded(open_people) == suite_deposit
    # What stays: the double's deposit and the balance add up to the double's new price.
    (balance,) = open_people.execute(
        "SELECT amount FROM booking_charge WHERE kind = 'balance' AND status = 'scheduled'"
    ).fetchone()
    assert double_deposit + balance == double
    # As for any room cancelled alone: the e-mails, the owners' event and the history.
    kinds = open_people.execute(
        "SELECT kind FROM outbox_message WHERE kind LIKE '%room_cancellation' ORDER BY kind"
    ).fetchall()
    assert kinds == [("guest_room_cancellation",), ("owner_room_cancellation",)]
    (detail,) = open_people.execute(
        "SELECT detail FROM console_event WHERE action = 'room_cancelled'"
    ).fetchone()
    assert euros(suite_deposit) in detail
    read = (
        await app_client.get(f"/api/v1/bookings/{reference}", headers={"X-Booking-Secret": secret})
    ).json()
    assert [r.get("refund") for r in read["rooms"]] == [
        None,
        {"amount": suite_deposit, "currency": "EUR"},
    ]
    # The balance job takes only what the double still owes.
    set_clock(open_people, BALANCE_DAY)
    await run_job(open_people, quiet_settings)
    assert open_people.execute("SELECT amount, status FROM booking_charge").fetchone() == (
        double - double_deposit,
        "succeeded",
    )
    (kept,) = open_people.execute(
        "SELECT sum(amount_received - amount_refunded) FROM demo_payment"
    ).fetchone()
    assert kept == double  # what was taken, less what came back: the double's new price
    set_clock(open_people, ARRIVAL_DAY)
    assert await today_paid(app_client, reference) == [euros(double)]


async def test_a_regrouped_non_refundable_room_gives_nothing_back_and_the_rest_adds_up(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
) -> None:
    await changed_group(app_client, open_people, "flexible", "non-refundable")
    double, _suite = (q.online_total for q in new_quotes(open_people))
    # The suite, paid in full for three nights, now costs less: the change gave the
    # difference back (from the payment or the double's balance) before anything else.
    by_the_change = refunded(open_people)
    path, secret = manage_link(open_people)
    answer = await cancel_room(app_client, path, secret, 1)
    assert answer.status_code == 200, answer.text
    assert refunded(open_people) == by_the_change  # non-refundable: nothing comes back
    assert open_people.execute(
        "SELECT status::text FROM reservation WHERE group_position = 1"
    ).fetchone() == ("cancelled",)
    # The double: what was taken for it and what its balance still takes make its price.
    (taken,) = open_people.execute(
        "SELECT room_paid(r) FROM reservation r WHERE group_position = 0"
    ).fetchone()
    (balance,) = open_people.execute(
        "SELECT coalesce(sum(amount), 0) FROM booking_charge WHERE status = 'scheduled'"
    ).fetchone()
    assert taken + balance == double
    # Cancelling the rest (free on the flexible plan) gives back what was taken for the
    # double: never the suite's money, never anything twice.
    from tests.payments.test_manage_booking import cancel

    assert (await cancel(app_client, path, secret)).status_code == 200
    assert refunded(open_people) == by_the_change + taken
