"""After the booking: the guest reads it with its secret, and cancels it on the page the
e-mail links to, under the property's policy, refunded through the provider."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import psycopg

from tests.browser_rules import form_origin
from tests.payments.conftest import DUE_NOW, GUEST, HeldRoom
from tests.payments.stripe_standin import StripeStandIn


async def book(api: Any, held: HeldRoom) -> str:
    await api.post(f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=held.headers)
    answer = await api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["reference"])


def manage_link(conn: psycopg.Connection[Any]) -> tuple[str, str]:
    """The link in the guest's e-mail: (path, secret)."""
    row = conn.execute(
        "SELECT body_text FROM outbox_message WHERE kind = 'guest_confirmation'"
    ).fetchone()
    assert row is not None
    url = re.search(r"https?://\S+/manage/\S+", row[0])
    assert url is not None
    parts = urlsplit(url.group(0))
    return parts.path, parts.query.removeprefix("key=")


async def cancel(api: Any, path: str, secret: str) -> Any:
    page = await api.get(path, params={"key": secret})
    assert page.status_code == 200
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    # As the guest's browser posts the form: with the Origin the page's policy lets it send.
    return await api.post(
        f"{path}/cancel",
        data={"key": secret, "_csrf_token": token.group(1)},
        headers={"Origin": form_origin(page)},
    )


async def test_a_booking_is_read_only_with_its_secret(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any]
) -> None:
    reference = await book(demo_api, held)
    _, secret = manage_link(demo_property)
    url = f"/api/v1/bookings/{reference}"
    answer = await demo_api.get(url, headers={"X-Booking-Secret": secret})
    assert answer.status_code == 200
    booking = answer.json()
    assert booking["reference"] == reference and booking["status"] == "confirmed"
    assert booking["guest"]["email"] == "anna@example.com"
    assert booking["paid"] == {"amount": DUE_NOW, "currency": "EUR"}
    assert booking["cancellation"]["refund_if_cancelled_now"]["amount"] == DUE_NOW
    assert (await demo_api.get(url)).status_code == 404
    assert (await demo_api.get(url, headers={"X-Booking-Secret": "guess"})).status_code == 404
    assert (await demo_api.get(url, headers={"X-Booking-Secret": held.token})).status_code == 404


async def test_the_guest_cancels_free_of_charge_well_before_arrival(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any]
) -> None:
    reference = await book(demo_api, held)
    path, secret = manage_link(demo_property)
    page = await demo_api.get(path, params={"key": secret})
    assert page.status_code == 200 and reference in page.text
    # The page's address carries the secret: it never goes to another site.
    assert page.headers["referrer-policy"] == "same-origin"
    # The page speaks the guest's language (German), dates and money included.
    assert '<html lang="de">' in page.text
    assert "Buchungsnummer" in page.text and "Diese Buchung stornieren" in page.text
    assert "Dienstag, 1. Juni 2027" in page.text
    assert "Kostenlose Stornierung bis Dienstag, 25. Mai 2027" in page.text
    assert 'data-testid="refund-now">420,00\xa0€</strong>' in page.text
    done = await cancel(demo_api, path, secret)
    assert done.status_code == 200
    assert f"Ihre Buchung {reference} ist storniert." in done.text
    assert "420,00\xa0€ werden Ihrer Karte gutgeschrieben." in done.text
    assert 'data-status="cancelled">Storniert<' in done.text
    status = demo_property.execute(
        "SELECT status::text, refund_amount, payment_status FROM reservation WHERE id = %s",
        (held.id,),
    ).fetchone()
    assert status == ("cancelled", DUE_NOW, "refunded")
    refunded = demo_property.execute("SELECT amount_refunded FROM demo_payment").fetchone()
    assert refunded == (DUE_NOW,)
    kinds = [r[0] for r in demo_property.execute("SELECT kind FROM outbox_message ORDER BY id")]
    assert kinds[-2:] == ["guest_cancellation", "owner_cancellation"]
    # The nights are free again, and a second click refunds nothing more.
    again = await demo_api.get(path, params={"key": secret})
    assert "cancel-booking" not in again.text


async def test_a_late_cancellation_refunds_the_policys_percentage(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any]
) -> None:
    await book(demo_api, held)
    path, secret = manage_link(demo_property)
    # Three days before arrival (1 June 2027): past the 7 free days, so 50% comes back.
    demo_property.execute(
        "INSERT INTO clock_offset (shift) VALUES (timestamptz '2027-05-29 12:00+02' - now())"
    )
    assert (await cancel(demo_api, path, secret)).status_code == 200
    refunded = demo_property.execute("SELECT amount_refunded FROM demo_payment").fetchone()
    assert refunded == (DUE_NOW // 2,)


async def test_the_cancel_form_needs_its_csrf_token_and_the_secret(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any]
) -> None:
    await book(demo_api, held)
    path, secret = manage_link(demo_property)
    forged = await demo_api.post(f"{path}/cancel", data={"key": secret})
    assert forged.status_code == 403
    assert forged.json()["error"] == "csrf_failed"
    page = await demo_api.get(path, params={"key": secret})
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    wrong_key = await demo_api.post(
        f"{path}/cancel", data={"key": "guess", "_csrf_token": token.group(1)}
    )
    assert wrong_key.status_code == 404
    status = demo_property.execute("SELECT status::text FROM reservation").fetchone()
    assert status == ("confirmed",)


async def test_a_stripe_booking_is_refunded_through_stripe(
    stripe_api: Any, standin: StripeStandIn, held: HeldRoom, demo_property: Any
) -> None:
    await stripe_api.post(f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=held.headers)
    intent_id = standin.only_intent()["id"]
    standin.authorise(intent_id)
    assert (
        await stripe_api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    ).status_code == 200
    path, secret = manage_link(demo_property)
    assert (await cancel(stripe_api, path, secret)).status_code == 200
    (refund,) = standin.refunds.values()
    assert refund["payment_intent"] == intent_id and refund["amount"] == DUE_NOW
    (call,) = standin.calls_to("POST", "/v1/refunds")
    assert call.idempotency_key == f"innkeep-{held.id}-cancel-refund"
