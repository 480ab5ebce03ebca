"""Periodic jobs every worker runs (hold sweeper, e-mail sender, payment reconciler).

Each job must be safe when several workers run it at once (``FOR UPDATE SKIP LOCKED`` or a
fenced update), since the service holds no state of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from widget.state import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[Services], Awaitable[object]]


def jobs() -> list[Job]:
    """The jobs of this version of Innkeep (add new ones here)."""
    return []


async def _loop(job: Job, services: Services) -> None:
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
        [asyncio.create_task(_loop(job, services), name=job.name) for job in jobs()]
        if enabled
        else []
    )
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
