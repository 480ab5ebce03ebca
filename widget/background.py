"""Periodic jobs every worker runs (hold sweeper, e-mail sender, payment reconciler).

Each job must be safe when several workers run it at once (``FOR UPDATE SKIP LOCKED`` or a
fenced update), since the service holds no state of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from widget.idempotency import forget_old_idempotency_keys
from widget.mail.outbox import send_outbox
from widget.payments.reconcile import reconcile_payments
from widget.settings import Settings
from widget.state import Services

log = logging.getLogger(__name__)
STOP_SECONDS = 5.0


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[Services], Awaitable[object]]


async def sweep_holds(services: Services) -> int:
    """Expire holds whose time is up, giving back their gates and quota places."""
    async with services.pool.connection() as conn:
        return await services.holds.sweep(conn)


def jobs(settings: Settings) -> list[Job]:
    """The jobs of this version of Innkeep (add new ones here)."""
    return [
        Job("sweep-holds", settings.sweep_seconds, sweep_holds),
        Job("send-outbox", settings.outbox_seconds, send_outbox),
        Job("reconcile-payments", settings.reconcile_seconds, reconcile_payments),
        Job("forget-idempotency-keys", 3600.0, forget_old_idempotency_keys),
    ]


async def _loop(job: Job, services: Services) -> None:
    # A random first wait spreads the workers' rounds apart and keeps start-up quiet.
    await asyncio.sleep(job.every_seconds * random.random())
    while True:
        try:
            await job.run(services)
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
        [
            asyncio.create_task(_loop(job, services), name=job.name)
            for job in jobs(services.settings)
        ]
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
