"""The Stripe path against a local stand-in of Stripe's API, with real webhook signatures:
each fault the issue names ends with the invariant "no captured payment without a confirmed
booking, no confirmed booking without a captured payment, no hold left behind"."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.payments.conftest import (
    DUE_NOW,
    GUEST,
    WEBHOOK_SECRET,
    HeldRoom,
    assert_settled,
    hold_room,
    stripe_payments,
)
from tests.payments.stripe_standin import StripeStandIn
from widget.app import create_app
from widget.inventory.confirm import confirm_hold
from widget.payments import stripe_provider
from widget.payments.provider import deployment_marker
from widget.payments.reconcile import reconcile
from widget.payments.stripe_provider import StripeProvider
from widget.settings import DEV_SECRET_KEY, Settings


async def checkout(api: Any, held: HeldRoom) -> dict[str, Any]:
    answer = await api.post(f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=held.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def confirm(api: Any, held: HeldRoom) -> Any:
    return await api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)


async def webhook(api: Any, standin: StripeStandIn, kind: str, intent_id: str) -> Any:
    body, headers = standin.event(kind, intent_id, WEBHOOK_SECRET)
    return await api.post("/api/v1/webhooks/stripe", content=body, headers=headers)


def status_of(conn: psycopg.Connection[Any], held: HeldRoom) -> str:
    row = conn.execute("SELECT status::text FROM reservation WHERE id = %s", (held.id,)).fetchone()
    assert row is not None
    return str(row[0])


@contextlib.asynccontextmanager
async def worker_connection(db: psycopg.Connection[Any]) -> AsyncIterator[Any]:
    """A connection as the service's own code gets one, for calling it directly."""
    async with await psycopg.AsyncConnection.connect(
        db.info.dsn, autocommit=True, row_factory=psycopg.rows.dict_row
    ) as conn:
        yield conn


async def run_reconciler(
    conn: Any, standin: StripeStandIn, secret_key: str = DEV_SECRET_KEY
) -> dict[str, str]:
    provider = StripeProvider(
        "sk_test_standin",
        "pk_test_standin",
        deployment=deployment_marker(secret_key),
        api_base=standin.url,
    )
    return await reconcile(conn, provider, "http://innkeep.test")


async def book_without_capture(conn: Any, held: HeldRoom, intent_id: str) -> None:
    """The booking commits and the worker dies before it captures the payment."""
    cur = await conn.execute("SELECT version FROM reservation WHERE id = %s", (held.id,))
    version = (await cur.fetchone())["version"]
    assert (await confirm_hold(conn, held.id, version, intent_id)).confirmed


async def test_checkout_creates_a_manual_capture_payment_for_the_stored_quote(
    stripe_api: Any, stripe_settings: Settings, standin: StripeStandIn, held: HeldRoom
) -> None:
    answer = await checkout(stripe_api, held)
    intent = standin.only_intent()
    assert answer["provider"] == "stripe"
    assert answer["client_secret"] == intent["client_secret"]
    assert answer["publishable_key"] == "pk_test_standin"
    assert intent["capture_method"] == "manual"
    assert intent["amount"] == DUE_NOW and intent["currency"] == "eur"
    assert intent["metadata"] == {
        "hold_id": str(held.id),
        "innkeep_deployment": deployment_marker(stripe_settings.secret_key),
    }
    assert intent["automatic_payment_methods"] == {"enabled": "true", "allow_redirects": "never"}
    (create,) = standin.calls_to("POST", "/v1/payment_intents")
    assert create.idempotency_key == f"innkeep-{held.id}-authorise"


async def test_confirm_before_authorisation_changes_nothing_then_books_and_captures(
    stripe_api: Any, standin: StripeStandIn, held: HeldRoom, demo_property: Any
) -> None:
    await checkout(stripe_api, held)
    intent = standin.only_intent()
    early = await confirm(stripe_api, held)
    assert early.status_code == 409 and early.json()["error"] == "payment_not_authorised"
    assert status_of(demo_property, held) == "held"
    standin.authorise(intent["id"])
    booked = await confirm(stripe_api, held)
    assert booked.status_code == 200, booked.text
    assert booked.json()["status"] == "confirmed" and booked.json()["reference"]
    assert standin.intents[intent["id"]]["status"] == "succeeded"
    assert_settled(demo_property, stripe_payments(standin))


async def test_a_timed_out_create_is_retried_with_the_same_key(
    stripe_settings: Settings,
    standin: StripeStandIn,
    held: HeldRoom,
    demo_property: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Before the app is built: the provider (and its HTTP client's timeout) is made with it.
    monkeypatch.setattr(stripe_provider, "TIMEOUT_SECONDS", 0.5)
    async with AsyncTestClient(app=create_app(stripe_settings)) as stripe_api:
        standin.delay_next("/v1/payment_intents", 2.0)
        answer = await checkout(stripe_api, held)
        creates = standin.calls_to("POST", "/v1/payment_intents")
        assert len(creates) >= 2, "the SDK should have retried after the timeout"
        assert {c.idempotency_key for c in creates} == {f"innkeep-{held.id}-authorise"}
        intent = standin.only_intent()  # one payment, however many tries
        assert answer["client_secret"] == intent["client_secret"]
        standin.authorise(intent["id"])
        assert (await confirm(stripe_api, held)).status_code == 200
    assert_settled(demo_property, stripe_payments(standin))


async def test_the_webhook_books_before_the_client_twice_and_late_harmlessly(
    stripe_api: Any, standin: StripeStandIn, held: HeldRoom, demo_property: Any
) -> None:
    await checkout(stripe_api, held)
    intent_id = standin.only_intent()["id"]
    standin.authorise(intent_id)
    body, headers = standin.event(
        "payment_intent.amount_capturable_updated", intent_id, WEBHOOK_SECRET
    )
    first = await stripe_api.post("/api/v1/webhooks/stripe", content=body, headers=headers)
    assert first.status_code == 200 and first.json()["outcome"] == "confirmed"
    twice = await stripe_api.post("/api/v1/webhooks/stripe", content=body, headers=headers)
    assert twice.status_code == 200 and twice.json()["outcome"] == "duplicate"
    assert status_of(demo_property, held) == "confirmed"
    # The guest's tab comes back afterwards: the same booking.
    reference = demo_property.execute(
        "SELECT reference FROM reservation WHERE id = %s", (held.id,)
    ).fetchone()
    client = await confirm(stripe_api, held)
    assert client.status_code == 200 and (client.json()["reference"],) == reference
    # A late `succeeded` (Stripe's echo of our capture) changes nothing.
    late = await webhook(stripe_api, standin, "payment_intent.succeeded", intent_id)
    assert late.status_code == 200
    assert len(standin.calls_to("POST", f"/v1/payment_intents/{intent_id}/capture")) >= 1
    emails = demo_property.execute("SELECT count(*) FROM outbox_message").fetchone()
    assert emails == (2,)  # one booking, one set of e-mails
    assert_settled(demo_property, stripe_payments(standin))


async def test_webhooks_are_verified_and_unknown_types_acknowledged(
    stripe_api: Any, standin: StripeStandIn, held: HeldRoom, demo_property: Any
) -> None:
    await checkout(stripe_api, held)
    intent_id = standin.only_intent()["id"]
    standin.authorise(intent_id)
    body, headers = standin.event(
        "payment_intent.amount_capturable_updated", intent_id, "whsec_someone_else"
    )
    forged = await stripe_api.post("/api/v1/webhooks/stripe", content=body, headers=headers)
    assert forged.status_code == 403
    unsigned = await stripe_api.post("/api/v1/webhooks/stripe", content=body)
    assert unsigned.status_code == 403
    assert status_of(demo_property, held) == "held"
    other = await webhook(stripe_api, standin, "charge.dispute.created", intent_id)
    assert other.status_code == 200 and other.json()["outcome"] == "ignored"


@pytest.mark.parametrize(
    "tamper",
    [{"amount": DUE_NOW - 100}, {"currency": "usd"}, {"metadata": {"hold_id": "someone-else"}}],
    ids=["amount", "currency", "hold"],
)
async def test_a_payment_that_does_not_match_the_hold_is_refused(
    stripe_api: Any,
    standin: StripeStandIn,
    held: HeldRoom,
    demo_property: Any,
    tamper: dict[str, Any],
) -> None:
    await checkout(stripe_api, held)
    intent_id = standin.only_intent()["id"]
    standin.authorise(intent_id)
    standin.set(intent_id, **tamper)
    answer = await confirm(stripe_api, held)
    assert answer.status_code == 409 and answer.json()["error"] == "payment_mismatch"
    assert status_of(demo_property, held) == "held"
    assert standin.intents[intent_id]["status"] == "requires_capture"  # nothing captured


async def test_the_reconciler_settles_a_payment_whose_confirmation_never_came(
    stripe_api: Any, standin: StripeStandIn, held: HeldRoom, demo_property: Any
) -> None:
    await checkout(stripe_api, held)
    intent_id = standin.only_intent()["id"]
    standin.authorise(intent_id)
    # The worker dies here: no confirm, no webhook. Later, the reconciler runs.
    demo_property.execute("INSERT INTO clock_offset (shift) VALUES ('5 minutes')")
    async with worker_connection(demo_property) as conn:
        outcomes = await run_reconciler(conn, standin)
    assert outcomes == {str(held.id): "confirmed"}
    assert status_of(demo_property, held) == "confirmed"
    assert_settled(demo_property, stripe_payments(standin))


async def test_a_room_taken_while_the_guest_pays_cancels_the_authorisation(
    stripe_api: Any, standin: StripeStandIn, held: HeldRoom, demo_property: Any
) -> None:
    await checkout(stripe_api, held)
    intent_id = standin.only_intent()["id"]
    # 3-D Secure takes too long: the hold lapses, is swept, and another guest books Room 1.
    demo_property.execute("INSERT INTO clock_offset (shift) VALUES ('30 minutes')")
    demo_property.execute("UPDATE reservation SET status = 'expired' WHERE id = %s", (held.id,))
    other = hold_room(demo_property, "Room 1", "2027-06-02", "2027-06-05")
    demo_property.execute(
        "UPDATE reservation SET status = 'confirmed', reference = 'OTH-ER01' WHERE id = %s",
        (other.id,),
    )
    standin.authorise(intent_id)
    answer = await confirm(stripe_api, held)
    assert answer.status_code == 409
    body = answer.json()
    assert body["error"] == "room_taken" and "not been charged" in body["message"]
    assert "double-sea-view" in body["free_room_types"]  # Rooms 2 and 3 are still free
    assert standin.intents[intent_id]["status"] == "canceled"
    assert status_of(demo_property, held) == "expired"
    demo_property.execute(
        "UPDATE reservation SET payment_ref = 'pi_other' WHERE id = %s", (other.id,)
    )
    payments = {**stripe_payments(standin), "pi_other": "succeeded"}
    assert_settled(demo_property, payments)


async def test_a_hold_that_lapsed_during_3ds_is_still_booked_while_its_nights_are_free(
    stripe_api: Any, standin: StripeStandIn, held: HeldRoom, demo_property: Any
) -> None:
    await checkout(stripe_api, held)
    intent_id = standin.only_intent()["id"]
    demo_property.execute("INSERT INTO clock_offset (shift) VALUES ('30 minutes')")
    demo_property.execute("UPDATE reservation SET status = 'expired' WHERE id = %s", (held.id,))
    standin.authorise(intent_id)
    answer = await confirm(stripe_api, held)
    assert answer.status_code == 200, answer.text
    assert status_of(demo_property, held) == "confirmed"
    assert_settled(demo_property, stripe_payments(standin))


async def test_the_reconciler_captures_a_booking_whose_worker_died_before_capture(
    stripe_api: Any, standin: StripeStandIn, held: HeldRoom, demo_property: Any
) -> None:
    await checkout(stripe_api, held)
    intent_id = standin.only_intent()["id"]
    standin.authorise(intent_id)
    async with worker_connection(demo_property) as conn:
        await book_without_capture(conn, held, intent_id)
        assert standin.intents[intent_id]["status"] == "requires_capture"
        demo_property.execute("INSERT INTO clock_offset (shift) VALUES ('5 minutes')")
        assert await run_reconciler(conn, standin) == {str(held.id): "captured"}
    assert_settled(demo_property, stripe_payments(standin))


async def test_a_booking_whose_authorisation_lapsed_before_capture_is_cancelled(
    stripe_api: Any, standin: StripeStandIn, held: HeldRoom, demo_property: Any
) -> None:
    demo_property.execute(
        """INSERT INTO webhook_endpoint (property_id, url, events, secret)
           SELECT id, 'https://hooks.example.com/in', '{booking.cancelled}', 'whsec_x'
           FROM property"""
    )
    await checkout(stripe_api, held)
    intent_id = standin.only_intent()["id"]
    standin.authorise(intent_id)
    async with worker_connection(demo_property) as conn:
        await book_without_capture(conn, held, intent_id)
        # Capture never happened, and Stripe let the authorisation go (it lapses after days).
        standin.set(intent_id, status="canceled")
        event = await webhook(stripe_api, standin, "payment_intent.canceled", intent_id)
        assert event.status_code == 200 and event.json()["outcome"] == "cancelled"
        demo_property.execute("INSERT INTO clock_offset (shift) VALUES ('5 minutes')")
        outcome = await run_reconciler(conn, standin)
        # Running again changes nothing (checked below: no second notice).
        await run_reconciler(conn, standin)
    assert outcome == {str(held.id): "booking_cancelled"}
    assert status_of(demo_property, held) == "cancelled"
    assert_settled(demo_property, stripe_payments(standin))
    # The guest (in German, as they chose) and the owner are told, once, that nothing was
    # charged.
    told = demo_property.execute(
        "SELECT kind, recipient, subject, body_text FROM outbox_message"
        " WHERE reservation_id = %s ORDER BY id",
        (held.id,),
    ).fetchall()
    assert [(kind, to) for kind, to, _, _ in told] == [
        ("guest_cancellation", "anna@example.com"),
        ("owner_cancellation", "hello@casalanterna.example"),
    ]
    assert "weil die Zahlung nicht eingezogen werden konnte" in told[0][3]
    assert "Ihre Karte wurde nicht belastet" in told[0][3]
    assert "erstattet" not in told[0][3]  # no refund line: nothing was paid
    # The owner's webhook is told too, once, in the same transaction as the e-mails.
    hooks = demo_property.execute("SELECT event_type, booking_ref FROM webhook_delivery")
    assert [event for event, _ in hooks.fetchall()] == ["booking.cancelled"]
    assert told[1][2].startswith("Cancelled, payment not taken: booking ")
