"""The payment link of a phone booking, ``/pay/{hold_id}?key=…`` (the key being the hold's
token, the guest's details already on the hold): the guest sees the stay and pays it on the
page through the widget's own checkout and confirmation, with the demo provider and with
Stripe (the stand-in); paying twice books once."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg

from tests.helpers import advance_clock, set_clock
from tests.payments.conftest import DUE_NOW, HeldRoom
from tests.payments.stripe_standin import StripeStandIn
from tests.payments.test_pay_at_property import at_property
from tests.payments.test_pay_page import form_token
from tests.payments.test_payment_terms import DOUBLE, NOW

GUEST = {"name": "Paolo Neri", "email": "paolo@example.com", "language": "it"}


def with_guest(conn: psycopg.Connection[Any], held: HeldRoom) -> tuple[str, str]:
    """The hold as the desk's "send a payment link" leaves it: the guest's details stored."""
    conn.execute("UPDATE reservation SET guest = %s WHERE id = %s", (json.dumps(GUEST), held.id))
    return f"/pay/{held.id}", held.token


def booked(conn: psycopg.Connection[Any], held: HeldRoom) -> tuple[str, str | None]:
    row = conn.execute(
        "SELECT status, reference FROM reservation WHERE id = %s", (held.id,)
    ).fetchone()
    assert row is not None
    return str(row[0]), row[1]


async def test_the_guest_sees_the_stay_and_pays_it_once_on_the_page(
    demo_api: Any, demo_property: psycopg.Connection[Any], held: HeldRoom
) -> None:
    path, key = with_guest(demo_property, held)
    page = await demo_api.get(path, params={"key": key})
    assert page.status_code == 200, page.text
    # In the guest's language: who, which room, when, the total and what is due now.
    assert 'lang="it"' in page.text and "Paolo Neri" in page.text
    assert "Double room with sea view" in page.text
    assert "420,00\xa0€" in page.text and "432,00\xa0€" in page.text
    assert "Da pagare ora" in page.text
    assert "1 giugno 2027" in page.text and "4 giugno 2027" in page.text
    assert "tenuta per te fino alle" in page.text
    assert "js.stripe.com" not in page.headers["content-security-policy"]
    token = await form_token(demo_api, path, key)
    form = {"key": key, "_csrf_token": token, "test_card": "success"}
    for _ in range(2):  # a double click books (and charges) once
        paid = await demo_api.post(path, data=form)
        assert paid.status_code == 200 and 'data-testid="pay-done"' in paid.text, paid.text
    status, reference = booked(demo_property, held)
    assert status == "confirmed" and reference and reference in paid.text
    payments = demo_property.execute(
        "SELECT amount, status FROM demo_payment WHERE hold_id = %s", (held.id,)
    ).fetchall()
    assert payments == [(DUE_NOW, "succeeded")]
    again = await demo_api.get(path, params={"key": key})  # reloaded: still paid
    assert 'data-testid="pay-done"' in again.text and reference in again.text


async def test_a_wrong_key_is_404_and_an_ended_hold_410_in_a_plain_sentence(
    demo_api: Any, demo_property: psycopg.Connection[Any], held: HeldRoom
) -> None:
    path, key = with_guest(demo_property, held)
    wrong = await demo_api.get(path, params={"key": key + "x"})
    assert wrong.status_code == 404
    assert (await demo_api.get(path)).status_code == 404
    advance_clock(demo_property, timedelta(minutes=11))
    ended = await demo_api.get(path, params={"key": key})
    assert ended.status_code == 410 and "no longer held" in ended.text and "<" not in ended.text
    token_page = await demo_api.post(path, data={"key": key, "_csrf_token": "x"})
    assert token_page.status_code in (403, 410)
    assert booked(demo_property, held)[0] != "confirmed"


async def test_stripe_the_page_confirms_the_intent_it_made_and_books_once(
    stripe_api: Any,
    standin: StripeStandIn,
    demo_property: psycopg.Connection[Any],
    held: HeldRoom,
) -> None:
    path, key = with_guest(demo_property, held)
    page = await stripe_api.get(path, params={"key": key})
    assert page.status_code == 200, page.text
    assert "https://js.stripe.com" in page.headers["content-security-policy"]
    intent = standin.only_intent()
    assert intent["amount"] == DUE_NOW and intent["client_secret"] in page.text
    await stripe_api.get(path, params={"key": key})  # reloaded: the same intent
    assert standin.only_intent()["id"] == intent["id"]
    token = await form_token(stripe_api, path, key)
    form = {"key": key, "_csrf_token": token}
    early = await stripe_api.post(path, data=form)  # Stripe.js has not confirmed it yet
    assert 'data-testid="pay-declined"' in early.text
    assert booked(demo_property, held)[0] == "held"
    standin.authorise(intent["id"])  # Stripe.js confirmed the card in the browser
    for _ in range(2):
        paid = await stripe_api.post(path, data=form)
        assert 'data-testid="pay-done"' in paid.text, paid.text
    status, reference = booked(demo_property, held)
    assert status == "confirmed" and reference in paid.text
    assert len(standin.calls_to("POST", f"/v1/payment_intents/{intent['id']}/capture")) == 1


async def held_at_property(api: Any, conn: psycopg.Connection[Any], guarantee: bool) -> HeldRoom:
    """A hold of the demo's plan paid at the property, the guest's details stored on it."""
    set_clock(conn, NOW)
    at_property(conn, guarantee=guarantee)
    hold = (await api.post("/api/v1/properties/demo/holds", json=DOUBLE)).json()
    assert hold["quote"]["pay_at_property"] is True, hold
    held = HeldRoom(UUID(hold["id"]), hold["token"])
    with_guest(conn, held)
    return held


async def test_stripe_paid_at_the_property_the_button_books_without_stripe_js(
    stripe_api: Any, standin: StripeStandIn, demo_property: psycopg.Connection[Any]
) -> None:
    held = await held_at_property(stripe_api, demo_property, guarantee=False)
    path = f"/pay/{held.id}"
    until = "SELECT hold_expires_at FROM reservation WHERE id = %s"
    before = demo_property.execute(until, (held.id,)).fetchone()
    page = await stripe_api.get(path, params={"key": held.token})
    assert page.status_code == 200 and "js.stripe.com" not in page.text, page.text
    # Nothing to collect: looking at the page does not stretch the hold.
    assert demo_property.execute(until, (held.id,)).fetchone() == before
    form = {"key": held.token, "_csrf_token": await form_token(stripe_api, path, held.token)}
    done = await stripe_api.post(path, data=form)
    assert 'data-testid="pay-done"' in done.text, done.text
    assert booked(demo_property, held)[0] == "confirmed" and not standin.intents


async def test_demo_a_guarantee_keeps_the_card_and_books(
    demo_api: Any, demo_property: psycopg.Connection[Any]
) -> None:
    held = await held_at_property(demo_api, demo_property, guarantee=True)
    path = f"/pay/{held.id}"
    form = {"key": held.token, "_csrf_token": await form_token(demo_api, path, held.token)}
    done = await demo_api.post(path, data={**form, "test_card": "success"})
    assert 'data-testid="pay-done"' in done.text, done.text
    row = demo_property.execute(
        "SELECT status::text, customer_ref IS NOT NULL FROM reservation WHERE id = %s",
        (held.id,),
    ).fetchone()
    assert row == ("confirmed", True)
