"""The reconciler settles each payment under a lease row, not a session-level lock that
PgBouncer in transaction mode could not keep: another worker's lease is respected until it
lapses, and a reconciler stopped mid-settling (SIGTERM cancels its job) gives it back."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg

from tests.payments.conftest import HeldRoom
from tests.payments.stripe_standin import StripeStandIn
from tests.payments.test_stripe_checkout import checkout, run_reconciler, worker_connection


def leases(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT count(*) FROM payment_settling").fetchone()
    assert row is not None
    return int(row[0])


async def authorised_and_quiet(
    stripe_api: Any, standin: StripeStandIn, held: HeldRoom, db: psycopg.Connection[Any]
) -> None:
    """A payment authorised whose confirmation never came, quiet long enough to settle."""
    await checkout(stripe_api, held)
    standin.authorise(standin.only_intent()["id"])
    db.execute("INSERT INTO clock_offset (shift) VALUES ('5 minutes')")


async def test_another_workers_lease_is_respected_until_it_lapses(
    stripe_api: Any, standin: StripeStandIn, held: HeldRoom, demo_property: Any
) -> None:
    await authorised_and_quiet(stripe_api, standin, held, demo_property)
    demo_property.execute(
        """INSERT INTO payment_settling
           VALUES (%s, gen_random_uuid(), clock_timestamp() + interval '1 minute')""",
        (held.id,),
    )
    async with worker_connection(demo_property) as conn:
        assert await run_reconciler(conn, standin) == {}
        demo_property.execute("UPDATE payment_settling SET until = clock_timestamp()")
        assert await run_reconciler(conn, standin) == {str(held.id): "confirmed"}
    assert leases(demo_property) == 0


async def test_a_reconciler_stopped_mid_settling_gives_its_lease_back(
    stripe_api: Any, standin: StripeStandIn, held: HeldRoom, demo_property: Any
) -> None:
    await authorised_and_quiet(stripe_api, standin, held, demo_property)
    standin.delay_next("/v1/payment_intents/", 5.0)  # the provider is slow to answer
    async with worker_connection(demo_property) as conn:
        job = asyncio.create_task(run_reconciler(conn, standin))
        while leases(demo_property) == 0:  # noqa: ASYNC110 - a row another connection writes
            await asyncio.sleep(0.02)
        job.cancel()  # what stopping the worker does to its background jobs
        await asyncio.gather(job, return_exceptions=True)
    assert leases(demo_property) == 0
