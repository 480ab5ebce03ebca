"""The guest's payment page, ``/pay/{id}?key=…``: the balance the bank wants authenticated,
a failed balance paid with another card, a card kept as a guarantee replaced; each link for
one purpose, unguessable, ending after a while; paying twice charges once. Through HTTP,
with the demo provider and with the Stripe stand-in (webhooks signed as Stripe signs them).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.helpers import set_clock
from tests.payments.conftest import GUEST, WEBHOOK_SECRET
from tests.payments.stripe_standin import StripeStandIn
from tests.payments.test_balance_stripe import balance_intents
from tests.payments.test_balance_stripe import book as book_stripe
from tests.payments.test_balance_stripe import run_job as run_stripe_job
from tests.payments.test_manage_booking import manage_link
from tests.payments.test_pay_at_property import at_property
from tests.payments.test_pay_at_property import book as book_at_property
from tests.payments.test_payment_terms import (
    BALANCE_DAY,
    DOUBLE,
    NOW,
    SITE,
    book,
    card_on_file,
    online_of,
    paid_in_all,
    run_job,
)
from tests.payments.test_stripe_checkout import worker_connection
from widget.mail.phrases import PHRASES
from widget.payments.balance import remind_balances
from widget.sql import queries
from widget.tokens import new_token, token_hash


@pytest.fixture(autouse=True)
def clock(demo_property: psycopg.Connection[Any]) -> None:
    set_clock(demo_property, NOW)


def mails(conn: psycopg.Connection[Any], kind: str) -> list[tuple[str, str]]:
    """(subject, text) of the outbox's e-mails of ``kind``."""
    rows = conn.execute(
        "SELECT subject, body_text FROM outbox_message WHERE kind = %s ORDER BY created_at",
        (kind,),
    ).fetchall()
    return [(str(subject), str(text)) for subject, text in rows]


def pay_path(text: str) -> tuple[str, str]:
    """The page's path and key, from the link in an e-mail's text."""
    url = re.search(r"https?://\S+/pay/\S+", text)
    assert url is not None, text
    parts = urlsplit(url.group(0))
    return parts.path, parts.query.removeprefix("key=")


async def form_token(api: Any, path: str, key: str) -> str:
    """The CSRF token of the page's form, as the guest's browser gets it."""
    page = await api.get(path, params={"key": key})
    assert page.status_code == 200, page.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token is not None, page.text
    return token.group(1)


async def submit(api: Any, path: str, key: str, *, times: int = 1, **fields: str) -> Any:
    """The page's form, sent ``times`` times as the guest's browser sends it (a double
    click, or the answer reloaded); the last answer."""
    token = await form_token(api, path, key)
    for _ in range(times):
        answer = await api.post(path, data={"key": key, "_csrf_token": token, **fields})
    return answer


def charge_state(conn: psycopg.Connection[Any]) -> tuple[str, str]:
    row = conn.execute(
        """SELECT c.status, r.payment_status FROM booking_charge c
           JOIN reservation r ON r.id = c.reservation_id"""
    ).fetchone()
    assert row is not None
    return str(row[0]), str(row[1])


async def test_a_balance_needing_authentication_is_confirmed_on_the_page_and_charged_once(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    booked = await book(demo_api, DOUBLE, test_card="authentication_required")
    set_clock(demo_property, BALANCE_DAY)
    assert list((await run_job(demo_property, quiet_settings)).values()) == ["requires_action"]
    ((subject, text),) = mails(demo_property, "guest_balance_action")
    assert "Restbetrag" in subject and "Ihre Bank" in text  # the guest chose German
    path, key = pay_path(text)
    page = await demo_api.get(path, params={"key": key})
    assert page.status_code == 200
    assert 'lang="de"' in page.text and "Zahlung bestätigen" in page.text
    nonce = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"])
    assert nonce is not None and f'nonce="{nonce.group(1)}"' in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "js.stripe.com" not in page.headers["content-security-policy"]  # demo: no Stripe
    assert page.headers["referrer-policy"] == "same-origin"  # never the key to another site
    paid = await submit(demo_api, path, key, times=2)  # the second click takes nothing more
    assert paid.status_code == 200 and 'data-testid="pay-done"' in paid.text
    assert paid_in_all(demo_property) == online_of(booked["quote"])
    assert charge_state(demo_property) == ("succeeded", "paid")
    ((receipt, _),) = mails(demo_property, "guest_balance_charged")  # one receipt
    assert "bezahlt" in receipt


async def test_a_declined_balance_is_paid_on_the_link_with_another_card(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    booked = await book(demo_api, DOUBLE)
    card_on_file(demo_property, booked["reference"], "decline")
    set_clock(demo_property, BALANCE_DAY)
    assert list((await run_job(demo_property, quiet_settings)).values()) == ["balance_due"]
    assert len(mails(demo_property, "owner_balance_due")) == 1
    ((subject, text),) = mails(demo_property, "guest_balance_failed")
    assert "nicht abgebucht" in subject
    path, key = pay_path(text)
    declined = await submit(demo_api, path, key, test_card="decline")
    assert 'data-testid="pay-declined"' in declined.text
    assert charge_state(demo_property) == ("balance_due", "balance_due")
    assert paid_in_all(demo_property) == booked["quote"]["due_now"]
    paid = await submit(demo_api, path, key, times=2, test_card="success")
    assert 'data-testid="pay-done"' in paid.text
    assert charge_state(demo_property) == ("succeeded", "paid")
    assert paid_in_all(demo_property) == online_of(booked["quote"])


async def test_a_link_serves_its_one_purpose_and_ends(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    await book(demo_api, DOUBLE, test_card="authentication_required")
    # A week before: the reminder's link replaces the card; it cannot pay anything.
    set_clock(demo_property, BALANCE_DAY - timedelta(days=7))
    async with worker_connection(demo_property) as conn:
        await remind_balances(conn, SITE)
    ((_, reminder),) = mails(demo_property, "guest_balance_reminder")
    card_path, card_key = pay_path(reminder)
    (charge_id,) = demo_property.execute("SELECT id FROM booking_charge").fetchone() or ()
    refused = await demo_api.post(f"/api/v1/charges/{charge_id}/confirm", params={"key": card_key})
    assert refused.status_code == 404
    set_clock(demo_property, BALANCE_DAY)
    await run_job(demo_property, quiet_settings)
    ((_, action),) = mails(demo_property, "guest_balance_action")
    path, key = pay_path(action)
    assert path != card_path
    # The card link still only saves a card: the balance waits for its own link.
    saved = await submit(demo_api, card_path, card_key, test_card="success")
    assert 'data-testid="pay-done"' in saved.text
    assert charge_state(demo_property)[0] == "requires_action"
    wrong = await demo_api.get(path, params={"key": key[:-2] + "xx"})
    assert wrong.status_code == 404 and key not in wrong.text
    assert (await demo_api.get(path)).status_code == 404
    set_clock(demo_property, BALANCE_DAY + timedelta(days=15))
    ended = await demo_api.get(path, params={"key": key})
    assert ended.status_code == 410 and "abgelaufen" in ended.text
    token = "x"
    late = await demo_api.post(path, data={"key": key, "_csrf_token": token})
    assert late.status_code in (403, 410)
    assert charge_state(demo_property)[0] == "requires_action"  # nothing paid by it


async def test_stripe_the_guest_authenticates_that_intent_and_the_signed_webhook_records_it(
    stripe_api: Any, standin: StripeStandIn, demo_property: psycopg.Connection[Any]
) -> None:
    hold = await book_stripe(stripe_api, standin, "pm_card_authenticationRequired")
    set_clock(demo_property, BALANCE_DAY)
    assert await run_stripe_job(demo_property, standin) == ["requires_action"]
    ((_, text),) = mails(demo_property, "guest_balance_action")
    path, key = pay_path(text)
    (balance,) = balance_intents(standin)
    page = await stripe_api.get(path, params={"key": key})
    csp = page.headers["content-security-policy"]
    assert "https://js.stripe.com" in csp and "frame-ancestors 'none'" in csp
    assert balance["client_secret"] in page.text  # Stripe.js confirms THAT intent
    assert '"payment_method": "pm_card_authenticationRequired"' in page.text
    standin.authenticate(balance["id"])  # the guest passes the bank's check, then the tab closes
    body, headers = standin.event("payment_intent.succeeded", balance["id"], WEBHOOK_SECRET)
    heard = await stripe_api.post("/api/v1/webhooks/stripe", content=body, headers=headers)
    assert heard.status_code == 200 and heard.json()["outcome"] == "charge_succeeded"
    again = await stripe_api.post("/api/v1/webhooks/stripe", content=body, headers=headers)
    assert again.json()["outcome"] == "duplicate"
    done = await stripe_api.get(path, params={"key": key})  # the page, later: nothing new
    assert 'data-testid="pay-done"' in done.text
    assert charge_state(demo_property) == ("succeeded", "paid")
    assert len(balance_intents(standin)) == 1
    first = next(i for i in standin.intents.values() if not i["off_session"])
    assert first["amount_received"] + balance["amount"] == online_of(hold["quote"])
    assert len(mails(demo_property, "guest_balance_charged")) == 1


async def test_stripe_a_guarantee_card_is_replaced_through_the_manage_page(
    stripe_api: Any, standin: StripeStandIn, demo_property: psycopg.Connection[Any]
) -> None:
    at_property(demo_property, guarantee=True)
    hold = (await stripe_api.post("/api/v1/properties/demo/holds", json=DOUBLE)).json()
    headers = {"X-Hold-Token": hold["token"]}
    await stripe_api.post(f"/api/v1/holds/{hold['id']}/checkout", json=GUEST, headers=headers)
    (setup,) = standin.setup_intents.values()
    standin.confirm_setup(setup["id"], "pm_card_visa")
    assert (
        await stripe_api.post(f"/api/v1/holds/{hold['id']}/confirm", headers=headers)
    ).status_code == 200
    ((guests,),) = demo_property.execute(
        "SELECT body_text FROM outbox_message WHERE kind = 'guest_confirmation'"
    ).fetchall()
    assert "Ihre Karte wird als Garantie hinterlegt" in guests
    ((owners,),) = demo_property.execute(
        "SELECT body_text FROM outbox_message WHERE kind = 'owner_notification'"
    ).fetchall()
    assert not any(words["guarantee"] in owners for words in PHRASES.values())  # not "your card"
    manage, secret = manage_link(demo_property)
    shown = await stripe_api.get(manage, params={"key": secret})
    assert "Ihre Karte wird als Garantie hinterlegt" in shown.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', shown.text)
    assert token is not None
    moved = await stripe_api.post(
        f"{manage}/card",
        follow_redirects=False,
        data={"key": secret, "_csrf_token": token.group(1)},
    )
    assert moved.status_code == 303
    parts = urlsplit(moved.headers["location"])
    path, key = parts.path, parts.query.removeprefix("key=")
    for _ in range(2):  # a reload makes no second SetupIntent
        page = await stripe_api.get(path, params={"key": key})
        assert page.status_code == 200
    new_setup = [s for s in standin.setup_intents.values() if s["id"] != setup["id"]]
    assert len(new_setup) == 1 and new_setup[0]["client_secret"] in page.text
    token = await form_token(stripe_api, path, key)
    form = {"key": key, "_csrf_token": token}
    early = await stripe_api.post(path, data=form)  # not confirmed by Stripe.js yet
    assert 'data-testid="pay-declined"' in early.text
    standin.confirm_setup(new_setup[0]["id"], "pm_card_mastercard")
    saved = await stripe_api.post(path, data=form)
    assert 'data-testid="pay-done"' in saved.text
    row = demo_property.execute("SELECT payment_method_ref FROM reservation").fetchone()
    assert row == ("pm_card_mastercard",)
    assert not [i for i in standin.intents.values() if i["amount_received"]]  # nothing charged


async def test_no_card_to_replace_is_a_409_and_changes_nothing(
    demo_api: Any, demo_property: psycopg.Connection[Any]
) -> None:
    at_property(demo_property, guarantee=False)
    await book_at_property(demo_api)
    manage, secret = manage_link(demo_property)
    shown = await demo_api.get(manage, params={"key": secret})
    assert 'data-testid="change-card"' not in shown.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', shown.text)
    assert token is not None
    refused = await demo_api.post(
        f"{manage}/card", data={"key": secret, "_csrf_token": token.group(1)}
    )
    assert refused.status_code == 409 and refused.json()["error"] == "no_card_kept"
    assert demo_property.execute("SELECT count(*) FROM payment_link").fetchone() == (0,)


def left_without_a_payment(conn: psycopg.Connection[Any]) -> tuple[str, str]:
    """The booking's balance due with no payment to confirm (the provider refused before
    making one, or the owner asks the guest to pay), and its link as a caller that links
    to ``/pay/{charge id}`` makes it (``keep_link_token``): the path and the key."""
    (charge_id,) = (
        conn.execute(
            """UPDATE booking_charge SET status = 'balance_due', payment_ref = NULL, tries = 1
           RETURNING id"""
        ).fetchone()
        or ()
    )
    conn.execute("UPDATE reservation SET payment_status = 'balance_due'")
    key = new_token()
    conn.execute(
        queries("payments")["keep_link_token"], {"id": charge_id, "token_hash": token_hash(key)}
    )
    conn.commit()
    return f"/pay/{charge_id}", key


async def test_a_balance_due_without_a_payment_gets_one_payment_made_and_paid_once(
    demo_api: Any, demo_property: psycopg.Connection[Any]
) -> None:
    booked = await book(demo_api, DOUBLE)
    path, key = left_without_a_payment(demo_property)
    for _ in range(2):  # opening the page twice makes one payment
        assert (await demo_api.get(path, params={"key": key})).status_code == 200
    paid = await submit(demo_api, path, key, times=2, test_card="success")
    assert 'data-testid="pay-done"' in paid.text
    assert charge_state(demo_property) == ("succeeded", "paid")
    assert demo_property.execute(
        "SELECT count(*) FROM demo_payment WHERE hold_id IS NULL"
    ).fetchone() == (1,)
    assert paid_in_all(demo_property) == online_of(booked["quote"])


async def test_stripe_a_balance_due_without_a_payment_is_paid_once_and_the_webhook_records_it(
    stripe_api: Any, standin: StripeStandIn, demo_property: psycopg.Connection[Any]
) -> None:
    hold = await book_stripe(stripe_api, standin, "pm_card_visa")
    path, key = left_without_a_payment(demo_property)
    for _ in range(2):
        page = await stripe_api.get(path, params={"key": key})
    (made,) = [i for i in standin.intents.values() if i["metadata"].get("charge_id")]
    assert made["client_secret"] in page.text and made["capture_method"] != "manual"
    standin.set(made["id"], status="succeeded", amount_received=made["amount"])  # Stripe.js
    body, headers = standin.event("payment_intent.succeeded", made["id"], WEBHOOK_SECRET)
    heard = await stripe_api.post("/api/v1/webhooks/stripe", content=body, headers=headers)
    assert heard.json()["outcome"] == "charge_succeeded"
    assert charge_state(demo_property) == ("succeeded", "paid")
    first = next(i for i in standin.intents.values() if i["capture_method"] == "manual")
    assert first["amount_received"] + made["amount_received"] == online_of(hold["quote"])
