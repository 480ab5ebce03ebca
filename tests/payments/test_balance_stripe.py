"""The balance of a deposit booking through Stripe (the local stand-in): the first payment
saves the card on a Customer, the balance is an off-session PaymentIntent, a time-out is
retried under the same idempotency key, a decline is never retried, and a payment the bank
wants authenticated is confirmed by the guest on the link, that very PaymentIntent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from tests.helpers import set_clock
from tests.payments.conftest import GUEST
from tests.payments.stripe_standin import StripeStandIn
from tests.payments.test_payment_terms import (
    BALANCE_DAY,
    DOUBLE,
    HOLDS,
    NOW,
    SITE,
    charge_of_link,
    online_of,
)
from tests.payments.test_stripe_checkout import worker_connection
from widget.payments.balance import charge_due_balances
from widget.payments.provider import deployment_marker
from widget.payments.stripe_provider import StripeProvider
from widget.settings import DEV_SECRET_KEY


@pytest.fixture(autouse=True)
def clock(demo_property: psycopg.Connection[Any]) -> None:
    set_clock(demo_property, NOW)


async def book(api: Any, standin: StripeStandIn, card: str) -> dict[str, Any]:
    hold = (await api.post(HOLDS, json=DOUBLE)).json()
    headers = {"X-Hold-Token": hold["token"]}
    out = await api.post(f"/api/v1/holds/{hold['id']}/checkout", json=GUEST, headers=headers)
    assert out.status_code == 200, out.text
    first = standin.only_intent()
    standin.authorise(first["id"], card)
    assert (
        await api.post(f"/api/v1/holds/{hold['id']}/confirm", headers=headers)
    ).status_code == 200
    return hold


def provider(standin: StripeStandIn, timeout: float | None = None) -> StripeProvider:
    return StripeProvider(
        "sk_test_standin",
        "pk_test_standin",
        deployment=deployment_marker(DEV_SECRET_KEY),
        api_base=standin.url,
        timeout=timeout,
        max_network_retries=0,
    )


async def run_job(
    db: psycopg.Connection[Any], standin: StripeStandIn, http_timeout: float | None = None
) -> list[str]:
    async with worker_connection(db) as conn:
        done = await charge_due_balances(conn, provider(standin, http_timeout), SITE)
        return list(done.values())


def balance_intents(standin: StripeStandIn) -> list[dict[str, Any]]:
    return [i for i in standin.intents.values() if i["off_session"]]


async def test_the_first_payment_saves_the_card_and_a_timed_out_balance_is_retried_same_key(
    stripe_api: Any, standin: StripeStandIn, demo_property: psycopg.Connection[Any]
) -> None:
    hold = await book(stripe_api, standin, "pm_card_visa")
    (first,) = standin.intents.values()
    assert first["setup_future_usage"] == "off_session"
    assert first["customer"] in standin.customers
    assert first["amount"] == hold["quote"]["due_now"]
    set_clock(demo_property, BALANCE_DAY)
    # Stripe takes the payment but its answer is lost: our call times out.
    standin.delay_next("/v1/payment_intents", 1.5)
    assert await run_job(demo_property, standin, http_timeout=0.3) == ["unanswered"]
    set_clock(demo_property, BALANCE_DAY.replace(hour=10))
    assert await run_job(demo_property, standin) == ["succeeded"]
    (balance,) = balance_intents(standin)  # one PaymentIntent however many tries
    creates = [
        c
        for c in standin.calls_to("POST", "/v1/payment_intents")
        if c.params.get("off_session") == "true"
    ]
    assert len(creates) == 2 and len({c.idempotency_key for c in creates}) == 1
    assert balance["customer"] == first["customer"]
    assert balance["payment_method"] == "pm_card_visa"
    assert first["amount"] + balance["amount_received"] == online_of(hold["quote"])


async def test_a_declined_balance_is_not_retried_and_marks_the_booking_balance_due(
    stripe_api: Any, standin: StripeStandIn, demo_property: psycopg.Connection[Any]
) -> None:
    await book(stripe_api, standin, "pm_card_chargeDeclined")
    set_clock(demo_property, BALANCE_DAY)
    assert await run_job(demo_property, standin) == ["balance_due"]
    set_clock(demo_property, datetime(2027, 3, 9, tzinfo=UTC))
    assert await run_job(demo_property, standin) == []
    assert len(balance_intents(standin)) == 1
    assert demo_property.execute("SELECT payment_status FROM reservation").fetchone() == (
        "balance_due",
    )


async def test_authentication_required_is_confirmed_by_the_guest_on_that_payment_intent(
    stripe_api: Any, standin: StripeStandIn, demo_property: psycopg.Connection[Any]
) -> None:
    hold = await book(stripe_api, standin, "pm_card_authenticationRequired")
    set_clock(demo_property, BALANCE_DAY)
    assert await run_job(demo_property, standin) == ["requires_action"]
    mail = demo_property.execute(
        "SELECT body_text FROM outbox_message WHERE kind = 'guest_balance_action'"
    ).fetchone()
    assert mail is not None
    charge_id, key = charge_of_link(demo_property, mail[0])
    (balance,) = balance_intents(standin)
    shown = (await stripe_api.get(f"/api/v1/charges/{charge_id}", params={"key": key})).json()
    assert shown["payment_id"] == balance["id"]
    assert shown["client_secret"] == balance["client_secret"]
    standin.authenticate(balance["id"])  # Stripe.js on the guest's page
    done = await stripe_api.post(f"/api/v1/charges/{charge_id}/confirm", params={"key": key})
    assert done.json()["status"] == "succeeded", done.text
    assert len(balance_intents(standin)) == 1
    first = next(i for i in standin.intents.values() if not i["off_session"])
    assert first["amount_received"] + balance["amount_received"] == online_of(hold["quote"])


async def test_a_balance_taken_whose_attempt_was_lost_in_a_failover_is_found_not_charged_again(
    stripe_api: Any, standin: StripeStandIn, demo_property: psycopg.Connection[Any]
) -> None:
    """A balance carries no hold, so the reconciler's capture check passes it by: what finds
    it is the balance job itself. Its attempt is numbered from the charge's finished tries,
    so after a failover that lost the attempt and the success (the charge is due again, as
    before the job ran) the next round makes the same attempt under the same key, and Stripe
    answers the first call's payment instead of charging the guest again."""
    hold = await book(stripe_api, standin, "pm_card_visa")
    set_clock(demo_property, BALANCE_DAY)
    before = demo_property.execute(
        """SELECT to_jsonb(c), (SELECT coalesce(max(id), 0) FROM outbox_message)
           FROM booking_charge c"""
    ).fetchone()
    assert before is not None
    assert await run_job(demo_property, standin) == ["succeeded"]
    (taken,) = balance_intents(standin)
    # The failover: the new primary has the charge as it was before the job claimed it.
    demo_property.execute("DELETE FROM charge_attempt")
    demo_property.execute("DELETE FROM outbox_message WHERE id > %s", (before[1],))
    demo_property.execute(
        """UPDATE booking_charge c
           SET status = b.status, tries = b.tries, payment_ref = b.payment_ref,
               leased_until = b.leased_until, next_try_at = b.next_try_at
           FROM jsonb_populate_record(NULL::booking_charge, %s) b WHERE c.id = b.id""",
        (psycopg.types.json.Jsonb(before[0]),),
    )
    assert demo_property.execute("SELECT status FROM booking_charge").fetchone() == ("scheduled",)
    assert await run_job(demo_property, standin) == ["succeeded"]
    assert balance_intents(standin) == [taken]  # the guest was charged once
    assert demo_property.execute("SELECT payment_ref FROM booking_charge").fetchone() == (
        taken["id"],
    )
    creates = [
        c
        for c in standin.calls_to("POST", "/v1/payment_intents")
        if c.params.get("off_session") == "true"
    ]
    assert len(creates) == 2 and len({c.idempotency_key for c in creates}) == 1
    first = next(i for i in standin.intents.values() if not i["off_session"])
    assert first["amount"] + taken["amount_received"] == online_of(hold["quote"])
