"""Listening for ``NOTIFY innkeep_inventory``: Postgres telling this worker what changed.

A trigger notifies on the commit of any change to a property's rules (the payload is its
id) or reservations (the change itself: `widget.inventory.stay_changes`), and on a move of
the database's clock (``*``: everything). The listener
needs its own direct connection (not one of the pool's, which PgBouncer may share):
``INNKEEP_DATABASE_LISTEN_URL`` when the main URL goes through a pooler.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import psycopg

from widget.inventory.freshness import Freshness
from widget.inventory.stay_changes import PREFIX, StayChange

log = logging.getLogger(__name__)

CHANNEL = "innkeep_inventory"


async def listen(freshness: Freshness, conninfo: str) -> None:
    """Follow the notifications until cancelled, reconnecting after any failure."""
    delay = 0.5
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(
                conninfo, autocommit=True, prepare_threshold=None
            ) as conn:
                await conn.execute(f"LISTEN {CHANNEL}")
                # Anything may have changed while we were not listening.
                freshness.forget()
                freshness.listening = True
                delay = 0.5
                async for notice in conn.notifies():
                    heard(freshness, notice.payload)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("inventory notifications interrupted, retrying: %s", exc)
        finally:
            freshness.listening = False
            freshness.forget()
        await asyncio.sleep(delay)
        delay = min(delay * 2, 10.0)


def heard(freshness: Freshness, payload: str) -> None:
    """Act on one notification: a reservation's change, a property's id, or ``*``."""
    if payload.startswith(PREFIX):
        try:
            change = StayChange.parse(payload)
        except ValueError:
            freshness.forget()  # not understood: nothing known may still be true
            return
        freshness.moved(change)
    elif payload == "*":
        freshness.forget()
    else:
        with contextlib.suppress(ValueError):
            freshness.forget(int(payload))


@contextlib.asynccontextmanager
async def listening(freshness: Freshness, conninfo: str) -> AsyncIterator[None]:
    """Run the listener for as long as the context is open."""
    task = asyncio.create_task(listen(freshness, conninfo), name="inventory-notifications")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
