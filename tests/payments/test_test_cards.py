"""The demo provider's test cards at checkout, as the widget's test card field sends them
(named after Stripe's): a declining card is refused with its own code and the room stays
held for another card; a card that asks the bank to confirm waits for the guest's answer to
the demo bank, and a cancelled check books nothing until a card goes through."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.helpers import set_clock
from tests.payments.conftest import GUEST
from tests.payments.test_payment_terms import DOUBLE, HOLDS, NOW


@pytest.fixture(autouse=True)
def clock(demo_property: psycopg.Connection[Any]) -> None:
    set_clock(demo_property, NOW)


async def held(api: Any) -> tuple[str, dict[str, str], int]:
    answer = await api.post(HOLDS, json=DOUBLE)
    assert answer.status_code == 201, answer.text
    hold = answer.json()
    return f"/api/v1/holds/{hold['id']}", {"X-Hold-Token": hold["token"]}, hold["quote"]["due_now"]


def reserved(conn: psycopg.Connection[Any]) -> list[tuple[str, int]]:
    """The demo ledger's payments that hold or took money: (status, amount)."""
    rows = conn.execute(
        "SELECT status, amount FROM demo_payment WHERE status IN ('requires_capture', 'succeeded')"
    )
    return [(status, int(amount)) for status, amount in rows.fetchall()]


def in_language(language: str) -> dict[str, Any]:
    return {**GUEST, "guest": {**GUEST["guest"], "language": language}}


@pytest.mark.parametrize(
    ("card", "code", "language", "words"),
    [
        ("decline", "card_declined", "en", "declined; nothing was charged"),
        ("insufficient_funds", "insufficient_funds", "en", "insufficient funds; nothing was"),
        # The widget shows the message as given: the guest reads it in their language.
        ("decline", "card_declined", "it", "rifiutata; non è stato addebitato nulla"),
        ("insufficient_funds", "insufficient_funds", "de", "nicht ausreichend gedeckt"),
    ],
)
async def test_a_declined_card_is_refused_and_the_room_stays_held_for_another(
    demo_api: Any,
    demo_property: psycopg.Connection[Any],
    card: str,
    code: str,
    language: str,
    words: str,
) -> None:
    hold, token, due_now = await held(demo_api)
    refused = await demo_api.post(
        f"{hold}/checkout", json={**in_language(language), "test_card": card}, headers=token
    )
    assert refused.status_code == 402, refused.text
    body = refused.json()
    assert body["error"] == "card_declined" and body["decline_code"] == code
    assert words in body["message"]
    assert reserved(demo_property) == []
    unpaid = await demo_api.post(f"{hold}/confirm", headers=token)
    assert unpaid.status_code == 409  # no booking without the payment
    paid = await demo_api.post(
        f"{hold}/checkout", json={**GUEST, "test_card": "success"}, headers=token
    )
    assert paid.status_code == 200 and paid.json()["status"] == "authorised", paid.text
    booked = await demo_api.post(f"{hold}/confirm", headers=token)
    assert booked.status_code == 200, booked.text
    assert reserved(demo_property) == [("succeeded", due_now)]  # one payment, taken once


async def test_authentication_waits_for_the_bank_and_a_cancelled_check_books_nothing(
    demo_api: Any, demo_property: psycopg.Connection[Any]
) -> None:
    hold, token, due_now = await held(demo_api)
    card = {**GUEST, "test_card": "authentication_required"}
    asked = await demo_api.post(f"{hold}/checkout", json=card, headers=token)
    assert asked.status_code == 200 and asked.json()["status"] == "requires_action", asked.text
    early = await demo_api.post(f"{hold}/confirm", headers=token)
    assert early.status_code == 409 and early.json()["error"] == "payment_not_authorised"

    cancelled = await demo_api.post(f"{hold}/demo-bank", json={"passed": False}, headers=token)
    assert cancelled.json() == {"status": "requires_payment_method"}
    assert (await demo_api.post(f"{hold}/confirm", headers=token)).status_code == 409
    assert reserved(demo_property) == []

    again = await demo_api.post(f"{hold}/checkout", json=card, headers=token)
    assert again.json()["status"] == "requires_action", again.text
    passed = await demo_api.post(f"{hold}/demo-bank", json={"passed": True}, headers=token)
    assert passed.json() == {"status": "requires_capture"}
    booked = await demo_api.post(f"{hold}/confirm", headers=token)
    assert booked.status_code == 200, booked.text
    assert reserved(demo_property) == [("succeeded", due_now)]


async def test_the_demo_bank_answers_only_its_own_holds(demo_api: Any) -> None:
    hold, token, _ = await held(demo_api)
    wrong = await demo_api.post(
        f"{hold}/demo-bank", json={"passed": True}, headers={"X-Hold-Token": "nope"}
    )
    assert wrong.status_code == 404
    before = await demo_api.post(f"{hold}/demo-bank", json={"passed": True}, headers=token)
    assert before.status_code == 409 and before.json()["error"] == "payment_not_started"


async def test_there_is_no_demo_bank_beside_stripe(stripe_api: Any) -> None:
    hold, token, _ = await held(stripe_api)
    stripe = await stripe_api.post(f"{hold}/demo-bank", json={"passed": True}, headers=token)
    assert stripe.status_code == 404 and "Stripe" in stripe.json()["message"]
