"""Checkout and confirmation with the offline demo provider, as the demo guest sees them."""

from __future__ import annotations

from typing import Any

import psycopg

from tests.payments.conftest import DUE_NOW, GUEST, HeldRoom, assert_settled, demo_payments


def payment_of(conn: psycopg.Connection[Any], held: HeldRoom) -> tuple[Any, ...]:
    row = conn.execute(
        "SELECT payment_ref, payment_status, guest, status::text FROM reservation WHERE id = %s",
        (held.id,),
    ).fetchone()
    assert row is not None
    return tuple(row)


async def test_checkout_authorises_the_stored_amount_and_extends_the_hold(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any]
) -> None:
    before = demo_property.execute(
        "SELECT hold_expires_at FROM reservation WHERE id = %s", (held.id,)
    ).fetchone()
    answer = await demo_api.post(
        f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=held.headers
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["provider"] == "demo" and body["status"] == "authorised"
    assert body["test_payment"] is True and "no money" in body["notice"]
    assert body["amount"] == {"amount": DUE_NOW, "currency": "EUR"}
    ref, status, guest, hold_status = payment_of(demo_property, held)
    assert ref.startswith("demo_pi_") and status == "requires_capture" and hold_status == "held"
    assert guest["email"] == "anna@example.com" and guest["language"] == "de"
    # The payment grace period (900 s) was added to the 10 minutes the hold had.
    after = demo_property.execute(
        "SELECT hold_expires_at FROM reservation WHERE id = %s", (held.id,)
    ).fetchone()
    assert before is not None and after is not None
    assert (after[0] - before[0]).total_seconds() > 250
    amount = demo_property.execute("SELECT amount, currency FROM demo_payment").fetchone()
    assert amount == (DUE_NOW, "EUR")


async def test_confirm_books_once_and_a_second_confirm_returns_the_same_booking(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any]
) -> None:
    await demo_api.post(f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=held.headers)
    first = await demo_api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    assert first.status_code == 200, first.text
    booking = first.json()
    assert booking["status"] == "confirmed" and booking["payment_status"] == "captured"
    assert booking["paid"] == {"amount": DUE_NOW, "currency": "EUR"}
    assert booking["check_in"] == "2027-06-01" and booking["room_type"] == "double-sea-view"
    again = await demo_api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    assert again.status_code == 200 and again.json()["reference"] == booking["reference"]
    mails = demo_property.execute(
        "SELECT kind, recipient, subject FROM outbox_message ORDER BY id"
    ).fetchall()
    assert [(k, r) for k, r, _ in mails] == [
        ("guest_confirmation", "anna@example.com"),
        ("owner_notification", "hello@casalanterna.example"),
    ]
    assert booking["reference"] in mails[0][2] and "bestätigt" in mails[0][2]
    assert_settled(demo_property, demo_payments(demo_property))


async def test_checkout_refuses_bad_details_naming_the_field_and_changes_nothing(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any]
) -> None:
    url = f"/api/v1/holds/{held.id}/checkout"
    bad_email = {**GUEST, "guest": {**GUEST["guest"], "email": "anna-at-example"}}  # type: ignore[dict-item]
    answer = await demo_api.post(url, json=bad_email, headers=held.headers)
    assert answer.status_code == 422 and answer.json()["field"] == "guest.email"
    bad_language = {**GUEST, "guest": {**GUEST["guest"], "language": "pt"}}  # type: ignore[dict-item]
    answer = await demo_api.post(url, json=bad_language, headers=held.headers)
    assert answer.status_code == 422 and answer.json()["field"] == "guest.language"
    refused = await demo_api.post(
        url, json={**GUEST, "accept_cancellation_policy": False}, headers=held.headers
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "accept_cancellation_policy"
    assert payment_of(demo_property, held)[:3] == (None, None, None)
    assert demo_payments(demo_property) == {}


async def test_a_wrong_token_reveals_nothing(demo_api: Any, held: HeldRoom) -> None:
    answer = await demo_api.post(
        f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers={"X-Hold-Token": "guess"}
    )
    assert answer.status_code == 404
    confirm = await demo_api.post(f"/api/v1/holds/{held.id}/confirm")
    assert confirm.status_code == 404


async def test_confirm_before_checkout_is_refused(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any]
) -> None:
    answer = await demo_api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    assert answer.status_code == 409 and answer.json()["error"] == "payment_not_started"
    assert payment_of(demo_property, held)[3] == "held"


async def test_a_lapsed_hold_cannot_check_out(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any]
) -> None:
    demo_property.execute("INSERT INTO clock_offset (shift) VALUES ('11 minutes')")
    answer = await demo_api.post(
        f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=held.headers
    )
    assert answer.status_code == 409 and answer.json()["error"] == "hold_expired"
    assert demo_payments(demo_property) == {}


async def test_a_retried_checkout_with_the_same_key_makes_one_payment(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any]
) -> None:
    headers = {**held.headers, "Idempotency-Key": "checkout-1"}
    url = f"/api/v1/holds/{held.id}/checkout"
    first = await demo_api.post(url, json=GUEST, headers=headers)
    again = await demo_api.post(url, json=GUEST, headers=headers)
    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len(demo_payments(demo_property)) == 1
