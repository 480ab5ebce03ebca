"""Each room's money as it really went, in the corners where the console said otherwise:
a balance not taken yet on the arrival day is still to be paid online, not at the desk; a
room cancelled before the group's balance paid only what was taken for it then; a refund of
a change of dates the provider refused is still held by the booking's first room; a no-show
fee is limited by the rooms still booked; and a cancelled booking owes nothing at the
property."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from tests.console.conftest import OWNER, enter
from tests.console.test_booking_payment_row import figure
from tests.console.test_date_changes import _form
from tests.console.test_group_bookings import dates_preview, open_people  # noqa: F401
from tests.console.test_group_dates_money import (
    ARRIVAL_DAY,
    BALANCE_DAY,
    changed_group,
    euros,
    new_quotes,
    units,
)
from tests.console.test_group_room_money import at_property
from tests.console.test_ledger_money import FLEXIBLE_ONE_ROOM, agrees, ledger_lines, page_of
from tests.helpers import OPEN_DEMO_TOML, set_clock
from tests.payments.test_group_readers import cancel_room
from tests.payments.test_manage_booking import cancel, manage_link
from tests.payments.test_payment_terms import SITE, run_job
from tests.payments.test_room_groups import book_group, group_on
from tests.payments.test_stripe_checkout import worker_connection
from widget.errors import Invalid
from widget.inventory.bookings import bookings_between
from widget.payments.balance import charge_no_show
from widget.payments.demo_provider import DemoProvider
from widget.properties.apply import apply_property
from widget.properties.file import parse_property


async def today_rows(client: Any, reference: str) -> dict[str, tuple[str, str | None]]:
    """Today's arrivals of ``reference``: each unit's amount due at the property and what it
    says is still to pay online (None: nothing)."""
    page = (await client.get("/admin/demo/")).text
    rows = [row.split("</tr>", 1)[0] for row in page.split(f'data-reference="{reference}"')[1:]]
    found: dict[str, tuple[str, str | None]] = {}
    for row in rows:
        if 'data-kind="arrival"' not in row:
            continue
        unit = re.search(r'data-label="Unit">([^<]+)</td>', row)
        due = re.search(r'data-label="Due at the property">(?:<strong>)?([^<]+)<', row)
        owed = re.search(r'data-testid="owed-online">Still to pay online: ([^<]+)<', row)
        assert unit and due, row
        found[unit[1]] = (due[1], owed[1] if owed else None)
    return found


def listed_paid(conn: psycopg.Connection[Any]) -> dict[str, int]:
    """What the booking list (cancelled rooms shown) says each unit's room paid."""
    _, lines = bookings_between(conn, "demo", ARRIVAL_DAY.date(), None, with_cancelled=True)
    return {line.unit: line.paid or 0 for line in lines}


def held(conn: psycopg.Connection[Any]) -> int:
    (paid,) = conn.execute(
        "SELECT booking_paid(r) FROM reservation r WHERE reference IS NOT NULL"
    ).fetchone() or (None,)
    return int(paid)


async def test_on_the_arrival_day_a_balance_not_taken_yet_is_still_to_pay_online(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
    quiet_settings: Any,
) -> None:
    # The balance job has not taken the group's balance (its day passed while the service
    # was down, say): the desk collects the city tax only, and sees the balance is coming.
    hold, done = await book_group(app_client, group_on("flexible", "flexible"))
    reference = str(done["reference"])
    quotes = hold["quotes"]
    balances = [q["payment_schedule"][1]["amount"] for q in quotes]
    set_clock(open_people, ARRIVAL_DAY)
    enter(app_client, open_people, OWNER)
    rows = await today_rows(app_client, reference)
    assert rows == {
        unit: (euros(at_property(q)), euros(balance))
        for unit, q, balance in zip(units(open_people), quotes, balances, strict=True)
    }
    page = await page_of(app_client, reference)
    assert figure(page, "due-at-property") == euros(sum(at_property(q) for q in quotes))

    await run_job(open_people, quiet_settings)  # now it is taken: the desk's figure stays
    rows = await today_rows(app_client, reference)
    assert rows == {
        unit: (euros(at_property(q)), None)
        for unit, q in zip(units(open_people), quotes, strict=True)
    }


async def test_one_rooms_balance_not_taken_yet_is_not_collected_at_the_desk(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
) -> None:
    hold, done = await book_group(app_client, FLEXIBLE_ONE_ROOM)
    reference = str(done["reference"])
    (quote,) = hold["quotes"]
    set_clock(open_people, ARRIVAL_DAY)
    enter(app_client, open_people, OWNER)
    (row,) = (await today_rows(app_client, reference)).values()
    assert row == (euros(at_property(quote)), euros(quote["payment_schedule"][1]["amount"]))
    lines, moves = await ledger_lines(open_people, reference)
    agrees(await page_of(app_client, reference), lines, moves)


async def test_after_a_change_of_dates_the_desk_collects_only_what_is_not_paid_online(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
) -> None:
    _, reference = await changed_group(app_client, open_people, "flexible", "flexible")
    quotes = new_quotes(open_people)
    set_clock(open_people, ARRIVAL_DAY)
    rows = await today_rows(app_client, reference)
    assert {unit: due for unit, (due, _) in rows.items()} == {
        unit: euros(q.total - q.online_total)
        for unit, q in zip(units(open_people), quotes, strict=True)
    }
    (owed,) = open_people.execute(
        "SELECT sum(amount) FROM booking_charge WHERE status = 'scheduled'"
    ).fetchone()
    shown = [owed_online for _, owed_online in rows.values() if owed_online]
    assert sum(int(re.sub(r"\D", "", s)) for s in shown) == owed


async def test_a_room_cancelled_before_the_balance_paid_only_what_was_taken_for_it(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
    quiet_settings: Any,
) -> None:
    hold, _ = await book_group(app_client, group_on("flexible", "flexible"))
    double, suite = hold["quotes"]
    double_unit, suite_unit = units(open_people)
    path, secret = manage_link(open_people)
    assert (await cancel_room(app_client, path, secret, 1)).status_code == 200  # free now
    set_clock(open_people, BALANCE_DAY)
    await run_job(open_people, quiet_settings)  # the double's balance alone
    double_balance = double["payment_schedule"][1]["amount"]
    assert open_people.execute("SELECT amount FROM booking_charge").fetchall() == [
        (double_balance,)
    ]
    assert listed_paid(open_people) == {
        double_unit: double["due_now"] + double_balance,
        suite_unit: suite["due_now"],  # its deposit, given back; never the double's balance
    }


async def change_dates(client: Any, reference: str, check_in: str, check_out: str) -> Any:
    """The owner changes the booking's dates on the console (preview, then confirm)."""
    preview = await dates_preview(client, reference, check_in, check_out)
    return await client.post(
        f"/admin/demo/bookings/{reference}/dates", data=_form(preview.text), follow_redirects=False
    )


def rooms_paid(conn: psycopg.Connection[Any]) -> list[int]:
    rows = conn.execute("SELECT room_paid(r) FROM reservation r ORDER BY group_position")
    return [int(row[0]) for row in rows.fetchall()]


async def test_a_change_refund_the_provider_refused_stays_with_the_first_room(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
) -> None:
    # Paid in full, then three nights shortened to two: the change's refund is refused.
    hold, done = await book_group(app_client, group_on("non-refundable", "non-refundable"))
    reference = str(done["reference"])
    open_people.execute("UPDATE demo_payment SET status = 'requires_capture'")
    enter(app_client, open_people, OWNER)
    changed = await change_dates(app_client, reference, "2027-03-15", "2027-03-17")
    assert changed.status_code == 303, changed.text
    (refused,) = open_people.execute(
        "SELECT amount FROM booking_change WHERE settlement = 'refund' AND status = 'failed'"
    ).fetchone() or (None,)
    assert refused and refused > 0
    assert held(open_people) == hold["due_now"]  # nothing came back
    first, second = (q.online_total for q in new_quotes(open_people))
    double_unit, suite_unit = units(open_people)
    # The rooms add up to what is held: the first room, which carries the payment, keeps
    # what the refused refund did not give back.
    assert listed_paid(open_people) == {double_unit: first + refused, suite_unit: second}
    lines, moves = await ledger_lines(open_people, reference)
    page = await page_of(app_client, reference)
    agrees(page, lines, moves)
    # The desk collects the city tax the page asks for, the refused refund aside.
    set_clock(open_people, ARRIVAL_DAY)
    rows = await today_rows(app_client, reference)
    assert sum(int(re.sub(r"\D", "", due)) for due, _ in rows.values()) == int(
        re.sub(r"\D", "", figure(page, "due-at-property"))
    )

    # Moved again, a night later: what the rooms paid still adds up to what is held,
    # the refused refund counted once.
    open_people.execute("UPDATE demo_payment SET status = 'succeeded'")
    set_clock(open_people, datetime(2027, 1, 15, 9, 30, tzinfo=UTC))
    changed = await change_dates(app_client, reference, "2027-03-16", "2027-03-18")
    assert changed.status_code == 303, changed.text
    assert sum(rooms_paid(open_people)) == held(open_people)
    lines, moves = await ledger_lines(open_people, reference)
    agrees(await page_of(app_client, reference), lines, moves)


async def test_a_change_of_dates_waits_while_the_balance_is_being_taken(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
) -> None:
    _, done = await book_group(app_client, FLEXIBLE_ONE_ROOM)
    reference = str(done["reference"])
    # A worker holds the balance's lease: it is talking to the provider about it.
    open_people.execute("UPDATE booking_charge SET leased_until = innkeep_now() + interval '5 min'")
    before = open_people.execute("SELECT amount, status FROM booking_charge").fetchall()
    enter(app_client, open_people, OWNER)
    refused = await change_dates(app_client, reference, "2027-03-15", "2027-03-20")
    assert refused.status_code == 409, refused.text
    assert "The balance is being taken just now" in refused.text
    assert open_people.execute("SELECT amount, status FROM booking_charge").fetchall() == before
    assert open_people.execute(
        "SELECT lower(stay)::text, upper(stay)::text FROM reservation"
    ).fetchone() == ("2027-03-15", "2027-03-25")
    assert open_people.execute("SELECT count(*) FROM booking_change").fetchone() == (0,)


async def test_a_no_show_fee_is_limited_by_the_rooms_still_booked(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
) -> None:
    terms = 'payment = { mode = "at_property", card_guarantee = true }'
    flexible = "payment = { deposit_percent = 30, balance_days_before = 14 }"
    apply_property(open_people, parse_property(OPEN_DEMO_TOML.replace(flexible, terms)))
    hold, done = await book_group(app_client, group_on("flexible", "flexible"))
    reference = str(done["reference"])
    double, suite = hold["quotes"]
    path, secret = manage_link(open_people)
    assert (await cancel_room(app_client, path, secret, 1)).status_code == 200
    # The property's policy keeps half once free cancellation is over: of the double alone.
    limit = double["total"] * 50 // 100
    set_clock(open_people, datetime(2027, 3, 15, 20, 0, tzinfo=UTC))
    provider = DemoProvider(open_people.info.dsn)
    async with worker_connection(open_people) as conn:
        with pytest.raises(Invalid, match=f"at most {limit} "):
            await charge_no_show(conn, provider, reference, limit + suite["total"] // 2, "", SITE)
        assert await charge_no_show(conn, provider, reference, limit, "no-show", SITE)


async def test_a_cancelled_booking_owes_nothing_at_the_property(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
) -> None:
    hold, done = await book_group(app_client, FLEXIBLE_ONE_ROOM)
    reference = str(done["reference"])
    assert at_property(hold["quotes"][0]) > 0  # its city tax, while it stands
    path, secret = manage_link(open_people)
    assert (await cancel(app_client, path, secret)).status_code == 200
    enter(app_client, open_people, OWNER)
    page = await page_of(app_client, reference)
    assert figure(page, "due-at-property") == euros(0)
    lines, moves = await ledger_lines(open_people, reference)
    agrees(page, lines, moves)


async def pending_change(
    client: Any, conn: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], int]:
    """A non-refundable room paid in full, shortened by the owner; the provider makes the
    change's refund but its answer never arrives (a time-out). The hold and the refund."""
    from widget.payments.provider import PaymentUnavailable

    hold, done = await book_group(client, group_on("non-refundable"))
    enter(client, conn, OWNER)
    refund = DemoProvider.refund

    async def made_unanswered(self: DemoProvider, *args: Any, **kwargs: Any) -> Any:
        await refund(self, *args, **kwargs)
        raise PaymentUnavailable("timed out")  # made: only asking again tells

    with monkeypatch.context() as patched:
        patched.setattr(DemoProvider, "refund", made_unanswered)
        changed = await change_dates(client, str(done["reference"]), "2027-03-15", "2027-03-17")
    assert changed.status_code == 303, changed.text
    (amount, status) = conn.execute("SELECT amount, status FROM booking_change").fetchone() or (
        None,
        None,
    )
    assert status == "pending" and amount and amount > 0  # never shown as refused
    return hold, int(amount)


def refunded_in_all(conn: psycopg.Connection[Any]) -> int:
    (given,) = conn.execute("SELECT sum(amount_refunded) FROM demo_payment").fetchone() or (0,)
    return int(given)


async def test_a_change_refund_not_answered_is_asked_again_not_taken_as_refused(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from widget.payments.date_change import refund_pending_changes

    hold, amount = await pending_change(app_client, open_people, monkeypatch)
    assert held(open_people) == hold["due_now"] - amount  # what the refund leaves
    provider = DemoProvider(open_people.info.dsn)
    async with worker_connection(open_people) as conn:
        # Not while the change's own call may still be under way.
        assert await refund_pending_changes(conn, provider) == {}
        open_people.execute("UPDATE booking_change SET created_at = now() - interval '6 min'")
        assert list((await refund_pending_changes(conn, provider)).values()) == ["refunded"]
        assert await refund_pending_changes(conn, provider) == {}
    assert open_people.execute("SELECT status FROM booking_change").fetchone() == ("done",)
    assert refunded_in_all(open_people) == amount  # asked twice under one key: made once


async def test_a_change_refund_not_answered_for_a_day_is_not_asked_again(
    app_client: Any,
    open_people: psycopg.Connection[Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from widget.payments.date_change import refund_pending_changes

    _, amount = await pending_change(app_client, open_people, monkeypatch)
    open_people.execute("UPDATE booking_change SET created_at = now() - interval '25 hours'")
    async with worker_connection(open_people) as conn:
        # The provider has forgotten the key: asked again, it would refund a second time.
        assert await refund_pending_changes(conn, DemoProvider(open_people.info.dsn)) == {}
    assert "refund not answered within a day" in caplog.text
    assert open_people.execute("SELECT status FROM booking_change").fetchone() == ("pending",)
    assert refunded_in_all(open_people) == amount
