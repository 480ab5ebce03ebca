"""Payment terms on the demo guesthouse (`flexible`: 30 % now, the balance 14 days before
arrival): the quote's schedule, the deposit charged at checkout, the balance job (once across
workers, declines, authentication through the guest's link), and cancellations refunding
what was actually paid. Every money path ends with deposit + balance = what is paid online."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import Quote
from tests.helpers import set_clock
from tests.payments.conftest import GUEST
from tests.payments.test_manage_booking import cancel, manage_link
from tests.payments.test_stripe_checkout import worker_connection
from widget.payments.balance import charge_due_balances, remind_balances
from widget.payments.demo_provider import DemoProvider
from widget.payments.provider import PaymentUnavailable
from widget.properties.plans import PaymentTerms

NOW = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
HOLDS = "/api/v1/properties/demo/holds"
QUOTES = "/api/v1/properties/demo/quotes"
DOUBLE = {
    "room_type": "double-sea-view",
    "check_in": "2027-03-15",
    "check_out": "2027-03-18",
    "adults": 2,
}
#: 14 days before arrival, in the morning at the property.
BALANCE_DAY = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
SITE = "http://innkeep.test"


@pytest.fixture(autouse=True)
def clock(demo_property: psycopg.Connection[Any]) -> None:
    set_clock(demo_property, NOW)


def _quote(due_now: int, check_in: date) -> Quote:
    return Quote("double", check_in, date(2027, 3, 20), [], [], due_now + 500, due_now, "EUR", "")


@given(
    online=st.integers(min_value=0, max_value=10**9),
    percent=st.integers(min_value=1, max_value=100),
    days=st.integers(min_value=0, max_value=60),
)
def test_deposit_and_balance_always_add_up_to_what_is_paid_online(
    online: int, percent: int, days: int
) -> None:
    today = date(2027, 2, 1)
    quote = _quote(online, date(2027, 3, 15))
    terms = PaymentTerms(deposit_percent=percent, balance_days_before=days)
    scheduled = terms.scheduled(quote, today)
    assert scheduled.online_total == online
    assert scheduled.due_now + scheduled.balance == online
    assert scheduled.total == quote.total
    if scheduled.payment_schedule:
        first, balance = scheduled.payment_schedule
        assert first == type(first)(today, scheduled.due_now)
        assert 0 < first.amount < online and balance.amount > 0
        assert balance.due > today
    else:
        assert scheduled.due_now == online


async def book(api: Any, stay: dict[str, Any], test_card: str = "success") -> dict[str, Any]:
    held = await api.post(HOLDS, json=stay)
    assert held.status_code == 201, held.text
    hold = held.json()
    headers = {"X-Hold-Token": hold["token"]}
    out = await api.post(
        f"/api/v1/holds/{hold['id']}/checkout",
        json={**GUEST, "test_card": test_card},
        headers=headers,
    )
    assert out.status_code == 200, out.text
    assert out.json()["amount"]["amount"] == hold["quote"]["due_now"]
    if out.json()["status"] == "requires_action":  # the card asks the bank: the guest confirms
        checked = await api.post(
            f"/api/v1/holds/{hold['id']}/demo-bank", json={"passed": True}, headers=headers
        )
        assert checked.json() == {"status": "requires_capture"}, checked.text
    done = await api.post(f"/api/v1/holds/{hold['id']}/confirm", headers=headers)
    assert done.status_code == 200, done.text
    return {**hold, "reference": done.json()["reference"]}


def card_on_file(conn: psycopg.Connection[Any], reference: str, test_card: str) -> None:
    """The card the guest saved with booking ``reference`` answers later charges as
    ``test_card`` does (a card that paid the deposit may decline the balance)."""
    conn.execute(
        "UPDATE demo_customer SET scenario = %s"
        " WHERE id = (SELECT customer_ref FROM reservation WHERE reference = %s)",
        (test_card, reference),
    )


def charge_of_link(conn: psycopg.Connection[Any], text: str) -> tuple[str, str]:
    """The charge a ``/pay/`` link in an e-mail's ``text`` pays, and the link's key."""
    link = next(word for word in text.split() if word.startswith(SITE + "/pay/"))
    link_id, key = link.removeprefix(SITE + "/pay/").split("?key=")
    row = conn.execute("SELECT charge_id FROM payment_link WHERE id = %s", (link_id,)).fetchone()
    assert row is not None, link
    return str(row[0]), key


def online_of(quote: dict[str, Any]) -> int:
    """What a quote has paid online: its total less what is paid at the property."""
    return int(quote["total"]) - sum(
        line["amount"]
        for line in quote["stay_lines"]
        if line.get("payable") == "at_property" and not line.get("included")
    )


def paid_in_all(conn: psycopg.Connection[Any]) -> int:
    """What the demo ledger actually took, less what it gave back."""
    row = conn.execute(
        "SELECT coalesce(sum(amount_received - amount_refunded), 0) FROM demo_payment"
    ).fetchone()
    return int(row[0]) if row else 0


def charge_row(conn: psycopg.Connection[Any]) -> tuple[Any, ...]:
    row = conn.execute("SELECT status, tries, amount FROM booking_charge").fetchone()
    assert row is not None
    return tuple(row)


async def run_job(db: psycopg.Connection[Any], settings: Any) -> dict[str, str]:
    async with worker_connection(db) as conn:
        return await charge_due_balances(conn, DemoProvider(settings.database_url), SITE)


async def test_a_deposit_now_and_the_balance_charged_once_by_two_workers_at_once(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    quote = (await demo_api.post(QUOTES, json=DOUBLE)).json()
    online = online_of(quote)
    deposit, balance = quote["payment_schedule"]
    assert deposit == {"due": "2027-01-15", "amount": quote["due_now"]}
    assert balance["due"] == "2027-03-01"
    assert deposit["amount"] + balance["amount"] == online
    assert deposit["amount"] == -(-online * 30 // 100)
    booked = await book(demo_api, DOUBLE)
    assert paid_in_all(demo_property) == deposit["amount"]
    consent = demo_property.execute("SELECT payment_consent FROM reservation").fetchone()
    assert consent is not None and "ohne erneute Rückfrage" in consent[0]  # in German
    assert await run_job(demo_property, quiet_settings) == {}  # not due yet
    # A week before: one reminder, however often the job runs.
    set_clock(demo_property, datetime(2027, 2, 22, 9, 0, tzinfo=UTC))
    for _ in range(2):
        async with worker_connection(demo_property) as conn:
            await remind_balances(conn, SITE)
    reminders = demo_property.execute(
        "SELECT body_text FROM outbox_message WHERE kind = 'guest_balance_reminder'"
    ).fetchall()
    assert len(reminders) == 1 and "/pay/" in reminders[0][0]
    set_clock(demo_property, BALANCE_DAY)
    both = await asyncio.gather(*(run_job(demo_property, quiet_settings) for _ in range(2)))
    assert sorted(outcome for done in both for outcome in done.values()) == ["succeeded"]
    assert await run_job(demo_property, quiet_settings) == {}
    assert paid_in_all(demo_property) == online
    assert charge_row(demo_property) == ("succeeded", 1, balance["amount"])
    _path, secret = manage_link(demo_property)
    answer = (
        await demo_api.get(
            f"/api/v1/bookings/{booked['reference']}", headers={"X-Booking-Secret": secret}
        )
    ).json()
    assert answer["paid"]["amount"] == online
    assert answer["payment_status"] == "paid"
    from widget.inventory.bookings import bookings_between

    _, (line,) = bookings_between(demo_property, "demo", date(2027, 3, 15), None)
    assert (line.paid, line.reference) == (online, booked["reference"])  # the owner's list


async def test_arrival_closer_than_the_balance_days_is_all_due_now(
    demo_api: Any, demo_property: psycopg.Connection[Any]
) -> None:
    soon = {**DOUBLE, "check_in": "2027-01-25", "check_out": "2027-01-27"}
    quote = (await demo_api.post(QUOTES, json=soon)).json()
    assert "payment_schedule" not in quote and quote["due_now"] == online_of(quote)
    await book(demo_api, soon)
    assert paid_in_all(demo_property) == online_of(quote)
    assert demo_property.execute("SELECT count(*) FROM booking_charge").fetchone() == (0,)


async def test_a_hard_decline_is_never_retried_and_the_owner_is_told(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    booked = await book(demo_api, DOUBLE)
    card_on_file(demo_property, booked["reference"], "decline")
    set_clock(demo_property, BALANCE_DAY)
    assert list((await run_job(demo_property, quiet_settings)).values()) == ["balance_due"]
    set_clock(demo_property, datetime(2027, 3, 10, tzinfo=UTC))
    assert await run_job(demo_property, quiet_settings) == {}
    assert charge_row(demo_property)[:2] == ("balance_due", 1)
    assert paid_in_all(demo_property) == booked["quote"]["due_now"]
    status = demo_property.execute("SELECT status::text, payment_status FROM reservation")
    assert status.fetchone() == ("confirmed", "balance_due")
    told = demo_property.execute(
        "SELECT recipient FROM outbox_message WHERE kind = 'owner_balance_due'"
    ).fetchall()
    assert len(told) == 1


async def test_a_soft_decline_is_retried_over_days_then_the_balance_is_due(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    booked = await book(demo_api, DOUBLE)
    card_on_file(demo_property, booked["reference"], "insufficient_funds")
    outcomes = []
    # One day after the first try, then two, then three (each a little later in the day).
    for day, hour in ((1, 9), (2, 10), (4, 11), (7, 12)):
        set_clock(demo_property, BALANCE_DAY.replace(day=day, hour=hour))
        outcomes += list((await run_job(demo_property, quiet_settings)).values())
    assert outcomes == ["retry_later", "retry_later", "retry_later", "balance_due"]
    keys = demo_property.execute(
        "SELECT idempotency_key FROM charge_attempt ORDER BY attempt"
    ).fetchall()
    assert len({k for (k,) in keys}) == 4  # each try after a decline is a new attempt


async def test_authentication_required_is_paid_through_the_guests_link(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    booked = await book(demo_api, DOUBLE, test_card="authentication_required")
    set_clock(demo_property, BALANCE_DAY)
    assert list((await run_job(demo_property, quiet_settings)).values()) == ["requires_action"]
    mail = demo_property.execute(
        "SELECT body_text FROM outbox_message WHERE kind = 'guest_balance_action'"
    ).fetchone()
    assert mail is not None
    charge_id, key = charge_of_link(demo_property, mail[0])
    wrong = await demo_api.post(f"/api/v1/charges/{charge_id}/confirm", params={"key": "x"})
    assert wrong.status_code == 404
    shown = await demo_api.get(f"/api/v1/charges/{charge_id}", params={"key": key})
    assert shown.status_code == 200 and shown.json()["status"] == "requires_action"
    intent = shown.json()["payment_id"]
    for _ in range(2):  # a second click changes nothing
        paid = await demo_api.post(f"/api/v1/charges/{charge_id}/confirm", params={"key": key})
        assert paid.status_code == 200, paid.text
        assert paid.json()["status"] == "succeeded"
    assert demo_property.execute("SELECT payment_ref FROM booking_charge").fetchone() == (intent,)
    assert paid_in_all(demo_property) == online_of(booked["quote"])


async def test_cancelling_refunds_the_policys_share_of_what_was_paid_and_stops_the_balance(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    booked = await book(demo_api, DOUBLE)
    path, secret = manage_link(demo_property)
    await cancel(demo_api, path, secret)  # free cancellation: the whole deposit back
    assert demo_property.execute("SELECT refund_amount FROM reservation").fetchone() == (
        booked["quote"]["due_now"],
    )
    assert charge_row(demo_property)[0] == "canceled"
    set_clock(demo_property, BALANCE_DAY)
    assert await run_job(demo_property, quiet_settings) == {}
    assert paid_in_all(demo_property) == 0


async def test_a_cancellation_after_the_balance_refunds_from_both_payments(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    booked = await book(demo_api, DOUBLE)
    set_clock(demo_property, BALANCE_DAY)
    await run_job(demo_property, quiet_settings)
    total = online_of(booked["quote"])
    assert paid_in_all(demo_property) == total
    path, secret = manage_link(demo_property)
    # 14 days before arrival: still within the demo's free cancellation (7 days).
    await cancel(demo_api, path, secret)
    assert demo_property.execute("SELECT refund_amount FROM reservation").fetchone() == (total,)
    assert paid_in_all(demo_property) == 0


async def test_a_worker_whose_lease_ran_out_mid_call_neither_charges_nor_refunds_again(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    from widget.payments.balance import LEASE_SECONDS, take
    from widget.sql import queries

    booked = await book(demo_api, DOUBLE)
    set_clock(demo_property, BALANCE_DAY)
    provider = DemoProvider(quiet_settings.database_url)
    async with worker_connection(demo_property) as conn:
        cur = await conn.execute(
            queries("payments")["claim_due_charge"], {"lease_seconds": LEASE_SECONDS}
        )
        slow = await cur.fetchone()  # worker A claimed it, then stalled past its lease
    demo_property.execute("UPDATE booking_charge SET leased_until = innkeep_now() - '1s'::interval")
    assert list((await run_job(demo_property, quiet_settings)).values()) == ["succeeded"]
    async with worker_connection(demo_property) as conn:
        assert await take(conn, provider, slow, SITE) == "succeeded"  # A's call ends now
    assert paid_in_all(demo_property) == online_of(booked["quote"])
    assert demo_property.execute(
        "SELECT count(*) FROM demo_payment WHERE amount_refunded > 0"
    ).fetchone() == (0,)


async def test_a_balance_waiting_for_the_guest_is_cancelled_with_the_booking(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    await book(demo_api, DOUBLE, test_card="authentication_required")
    set_clock(demo_property, BALANCE_DAY)
    assert list((await run_job(demo_property, quiet_settings)).values()) == ["requires_action"]
    mail = demo_property.execute(
        "SELECT body_text FROM outbox_message WHERE kind = 'guest_balance_action'"
    ).fetchone()
    assert mail is not None
    charge_id, key = charge_of_link(demo_property, mail[0])
    path, secret = manage_link(demo_property)
    await cancel(demo_api, path, secret)
    late = await demo_api.post(f"/api/v1/charges/{charge_id}/confirm", params={"key": key})
    assert late.status_code == 409 and late.json()["error"] == "not_awaiting_payment"
    assert paid_in_all(demo_property) == 0  # the deposit refunded, the balance never taken
    waiting = demo_property.execute(
        "SELECT status FROM demo_payment WHERE hold_id IS NULL"
    ).fetchone()
    assert waiting == ("canceled",)


class RefundsUnanswered(DemoProvider):
    """The demo provider whose refunds time out (the call never reached it)."""

    async def refund(self, payment_id: str, amount: int, *, idempotency_key: str) -> Any:
        raise PaymentUnavailable("timed out")


async def claimed_balance(conn: Any) -> Any:
    """The due balance a worker claims (and then talks to the provider about)."""
    from widget.payments.balance import LEASE_SECONDS
    from widget.sql import queries

    cur = await conn.execute(
        queries("payments")["claim_due_charge"], {"lease_seconds": LEASE_SECONDS}
    )
    claimed = await cur.fetchone()
    assert claimed is not None
    return claimed


async def test_a_balance_taken_as_the_booking_is_cancelled_is_given_back(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    from widget.payments.balance import take

    booked = await book(demo_api, DOUBLE)
    deposit = booked["quote"]["due_now"]
    balance = online_of(booked["quote"]) - deposit
    set_clock(demo_property, BALANCE_DAY)
    provider = DemoProvider(quiet_settings.database_url)
    async with worker_connection(demo_property) as conn:
        claimed = await claimed_balance(conn)  # a worker takes the balance …
        path, secret = manage_link(demo_property)
        await cancel(demo_api, path, secret)  # … as the guest cancels (free: all back)
        assert await take(conn, provider, claimed, SITE) == "refunded"
        # The same payment noted again (a worker whose lease ran out) gives nothing twice.
        assert await take(conn, provider, claimed, SITE) in ("refunded", "canceled")
    assert paid_in_all(demo_property) == 0  # no payment kept without a booking
    assert demo_property.execute(
        "SELECT status, payment_ref IS NOT NULL, refund_ref IS NOT NULL FROM booking_charge"
    ).fetchone() == ("refunded", True, True)
    assert demo_property.execute(
        "SELECT count(*) FROM demo_payment WHERE amount_refunded > 0"
    ).fetchone() == (2,)  # the deposit by the cancellation, the balance by the worker
    assert balance > 0


async def test_a_late_balances_refund_the_provider_did_not_answer_is_asked_again(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    from widget.db import create_pool
    from widget.payments.balance import balance_job, take

    booked = await book(demo_api, DOUBLE)
    balance = online_of(booked["quote"]) - booked["quote"]["due_now"]
    set_clock(demo_property, BALANCE_DAY)
    async with worker_connection(demo_property) as conn:
        claimed = await claimed_balance(conn)
        path, secret = manage_link(demo_property)
        await cancel(demo_api, path, secret)
        down = RefundsUnanswered(quiet_settings.database_url)
        assert await take(conn, down, claimed, SITE) == "refund_pending"
    # Taken and not given back yet, but written down with its payment: never lost.
    assert paid_in_all(demo_property) == balance
    assert demo_property.execute(
        "SELECT status, payment_ref IS NOT NULL, amount, last_error FROM booking_charge"
    ).fetchone() == ("refunding", True, balance, "timed out")
    demo_property.execute("UPDATE booking_charge SET updated_at = updated_at - interval '2 min'")
    pool = create_pool(quiet_settings.database_url, max_size=2)
    await pool.open()
    try:
        provider = DemoProvider(quiet_settings.database_url)
        outcomes = await balance_job(pool, provider, quiet_settings)
        assert list(outcomes.values()) == ["refunded"]
        assert await balance_job(pool, provider, quiet_settings) == {}  # asked once
    finally:
        await pool.close()
    assert paid_in_all(demo_property) == 0
    assert demo_property.execute("SELECT status FROM booking_charge").fetchone() == ("refunded",)


async def test_a_second_payment_for_a_charge_already_paid_is_given_back(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    from widget.payments.balance import record_success

    booked = await book(demo_api, DOUBLE)
    set_clock(demo_property, BALANCE_DAY)
    assert list((await run_job(demo_property, quiet_settings)).values()) == ["succeeded"]
    paid = paid_in_all(demo_property)
    charge_id, booking_id, customer, first = demo_property.execute(
        "SELECT c.id, c.reservation_id, r.customer_ref, c.payment_ref"
        " FROM booking_charge c JOIN reservation r ON r.id = c.reservation_id"
    ).fetchone() or (None, None, None, None)
    provider = DemoProvider(quiet_settings.database_url)
    # Some other payment for the same charge (none should ever be made: every attempt has
    # its own key) is given back, and the charge keeps the one it was paid with.
    other = await provider.charge_saved(
        customer=customer,
        payment_method=None,
        amount=500,
        currency="EUR",
        idempotency_key="a-key-of-no-attempt",
        description="",
        metadata={},
    )
    async with worker_connection(demo_property) as conn:
        assert await record_success(conn, provider, charge_id, booking_id, other) == "refunded"
    assert paid_in_all(demo_property) == paid == online_of(booked["quote"])
    assert demo_property.execute("SELECT status, payment_ref FROM booking_charge").fetchone() == (
        "succeeded",
        first,
    )
