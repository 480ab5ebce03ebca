"""A Postgres failover may lose a committed booking after its payment was captured (or the
checkout that stored the payment on its hold, or the hold itself). The reconciler checks
the provider's captured payments against bookings: the booking comes back while its nights
are free, else the payment is refunded and the owner told; never both, and exactly once
with two reconcilers running at the same moment."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import psycopg

from tests.payments.conftest import DUE_NOW, GUEST, HeldRoom, hold_room
from tests.payments.stripe_standin import StripeStandIn
from tests.payments.test_emails import book
from tests.payments.test_stripe_checkout import run_reconciler, worker_connection
from widget.payments.demo_provider import DemoProvider
from widget.payments.reconcile import reconcile

SITE = "http://innkeep.test"


def lose_booking(db: psycopg.Connection[Any], held: HeldRoom, *, payment_too: bool) -> str:
    """What the new primary has after the failover: the hold as it was before the booking
    (and, with ``payment_too``, before its checkout stored the payment; the guest's details,
    written earlier, survive). Returns the captured payment's id."""
    row = db.execute("SELECT payment_ref FROM reservation WHERE id = %s", (held.id,)).fetchone()
    assert row is not None and row[0]
    db.execute("DELETE FROM outbox_message WHERE reservation_id = %s", (held.id,))
    db.execute(
        """UPDATE reservation
           SET status = 'held', hold_expires_at = now() + interval '10 minutes',
               reference = NULL, booking_secret_hash = NULL,
               payment_captured_at = NULL, payment_status = 'requires_capture',
               payment_ref = CASE WHEN %(lost)s THEN NULL ELSE payment_ref END,
               payment_provider = CASE WHEN %(lost)s THEN NULL ELSE payment_provider END
           WHERE id = %(id)s""",
        {"id": held.id, "lost": payment_too},
    )
    db.execute("INSERT INTO clock_offset (shift) VALUES ('5 minutes')")  # quiet since
    return str(row[0])


def take_the_nights(db: psycopg.Connection[Any], held: HeldRoom) -> uuid.UUID:
    """The hold lapsed on the new primary and another guest booked its room since."""
    db.execute("UPDATE reservation SET status = 'expired' WHERE id = %s", (held.id,))
    other = hold_room(db, "Room 1", "2027-06-02", "2027-06-05")
    db.execute(
        "UPDATE reservation SET status = 'confirmed', reference = 'OTH-ER01' WHERE id = %s",
        (other.id,),
    )
    return other.id


async def two_workers_at_once(db: psycopg.Connection[Any], run: Any) -> list[dict[str, str]]:
    """The reconciler of two workers, started at the same moment."""
    async with worker_connection(db) as one, worker_connection(db) as two:
        return list(await asyncio.gather(run(one), run(two)))


def decided_once(outcomes: list[dict[str, str]], payment: str) -> str:
    decided = [o[payment] for o in outcomes if payment in o]
    assert len(decided) == 1, outcomes
    return decided[0]


def booking_of(db: psycopg.Connection[Any], held: HeldRoom) -> tuple[str, str | None, str | None]:
    row = db.execute(
        "SELECT status::text, payment_ref, payment_status FROM reservation WHERE id = %s",
        (held.id,),
    ).fetchone()
    assert row is not None
    return row[0], row[1], row[2]


def owner_told(db: psycopg.Connection[Any]) -> list[tuple[str, str]]:
    mails = db.execute(
        "SELECT recipient, body_text FROM outbox_message WHERE kind = 'owner_payment_refunded'"
    ).fetchall()
    events = db.execute(
        "SELECT action FROM console_event WHERE action = 'payment_refunded'"
    ).fetchall()
    assert len(events) == len(mails), (events, mails)
    return [(r, t) for r, t in mails]


async def test_a_booking_lost_with_its_checkout_comes_back_while_its_nights_are_free(
    demo_api: Any, held: HeldRoom, demo_property: Any, database_url: str
) -> None:
    answer = await demo_api.post(
        f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=held.headers
    )
    assert answer.status_code == 200, answer.text
    booked = await demo_api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    assert booked.status_code == 200 and booked.json()["payment_status"] == "captured"
    payment = lose_booking(demo_property, held, payment_too=True)

    async def run(conn: Any) -> dict[str, str]:
        return await reconcile(conn, DemoProvider(database_url), SITE)

    outcomes = await two_workers_at_once(demo_property, run)
    assert decided_once(outcomes, payment) == "confirmed"
    assert booking_of(demo_property, held)[:2] == ("confirmed", payment)
    refunded = demo_property.execute(
        "SELECT amount_refunded FROM demo_payment WHERE id = %s", (payment,)
    ).fetchone()
    assert refunded == (0,)
    # The guest gets their confirmation (again), once; the owner is told of no refund.
    sent = demo_property.execute(
        "SELECT recipient FROM outbox_message WHERE kind = 'guest_confirmation'"
    ).fetchall()
    assert sent == [("anna@example.com",)]
    assert owner_told(demo_property) == []
    # Later rounds find it booked and leave it alone.
    assert await run_twice_more(demo_property, run) == [{}, {}]


async def run_twice_more(db: psycopg.Connection[Any], run: Any) -> list[dict[str, str]]:
    async with worker_connection(db) as conn:
        return [await run(conn), await run(conn)]


async def test_a_lost_booking_whose_nights_went_to_another_guest_is_refunded_once(
    stripe_api: Any, standin: StripeStandIn, held: HeldRoom, demo_property: Any
) -> None:
    answer = await stripe_api.post(
        f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=held.headers
    )
    assert answer.status_code == 200, answer.text
    intent = standin.only_intent()["id"]
    standin.authorise(intent)
    booked = await stripe_api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    assert booked.status_code == 200 and standin.intents[intent]["status"] == "succeeded"
    payment = lose_booking(demo_property, held, payment_too=True)
    other = take_the_nights(demo_property, held)

    async def run(conn: Any) -> dict[str, str]:
        return await run_reconciler(conn, standin)

    outcomes = await two_workers_at_once(demo_property, run)
    assert payment == intent
    assert decided_once(outcomes, payment) == "room_taken"
    refunds = [r for r in standin.refunds.values() if r["payment_intent"] == intent]
    assert [r["amount"] for r in refunds] == [DUE_NOW]
    assert booking_of(demo_property, held) == ("expired", intent, "refunded")
    ((recipient, text),) = owner_told(demo_property)
    assert recipient == "hello@casalanterna.example"
    assert "420.00" in text and "refunded in full" in text and "Anna Schmidt" in text
    # The nights come free again: the refunded payment never books them (never both).
    demo_property.execute("UPDATE reservation SET status = 'cancelled' WHERE id = %s", (other,))
    assert await run_twice_more(demo_property, run) == [{}, {}]
    assert booking_of(demo_property, held)[0] == "expired"
    again = await stripe_api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    assert again.status_code == 409, again.text
    assert booking_of(demo_property, held)[0] == "expired"
    assert len([r for r in standin.refunds.values() if r["payment_intent"] == intent]) == 1
    assert len(owner_told(demo_property)) == 1


async def test_a_payment_whose_hold_is_gone_is_refunded_once(
    demo_api: Any, held: HeldRoom, demo_property: Any, database_url: str
) -> None:
    await book(demo_api, held)
    payment = lose_booking(demo_property, held, payment_too=True)
    # The hold itself was made just before the failover: the new primary never had it.
    demo_property.execute("DELETE FROM reservation WHERE id = %s", (held.id,))

    async def run(conn: Any) -> dict[str, str]:
        return await reconcile(conn, DemoProvider(database_url), SITE)

    outcomes = await two_workers_at_once(demo_property, run)
    assert decided_once(outcomes, payment) == "stray_refunded"
    ledger = demo_property.execute(
        "SELECT amount_received, amount_refunded FROM demo_payment WHERE id = %s", (payment,)
    ).fetchone()
    assert ledger == (DUE_NOW, DUE_NOW)
    assert await run_twice_more(demo_property, run) == [{}, {}]


async def test_a_refund_begun_by_a_worker_that_died_is_finished_never_booked(
    demo_api: Any, held: HeldRoom, demo_property: Any, database_url: str
) -> None:
    await book(demo_api, held)
    payment = lose_booking(demo_property, held, payment_too=False)
    # A worker decided to refund (the nights were taken then), wrote it ahead, and died
    # before the provider's answer; the nights are free again now.
    demo_property.execute(
        "UPDATE reservation SET payment_status = 'refunding' WHERE id = %s", (held.id,)
    )

    async def run(conn: Any) -> dict[str, str]:
        return await reconcile(conn, DemoProvider(database_url), SITE)

    outcomes = await two_workers_at_once(demo_property, run)
    assert decided_once(outcomes, str(held.id)) == "hold_lost"
    assert booking_of(demo_property, held) == ("cancelled", payment, "refunded")
    ledger = demo_property.execute(
        "SELECT amount_refunded FROM demo_payment WHERE id = %s", (payment,)
    ).fetchone()
    assert ledger == (DUE_NOW,)
    assert len(owner_told(demo_property)) == 1
    assert await run_twice_more(demo_property, run) == [{}, {}]
