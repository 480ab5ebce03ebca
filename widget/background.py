"""Periodic jobs every worker runs (hold sweeper, e-mail and webhook senders, payment
reconciler, iCal importer).

Each job must be safe when several workers run it at once (``FOR UPDATE SKIP LOCKED`` or a
fenced update), since the service holds no state of its own. When the worker stops
(SIGTERM, after the requests in flight), each job is cancelled: its open transaction rolls
back and the reconciler gives back its lease, so another host takes the work over at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from widget.db import Pool
from widget.deliveries.sender import send_webhooks
from widget.guests.privacy import erase_departed_guests
from widget.idempotency import forget_old_idempotency_keys
from widget.inventory.holds import Holds
from widget.mail.outbox import send_outbox
from widget.payments.balance import balance_job
from widget.payments.reconcile import reconcile_payments
from widget.state import Services
from widget.sync.polling import SyncOptions, import_due_feeds

log = logging.getLogger(__name__)
STOP_SECONDS = 5.0


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    #: One round, with the parts of the service it uses already bound.
    run: Callable[[], Awaitable[object]]


async def forget_departed_guests(pool: Pool) -> int:
    """Anonymise guests whose property's retention years have passed since they left."""
    async with pool.connection() as conn:
        return await erase_departed_guests(conn)


async def sweep_holds(pool: Pool, holds: Holds) -> int:
    """Expire holds whose time is up, giving back their gates and quota places."""
    async with pool.connection() as conn:
        return await holds.sweep(conn)


def jobs(services: Services) -> list[Job]:
    """The jobs of this version of Innkeep (add new ones here), each given what it uses."""
    settings, pool = services.settings, services.pool
    return [
        Job("sweep-holds", settings.sweep_seconds, partial(sweep_holds, pool, services.holds)),
        Job("send-outbox", settings.outbox_seconds, partial(send_outbox, pool, settings)),
        Job("send-webhooks", settings.webhook_seconds, partial(send_webhooks, pool, settings)),
        Job(
            "reconcile-payments",
            settings.reconcile_seconds,
            partial(reconcile_payments, pool, services.payments, settings),
        ),
        Job(
            "charge-balances",
            settings.reconcile_seconds,
            partial(balance_job, pool, services.payments, settings),
        ),
        Job("forget-idempotency-keys", 3600.0, partial(forget_old_idempotency_keys, pool)),
        # Every worker may import; each feed's lease keeps it with one of them at a time.
        Job(
            "import-feeds",
            settings.sync_seconds,
            partial(
                import_due_feeds,
                pool,
                SyncOptions(settings, holds=services.holds, metrics=services.metrics),
            ),
        ),
        Job("guest-retention", 3600.0, partial(forget_departed_guests, pool)),
    ]


async def _loop(job: Job) -> None:
    # A random first wait spreads the workers' rounds apart and keeps start-up quiet.
    await asyncio.sleep(job.every_seconds * random.random())
    while True:
        try:
            await job.run()
        except asyncio.CancelledError:
            raise
        except Exception:
            # A failing job must not stop the service; it logs and tries again next round.
            log.exception("background job %s failed", job.name)
        await asyncio.sleep(job.every_seconds)


@contextlib.asynccontextmanager
async def running_jobs(services: Services, enabled: bool = True) -> AsyncIterator[None]:
    """Run every job in the background for as long as the context is open."""
    tasks = (
        [asyncio.create_task(_loop(job), name=job.name) for job in jobs(services)]
        if enabled
        else []
    )
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        if tasks:
            # Shutdown must not hang on a job stuck in I/O: give them a moment, then go.
            _, stuck = await asyncio.wait(tasks, timeout=STOP_SECONDS)
            for task in stuck:
                log.warning("background job %s did not stop in time", task.get_name())
