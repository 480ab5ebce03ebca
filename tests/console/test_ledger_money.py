"""The accountant's CSV files say what the console's booking page says of a booking's money,
never the quote's ``due_now``: after a change of dates (a refund made, a refund the provider
refused, a difference the guest still owes), for a desk booking paid at the property or by a
link, for a balance charged later, a no-show fee, and a refund at cancellation. And the
payments file lists every movement: those that went through add up, for each booking, to its
lines' ``paid_online`` less their ``refunded``."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import psycopg

from tests.console.conftest import OWNER, STAFF, csrf_of, enter, save_a_card
from tests.console.test_booking_page import booked
from tests.console.test_booking_payment_row import changed, figure
from tests.console.test_date_changes import _online
from tests.console.test_desk_bookings import GUEST as DESK_GUEST
from tests.console.test_desk_bookings import _held
from tests.console.test_group_bookings import open_people  # noqa: F401
from tests.console.test_group_dates_money import BALANCE_DAY, changed_group, euros
from tests.console.test_new_booking import STAY
from tests.helpers import OPEN_DEMO_TOML, set_clock
from tests.payments.test_group_readers import cancel_room
from tests.payments.test_manage_booking import cancel, manage_link
from tests.payments.test_payment_terms import SITE, run_job
from tests.payments.test_room_groups import book_group
from tests.payments.test_stripe_checkout import worker_connection
from widget.headers import BOOKING_SECRET
from widget.payments.balance import charge_no_show
from widget.payments.demo_provider import DemoProvider
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.reports.ledger import bookings_csv, payments_csv

#: The columns an accountant's import already maps by name: never renamed nor moved.
FIRST_BOOKING_COLUMNS = [
    "reference",
    "status",
    "booked_at",
    "check_in",
    "check_out",
    "nights",
    "room_type",
    "unit",
    "guest_name",
    "guest_email",
    "adults",
    "children",
    "total",
    "paid_online",
    "due_at_property",
    "refunded",
    "currency",
]
PAYMENT_COLUMNS = [
    "reference",
    "kind",
    "at",
    "amount",
    "currency",
    "provider",
    "provider_ref",
    "status",
]
FLEXIBLE_ONE_ROOM = {
    "check_in": "2027-03-15",
    "check_out": "2027-03-25",
    "rooms": [{"room_type": "double-sea-view", "adults": 2, "rate_plan": "flexible"}],
}


def cents(cell: str) -> int:
    return int(Decimal(cell or "0") * 100)


async def ledger_lines(
    conn: psycopg.Connection[Any], reference: str
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The booking's lines of the bookings file and of the payments file for 2027, as the
    accountant downloads them from the Reports page."""
    pid = conn.execute("SELECT id FROM property WHERE slug = 'demo'").fetchone()
    assert pid is not None
    async with worker_connection(conn) as db:
        both = [
            list(csv.DictReader(io.StringIO(await made(db, pid[0], *YEAR))))
            for made in (bookings_csv, payments_csv)
        ]
    headers = [list(rows[0]) if rows else [] for rows in both]
    assert headers[0][: len(FIRST_BOOKING_COLUMNS)] == FIRST_BOOKING_COLUMNS
    assert not both[1] or headers[1] == PAYMENT_COLUMNS
    lines, moves = ([row for row in rows if row["reference"] == reference] for rows in both)
    assert lines, reference
    return lines, moves


YEAR = (date(2027, 1, 1), date(2028, 1, 1))


def agrees(page: str, lines: list[dict[str, str]], moves: list[dict[str, str]]) -> None:
    """The booking's lines say what its console page says; the movements that went through
    (a refund the provider refused did not) add up to what was paid online, less refunds."""
    # The page's "paid online" is what the guesthouse holds: less the refunds of rooms
    # cancelled alone (a line with ``kept``), not less the booking's cancellation refund.
    given_back = sum(cents(line["refunded"]) for line in lines if line["kept"])
    paid = sum(cents(line["paid_online"]) for line in lines)
    assert figure(page, "paid-online") == euros(paid - given_back)
    if 'data-testid="owed-online"' in page:
        assert figure(page, "owed-online") == euros(cents(lines[0]["owed_online"]))
    # Nothing for a cancelled line (its guests are not coming), on the page as in the file.
    due = sum(cents(line["due_at_property"]) for line in lines)
    assert figure(page, "due-at-property") == euros(due)
    went = sum(cents(m["amount"]) for m in moves if m["status"] != "refused")
    held = sum(cents(line["paid_online"]) - cents(line["refunded"]) for line in lines)
    assert went == held, (lines, moves)


async def page_of(client: Any, reference: str) -> str:
    return str((await client.get(f"/admin/demo/bookings/{reference}")).text)


async def test_a_longer_stay_is_what_was_taken_and_what_the_link_still_owes(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)  # €420.00 paid
    enter(app_client, people, OWNER)
    page = await changed(app_client, reference, "2027-06-01", "2027-06-08")
    online = _online(people, reference)
    (line,), moves = await ledger_lines(people, reference)
    assert cents(line["paid_online"]) == 42000  # not the new quote's due now
    assert cents(line["owed_online"]) == online - 42000
    assert [(m["kind"], cents(m["amount"])) for m in moves] == [("payment", 42000)]
    agrees(page, [line], moves)


async def test_a_shorter_stay_lists_the_payment_and_the_refund_of_the_change(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)
    enter(app_client, people, OWNER)
    page = await changed(app_client, reference, "2027-06-01", "2027-06-03")
    online = _online(people, reference)
    (line,), moves = await ledger_lines(people, reference)
    assert cents(line["paid_online"]) == online
    assert [(m["kind"], cents(m["amount"]), m["status"]) for m in moves] == [
        ("payment", 42000, "succeeded"),
        ("change_refund", online - 42000, "refunded"),
    ]
    agrees(page, [line], moves)
    _, secret = manage_link(people)  # the guest's API says the same
    read = await app_client.get(f"/api/v1/bookings/{reference}", headers={BOOKING_SECRET: secret})
    assert read.json()["paid"]["amount"] == online


async def test_a_refund_the_provider_refused_is_listed_as_such_and_still_paid(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)
    people.execute("UPDATE demo_payment SET status = 'requires_capture'")  # refunds refused
    enter(app_client, people, OWNER)
    page = await changed(app_client, reference, "2027-06-01", "2027-06-03")
    online = _online(people, reference)
    (line,), moves = await ledger_lines(people, reference)
    assert cents(line["paid_online"]) == 42000  # nothing came back to the guest
    assert [(m["kind"], cents(m["amount"]), m["status"]) for m in moves] == [
        ("payment", 42000, "succeeded"),
        ("change_refund", online - 42000, "refused"),
    ]
    agrees(page, [line], moves)

    # Cancelled later: the policy gives back all that is held, and the files say so.
    people.execute("UPDATE demo_payment SET status = 'succeeded'")
    preview = (await app_client.get(f"/admin/demo/bookings/{reference}/cancel")).text
    version = re.search(r'name="version" value="(\d+)"', preview)
    assert version is not None
    form = {"version": version[1], "_csrf_token": csrf_of(preview)}
    done = await app_client.post(
        f"/admin/demo/bookings/{reference}/cancel", data=form, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    (line,), moves = await ledger_lines(people, reference)
    assert (line["status"], cents(line["refunded"]), cents(line["due_at_property"])) == (
        "cancelled",
        42000,
        0,
    )
    assert [(m["kind"], cents(m["amount"]), m["status"]) for m in moves][2:] == [
        ("refund", -42000, "refunded")
    ]
    agrees(await page_of(app_client, reference), [line], moves)


async def test_a_desk_booking_paid_at_the_property_paid_nothing_online(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, STAFF)
    held, token = await _held(app_client, STAY)
    assert held.status_code == 303, held.text
    done = await app_client.post(
        held.headers["location"], data={**DESK_GUEST, "_csrf_token": token}
    )
    found = re.search(r'data-reference="([\w-]+)" data-status="confirmed"', done.text)
    assert found is not None, done.text
    (line,), moves = await ledger_lines(people, found[1])
    assert cents(line["paid_online"]) == 0
    assert cents(line["due_at_property"]) == cents(line["total"]) > 0
    assert moves == []
    agrees(await page_of(app_client, found[1]), [line], moves)


async def test_a_desk_booking_paid_by_link_is_what_the_guest_paid(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, STAFF)
    held, token = await _held(app_client, STAY)
    guest_page = held.headers["location"]
    hold_id = guest_page.rsplit("/", 1)[1]
    form = {**DESK_GUEST, "pay": "link", "_csrf_token": token}
    sent = await app_client.post(guest_page, data=form, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    mail = people.execute(
        "SELECT body_text FROM outbox_message WHERE kind = 'guest_payment_link'"
    ).fetchone()
    assert mail is not None
    link = re.search(rf"/pay/{hold_id}\?key=([\w-]+)", mail[0])
    assert link is not None
    path = f"/pay/{hold_id}"
    shown = await app_client.get(path, params={"key": link[1]})
    pay = {"key": link[1], "_csrf_token": csrf_of(shown.text), "test_card": "success"}
    assert (await app_client.post(path, data=pay)).status_code == 200
    row = people.execute("SELECT reference FROM reservation WHERE id = %s", (hold_id,)).fetchone()
    assert row is not None and row[0]
    (line,), moves = await ledger_lines(people, row[0])
    page = await page_of(app_client, row[0])
    assert [m["kind"] for m in moves] == ["payment"]
    assert cents(moves[0]["amount"]) == cents(line["paid_online"]) > 0
    agrees(page, [line], moves)


async def test_a_balance_charged_later_is_paid_online_and_a_movement(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
    quiet_settings: Any,
) -> None:
    hold, done = await book_group(app_client, FLEXIBLE_ONE_ROOM)
    reference = str(done["reference"])
    (quote,) = hold["quotes"]
    deposit, balance = quote["due_now"], quote["payment_schedule"][1]["amount"]
    enter(app_client, open_people, OWNER)
    (line,), moves = await ledger_lines(open_people, reference)
    assert (cents(line["paid_online"]), cents(line["owed_online"])) == (deposit, balance)
    agrees(await page_of(app_client, reference), [line], moves)
    set_clock(open_people, BALANCE_DAY)
    await run_job(open_people, quiet_settings)
    (line,), moves = await ledger_lines(open_people, reference)
    assert (cents(line["paid_online"]), cents(line["owed_online"])) == (deposit + balance, 0)
    assert [(m["kind"], cents(m["amount"])) for m in moves] == [
        ("payment", deposit),
        ("balance", balance),
    ]
    agrees(await page_of(app_client, reference), [line], moves)


async def test_a_no_show_fee_on_a_stay_paid_at_the_property(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
) -> None:
    terms = 'payment = { mode = "at_property", card_guarantee = true }'
    flexible = "payment = { deposit_percent = 30, balance_days_before = 14 }"
    assert flexible in OPEN_DEMO_TOML
    apply_property(open_people, parse_property(OPEN_DEMO_TOML.replace(flexible, terms)))
    _, done = await book_group(app_client, FLEXIBLE_ONE_ROOM)
    reference = str(done["reference"])
    set_clock(open_people, datetime(2027, 3, 15, 20, 0, tzinfo=UTC))
    async with worker_connection(open_people) as conn:
        provider = DemoProvider(open_people.info.dsn)
        assert await charge_no_show(conn, provider, reference, 8000, "no-show", SITE)
    enter(app_client, open_people, OWNER)
    (line,), moves = await ledger_lines(open_people, reference)
    assert cents(line["paid_online"]) == 8000
    assert cents(line["due_at_property"]) == cents(line["total"])
    assert [(m["kind"], cents(m["amount"])) for m in moves] == [("no_show_fee", 8000)]
    agrees(await page_of(app_client, reference), [line], moves)


async def test_a_regrouped_booking_its_room_cancelled_alone_then_the_rest(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
) -> None:
    # Two rooms whose dates the owner shortened (the non-refundable suite got the
    # difference back), then the suite cancelled alone, then the rest: at each step the
    # files say what the page says, and the movements add up.
    _, reference = await changed_group(app_client, open_people, "flexible", "non-refundable")
    lines, moves = await ledger_lines(open_people, reference)
    assert [m["kind"] for m in moves] == ["payment", "change_refund"]
    agrees(await page_of(app_client, reference), lines, moves)
    path, secret = manage_link(open_people)
    assert (await cancel_room(app_client, path, secret, 1)).status_code == 200
    lines, moves = await ledger_lines(open_people, reference)
    assert [line["status"] for line in lines] == ["confirmed", "cancelled"]
    assert lines[1]["kept"] and cents(lines[1]["refunded"]) == 0  # non-refundable
    agrees(await page_of(app_client, reference), lines, moves)
    assert (await cancel(app_client, path, secret)).status_code == 200
    lines, moves = await ledger_lines(open_people, reference)
    assert [line["status"] for line in lines] == ["cancelled", "cancelled"]
    assert [m["kind"] for m in moves] == ["payment", "change_refund", "refund"]
    agrees(await page_of(app_client, reference), lines, moves)
    read = await app_client.get(f"/api/v1/bookings/{reference}", headers={BOOKING_SECRET: secret})
    assert cents(lines[0]["refunded"]) == read.json()["refund"]["amount"]


async def test_a_longer_stay_charged_to_the_saved_card_is_a_change_charge(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    reference = await booked(app_client, people)
    save_a_card(people, reference)
    enter(app_client, people, OWNER)
    page = await changed(app_client, reference, "2027-06-01", "2027-06-08")
    online = _online(people, reference)
    (line,), moves = await ledger_lines(people, reference)
    assert (cents(line["paid_online"]), cents(line["owed_online"])) == (online, 0)
    assert [(m["kind"], cents(m["amount"])) for m in moves] == [
        ("payment", 42000),
        ("change_charge", online - 42000),
    ]
    agrees(page, [line], moves)


async def test_a_balance_taken_after_the_cancellation_is_listed_with_its_refund(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
) -> None:
    from tests.payments.test_payment_terms import claimed_balance
    from widget.payments.balance import take

    hold, done = await book_group(app_client, FLEXIBLE_ONE_ROOM)
    reference = str(done["reference"])
    (quote,) = hold["quotes"]
    deposit, balance = quote["due_now"], quote["payment_schedule"][1]["amount"]
    set_clock(open_people, BALANCE_DAY)
    async with worker_connection(open_people) as conn:
        claimed = await claimed_balance(conn)  # a worker is taking the balance …
        path, secret = manage_link(open_people)
        assert (await cancel(app_client, path, secret)).status_code == 200  # … meanwhile
        provider = DemoProvider(open_people.info.dsn)
        assert await take(conn, provider, claimed, SITE) == "refunded"
    enter(app_client, open_people, OWNER)
    (line,), moves = await ledger_lines(open_people, reference)
    assert (cents(line["paid_online"]), cents(line["refunded"])) == (deposit, deposit)
    # The provider's charge and its refund are both there for the accountant to match.
    assert [(m["kind"], cents(m["amount"]), m["status"]) for m in moves] == [
        ("payment", deposit, "succeeded"),
        ("balance", balance, "succeeded"),
        ("charge_refund", -balance, "refunded"),
        ("refund", -deposit, "refunded"),
    ]
    agrees(await page_of(app_client, reference), [line], moves)
