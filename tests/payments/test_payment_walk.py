"""The reconciler walks the provider's whole list of this deployment's payments, a few pages a
round, from a cursor kept in Postgres: every payment is checked once, however many there are,
with two reconcilers at once, and across a restart; one listing serves the orphan and the
capture checks."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import psycopg
import pytest

from tests.payments.conftest import hold_room
from tests.payments.stripe_standin import StripeStandIn
from tests.payments.test_stripe_checkout import run_reconciler, worker_connection
from widget.payments import reconcile as reconciler
from widget.payments.demo_provider import DemoProvider
from widget.payments.provider import DEPLOYMENT_KEY, deployment_marker
from widget.settings import DEV_SECRET_KEY

SITE = "http://innkeep.test"


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of 10, two a round: a few dozen payments take several rounds."""
    monkeypatch.setattr(reconciler, "PAGE_SIZE", 10)
    monkeypatch.setattr(reconciler, "PAGES_PER_ROUND", 2)


def stray_payments(standin: StripeStandIn, count: int, age: int) -> dict[str, str]:
    """``count`` payments of ours no reservation points to (their checkout's write was lost),
    made ``age`` seconds ago, every third one captured, the rest authorised; and another
    application's authorisation after each. Returns what the reconciler must do to each."""
    expected: dict[str, str] = {}
    for n in range(count):
        for meta in (ours(uuid.uuid4()), {}):
            intent = authorised(standin, meta, age)
            if meta and n % 3 == 0:
                standin.set(intent, status="succeeded", amount_received=9000)
                expected[intent] = "stray_refunded"
            elif meta:
                expected[intent] = "orphan_cancelled"
    return expected


def ours(hold_id: object) -> dict[str, str]:
    """The metadata this deployment puts on the payment for ``hold_id``."""
    return {DEPLOYMENT_KEY: deployment_marker(DEV_SECRET_KEY), "hold_id": str(hold_id)}


def authorised(standin: StripeStandIn, metadata: dict[str, str], age: int) -> str:
    """An authorised payment of 90.00 with ``metadata``, made ``age`` seconds ago; its id."""
    _, intent = standin.handle(
        "POST",
        "/v1/payment_intents",
        {"amount": "9000", "currency": "eur", "capture_method": "manual", "metadata": metadata},
        None,
    )
    standin.authorise(intent["id"])
    standin.set(intent["id"], created=int(time.time()) - age)
    return str(intent["id"])


def acted_on(standin: StripeStandIn) -> list[str]:
    """Every payment the reconciler cancelled or refunded, once per call."""
    cancels = [c.path.split("/")[3] for c in standin.calls if c.path.endswith("/cancel")]
    refunds = [c.params["payment_intent"] for c in standin.calls if c.path == "/v1/refunds"]
    return cancels + refunds


async def test_every_payment_is_checked_once_over_several_rounds_and_a_restart(
    demo_property: psycopg.Connection[Any], standin: StripeStandIn
) -> None:
    first = stray_payments(standin, 27, age=600)  # 54 listed: three rounds of 20
    rounds: list[dict[str, str]] = []
    for _ in range(3):  # each round a new worker (a restart): only the cursor carries over
        async with worker_connection(demo_property) as conn:
            rounds.append(await run_reconciler(conn, standin))
    assert [len(r) for r in rounds] == [10, 10, 7]  # 20 listed a round, half of them ours
    assert {k: v for r in rounds for k, v in r.items()} == first
    assert sorted(acted_on(standin)) == sorted(first)  # each exactly once
    pages = standin.calls_to("GET", "/v1/payment_intents")
    assert len(pages) == 6  # one listing for both checks, bounded per round
    assert "starting_after" in pages[2].params  # the second round went on from the first's

    # Payments made since, and a round when their quiet has passed: only they are checked.
    second = stray_payments(standin, 4, age=60)
    demo_property.execute("INSERT INTO clock_offset (shift) VALUES ('5 minutes')")
    async with worker_connection(demo_property) as conn:
        assert await run_reconciler(conn, standin) == second
    assert sorted(acted_on(standin)) == sorted(first | second)
    for intent_id, outcome in (first | second).items():
        expected = "canceled" if outcome == "orphan_cancelled" else "succeeded"
        assert standin.intents[intent_id]["status"] == expected
        assert standin.intents[intent_id]["metadata"].get(DEPLOYMENT_KEY)
    assert len(standin.refunds) == list((first | second).values()).count("stray_refunded")


async def test_two_reconcilers_at_once_check_each_payment_once(
    demo_property: psycopg.Connection[Any], standin: StripeStandIn
) -> None:
    expected = stray_payments(standin, 25, age=600)
    seen: dict[str, str] = {}
    for _ in range(4):
        async with worker_connection(demo_property) as one, worker_connection(demo_property) as two:
            both = await asyncio.gather(run_reconciler(one, standin), run_reconciler(two, standin))
        assert not set(both[0]) & set(both[1])
        for outcomes in both:
            assert not set(outcomes) & set(seen)
            seen.update(outcomes)
    assert seen == expected
    assert sorted(acted_on(standin)) == sorted(expected)


async def test_an_authorisation_whose_hold_is_open_is_put_aside_not_lost(
    demo_property: psycopg.Connection[Any], standin: StripeStandIn
) -> None:
    """Its checkout may still store it: the walk goes on past it, and it is read again each
    round until its hold has ended, then cancelled."""
    held = hold_room(demo_property, "Room 2")
    others = stray_payments(standin, 12, age=600)
    intent = authorised(standin, ours(held.id), age=600)  # listed first: the newest
    seen: dict[str, str] = {}
    for _ in range(3):
        async with worker_connection(demo_property) as conn:
            seen.update(await run_reconciler(conn, standin))
    assert seen == others  # the walk went past it
    assert standin.intents[intent]["status"] == "requires_capture"
    demo_property.execute("UPDATE reservation SET status = 'expired' WHERE id = %s", (held.id,))
    async with worker_connection(demo_property) as conn:
        assert await run_reconciler(conn, standin) == {intent: "orphan_cancelled"}
        assert await run_reconciler(conn, standin) == {}
    assert standin.intents[intent]["status"] == "canceled"
    assert sorted(acted_on(standin)) == sorted([*others, intent])


def demo_strays(db: psycopg.Connection[Any], count: int) -> dict[str, str]:
    """``count`` demo payments no reservation points to, made ten minutes ago in the same
    instant (the walk orders them by id then), every third one captured."""
    rows = db.execute(
        """INSERT INTO demo_payment (id, idempotency_key, hold_id, amount, currency, status,
                                     amount_received, created_at)
           SELECT 'demo_pi_' || n, 'key-' || n, gen_random_uuid(), 9000, 'EUR',
                  CASE WHEN n %% 3 = 0 THEN 'succeeded' ELSE 'requires_capture' END,
                  CASE WHEN n %% 3 = 0 THEN 9000 ELSE 0 END,
                  now() - interval '10 minutes'
           FROM generate_series(1, %s) AS n
           RETURNING id, status""",
        (count,),
    ).fetchall()
    return {r[0]: "stray_refunded" if r[1] == "succeeded" else "orphan_cancelled" for r in rows}


async def test_the_demo_provider_is_walked_the_same_way(
    demo_property: psycopg.Connection[Any], database_url: str
) -> None:
    expected = demo_strays(demo_property, 45)  # three rounds of 20 (the last 5)
    seen: dict[str, str] = {}
    for _ in range(2):
        async with worker_connection(demo_property) as one, worker_connection(demo_property) as two:
            both = await asyncio.gather(
                reconciler.reconcile(one, DemoProvider(database_url), SITE),
                reconciler.reconcile(two, DemoProvider(database_url), SITE),
            )
        for outcomes in both:
            assert not set(outcomes) & set(seen)  # each payment checked once
            seen.update(outcomes)
    assert len(seen) == 40  # bounded: two rounds of two pages
    async with worker_connection(demo_property) as conn:  # a restart: the cursor carries on
        seen.update(await reconciler.reconcile(conn, DemoProvider(database_url), SITE))
    assert seen == expected
    statuses = dict(demo_property.execute("SELECT id, status FROM demo_payment").fetchall())
    assert statuses == {
        k: "canceled" if v == "orphan_cancelled" else "succeeded" for k, v in expected.items()
    }
    refunded = demo_property.execute(
        "SELECT count(*) FROM demo_payment WHERE amount_refunded = amount"
    ).fetchone()
    assert refunded == (15,)


async def test_a_payment_put_aside_that_cannot_be_read_holds_nothing_up(
    demo_property: psycopg.Connection[Any], standin: StripeStandIn
) -> None:
    held = hold_room(demo_property, "Room 2")
    intent = authorised(standin, ours(held.id), age=600)
    async with worker_connection(demo_property) as conn:
        assert await run_reconciler(conn, standin) == {}  # put aside: its hold is open
    del standin.intents[intent]  # Stripe cannot give it back now (404)
    later = stray_payments(standin, 3, age=60)
    demo_property.execute("INSERT INTO clock_offset (shift) VALUES ('5 minutes')")
    async with worker_connection(demo_property) as conn:
        assert await run_reconciler(conn, standin) == later
    waiting = demo_property.execute("SELECT payment_ref FROM payment_listing_wait").fetchall()
    assert waiting == [(intent,)]  # still read again next round
