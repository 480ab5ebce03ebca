"""Nothing the guest types may break a booking: checkout refuses control and bidirectional
override characters before any payment is made, keeps every printable character (right-to-
left scripts and emoji included), and the reconciler cancels authorisations that no booking
points to, but only this deployment's own."""

from __future__ import annotations

import time
from typing import Any

import psycopg

from tests.payments.conftest import GUEST, HeldRoom, assert_settled, demo_payments, hold_room
from tests.payments.stripe_standin import StripeStandIn
from tests.payments.test_stripe_checkout import run_reconciler, worker_connection
from widget.payments.demo_provider import DemoProvider
from widget.payments.reconcile import reconcile
from widget.settings import Settings

#: Odd but allowed: quotes, a comma, angle brackets, Arabic, Hebrew (with points) and emoji,
#: with the joiners that emoji sequences and Arabic need, and what looks like an encoded word.
ODD_NAME = 'Zoë "Zee" O\'Brien, <Ltd> محمد عبد الله שָׁלוֹם 👩\u200d👩\u200d👧 🇮🇹 =?utf-8?q?Hi?='
ODD_NOTE = "Ankunft spät\n\t– mit der Fähre 🚢\nسنصل متأخرين\r\nנגיע מאוחר ☺"


def with_guest(**changes: Any) -> dict[str, Any]:
    return {**GUEST, "guest": {**GUEST["guest"], **changes}}  # type: ignore[dict-item]


def stored(conn: psycopg.Connection[Any], held: HeldRoom) -> tuple[Any, ...]:
    row = conn.execute(
        "SELECT guest, payment_ref, payment_status FROM reservation WHERE id = %s", (held.id,)
    ).fetchone()
    assert row is not None
    return tuple(row)


async def test_a_nul_in_the_name_is_refused_before_any_payment_is_made(
    stripe_api: Any, standin: StripeStandIn, held: HeldRoom, demo_property: Any
) -> None:
    answer = await stripe_api.post(
        f"/api/v1/holds/{held.id}/checkout",
        json=with_guest(name="Anna\x00Schmidt"),
        headers=held.headers,
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "invalid" and answer.json()["field"] == "guest.name"
    assert standin.intents == {}, "a payment was authorised for a refused checkout"
    assert stored(demo_property, held) == (None, None, None)


REFUSED = [
    ("name", "Anna\x00"),
    ("name", "Anna\r\nBcc: x@evil.example"),
    ("name", "Anna\nSchmidt"),
    ("name", "Anna\tSchmidt"),
    ("name", "\x1b[2J\x1b[31mAnna"),
    ("name", "Anna\x7f"),
    ("name", "Anna\x85Schmidt"),  # C1: NEL
    ("name", "Anna\u2028Schmidt"),  # a line separator is a newline too
    ("name", "Anna \u202egnp.exe"),
    ("name", "\u202aAnna"),
    ("name", "Anna\u2066x\u2069"),
    ("name", "Anna\u2068"),
    ("note", "late\x00"),
    ("note", "late\x07"),
    ("note", "late\rarrival"),
    ("note", "late \u202b arrival"),
    ("note", "late \u2067 arrival"),
    ("email", "gast@beispiel.example\n"),
    ("email", "gast@beispiel.example\r\nBcc: x@evil.example"),
    ("email", " gast@beispiel.example"),
    ("email", "gast@beis piel.example"),
    ("email", "gast@beispiel.example\u202e"),
    ("email", "anna@localhost"),
    ("email", "anna..schmidt@example.com"),
    ("phone", "+49\x0030"),
]


async def test_control_and_override_characters_are_refused_naming_the_field(
    demo_api: Any, held: HeldRoom, demo_property: Any
) -> None:
    # One hold for every case (none may change it), to keep the suite fast.
    for field, value in REFUSED:
        answer = await demo_api.post(
            f"/api/v1/holds/{held.id}/checkout",
            json=with_guest(**{field: value}),
            headers=held.headers,
        )
        case = f"{field}={value!r}: {answer.status_code} {answer.text}"
        assert answer.status_code == 422, case
        assert answer.json()["error"] == "invalid", case
        assert answer.json()["field"] == f"guest.{field}", case
        assert value not in answer.text, case  # the field is named, the value not echoed
    assert stored(demo_property, held) == (None, None, None)
    assert demo_payments(demo_property) == {}


async def test_names_and_notes_keep_every_printable_character(
    demo_api: Any, held: HeldRoom, demo_property: Any
) -> None:
    body = with_guest(name=ODD_NAME, note=ODD_NOTE, email="Anna.Schmidt+inn@Example.COM")
    answer = await demo_api.post(
        f"/api/v1/holds/{held.id}/checkout", json=body, headers=held.headers
    )
    assert answer.status_code == 200, answer.text
    booked = await demo_api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    assert booked.status_code == 200, booked.text
    guest = stored(demo_property, held)[0]
    assert guest["name"] == ODD_NAME
    assert guest["note"] == ODD_NOTE.replace("\r\n", "\n")  # one newline convention
    assert guest["email"] == "Anna.Schmidt+inn@example.com"  # the domain is case-blind
    mails = dict(
        demo_property.execute(
            "SELECT kind, body_text FROM outbox_message WHERE reservation_id = %s", (held.id,)
        ).fetchall()
    )
    assert ODD_NAME in mails["guest_confirmation"]
    assert "سنصل متأخرين" in mails["owner_notification"]


async def test_the_reconciler_cancels_our_orphan_authorisations_and_no_one_elses(
    stripe_api: Any,
    stripe_settings: Settings,
    standin: StripeStandIn,
    held: HeldRoom,
    demo_property: Any,
) -> None:
    # A checkout's authorisation that was never stored on its hold (the worker died in
    # between), made through the service's own provider ...
    answer = await stripe_api.post(
        f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=held.headers
    )
    assert answer.status_code == 200, answer.text
    ours = standin.only_intent()
    standin.authorise(ours["id"])
    demo_property.execute("UPDATE reservation SET payment_ref = NULL WHERE id = %s", (held.id,))
    # ... another application's authorisation on the same Stripe account ...
    _, theirs = standin.handle(
        "POST",
        "/v1/payment_intents",
        {"amount": "5000", "currency": "eur", "capture_method": "manual", "metadata": {}},
        None,
    )
    standin.authorise(theirs["id"])
    # ... and a fresh one of ours, whose hold may still store it.
    fresh_hold = hold_room(demo_property, "Room 2")
    fresh = await stripe_api.post(
        f"/api/v1/holds/{fresh_hold.id}/checkout", json=GUEST, headers=fresh_hold.headers
    )
    assert fresh.status_code == 200, fresh.text
    fresh_id = next(i for i in standin.intents if i not in (ours["id"], theirs["id"]))
    standin.authorise(fresh_id)
    demo_property.execute(
        "UPDATE reservation SET payment_ref = NULL WHERE id = %s", (fresh_hold.id,)
    )
    # The first hold ends; the reconciler runs later.
    demo_property.execute("UPDATE reservation SET status = 'expired' WHERE id = %s", (held.id,))
    demo_property.execute("INSERT INTO clock_offset (shift) VALUES ('5 minutes')")
    async with worker_connection(demo_property) as conn:
        outcomes = await run_reconciler(conn, standin, stripe_settings.secret_key)
    assert outcomes.get(ours["id"]) == "orphan_cancelled"
    assert standin.intents[ours["id"]]["status"] == "canceled"
    assert standin.intents[theirs["id"]]["status"] == "requires_capture"  # not ours to touch
    assert standin.intents[fresh_id]["status"] == "requires_capture"  # its hold may store it
    listed = standin.calls_to("GET", "/v1/payment_intents")
    assert listed and int(listed[0].params["created"]["gt"]) < time.time() - 3600


async def test_the_reconciler_cancels_an_orphan_demo_payment(
    demo_api: Any, held: HeldRoom, demo_property: Any, database_url: str
) -> None:
    answer = await demo_api.post(
        f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=held.headers
    )
    assert answer.status_code == 200, answer.text
    demo_property.execute(
        "UPDATE reservation SET payment_ref = NULL, status = 'expired' WHERE id = %s", (held.id,)
    )
    demo_property.execute("INSERT INTO clock_offset (shift) VALUES ('5 minutes')")
    (payment_id,) = demo_payments(demo_property)
    async with worker_connection(demo_property) as conn:
        outcomes = await reconcile(conn, DemoProvider(database_url), "http://x.test")
    assert outcomes == {payment_id: "orphan_cancelled"}
    assert_settled(demo_property, demo_payments(demo_property))
