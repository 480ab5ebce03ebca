"""Concurrent requests that need the same read share one: a query instead of one each.

When a room is taken, Postgres tells every worker at once, and every request in flight then
finds its memory empty together. Without sharing, each of them would ask Postgres the same
question; with it, the first asks and the others wait for its answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar, cast

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Coalesced(Generic[K, V]):
    """One load per key at a time; callers that arrive while it runs get its answer.

    A load that fails is not shared: each waiting caller then loads for itself, so an error
    is reported by the request that met it."""

    def __init__(self) -> None:
        self._running: dict[K, asyncio.Future[tuple[bool, V | None]]] = {}

    async def run(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        running = self._running.get(key)
        if running is not None:
            # Shielded: a waiter that is cancelled must not cancel the answer for the others.
            loaded, value = await asyncio.shield(running)
            if loaded:
                return cast(V, value)
            return await load()
        future: asyncio.Future[tuple[bool, V | None]] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            value = await load()
        except BaseException:
            future.set_result((False, None))
            raise
        finally:
            if self._running.get(key) is future:
                del self._running[key]
        future.set_result((True, value))
        return value
