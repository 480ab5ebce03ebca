"""Whether a worker may trust what it remembers about a property, and when it must forget.

A calendar answer depends on the property's version (rules), its inventory version
(reservations) and its local date. Reading them costs a round trip to Postgres per request,
which would be most of a cached calendar's cost; so each worker keeps them in memory and
Postgres tells every worker when they change: a trigger sends ``NOTIFY innkeep_inventory``
on commit, whoever made the change (`widget.inventory.notifications` listens); for a
reservation's change it says what changed, and the memories move on to the new version
(`widget.inventory.stay_changes`). Entries also
lapse at the property's midnight and after `MAX_AGE` seconds, and while the listener is not
connected nothing is remembered at all.

Each memory (versions, busy stays) is its own object; `Freshness` is the rule they share:
it tells them when to forget and whether anything may be remembered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from widget.bounded import Bounded
from widget.coalesce import Coalesced
from widget.inventory.stay_changes import StayChange

T = TypeVar("T")

#: A safety net behind the notifications (a lost one costs at most this much staleness).
MAX_AGE = 30.0
#: How long a worker waits to hear of its own change before it forgets the property instead.
OWN_CHANGE_SECONDS = 0.25
#: Properties whose last heard inventory version a worker keeps (as its other memories).
PROPERTIES = 2000


class Memory(Protocol):
    """What a worker remembers about properties and forgets when told."""

    #: Whether anything may be remembered (a change could be heard); set by `Freshness`.
    listening: bool

    def forget(self, property_id: int | None) -> None:
        """Drop what is known of one property (or of all)."""
        ...

    def moved(self, change: StayChange) -> None:
        """Apply one reservation's change, or drop what it makes untrue."""
        ...


class Freshness:
    """One worker's memories of properties, told together to forget and whether to trust."""

    def __init__(self) -> None:
        self._memories: list[Memory] = []
        self._listening = False
        #: Bumped by every `forget`: a read that began before a change was announced may
        #: predate it, so it is not remembered, nor shared with requests that came after.
        self._generation = 0
        #: The last inventory version heard of, by property, and who waits to hear one.
        self._heard: Bounded[int, int] = Bounded(PROPERTIES)
        self._waiting: dict[int, list[tuple[int, asyncio.Future[None]]]] = {}

    def watch(self, memory: Memory) -> None:
        """Keep ``memory`` in step with the notifications from now on."""
        memory.listening = self._listening
        self._memories.append(memory)

    @property
    def listening(self) -> bool:
        """True while the listener is connected: only then may anything be remembered."""
        return self._listening

    @listening.setter
    def listening(self, value: bool) -> None:
        # Pushed to each memory, so that a lookup reads its own flag (the hot path).
        self._listening = value
        for memory in self._memories:
            memory.listening = value

    def forget(self, property_id: int | None = None) -> None:
        """Drop what every memory knows of one property (or of all)."""
        self._generation += 1
        for memory in self._memories:
            memory.forget(property_id)
        # What was heard is forgotten too: versions are only compared within one run of
        # notifications (a database restored from a copy starts them lower again).
        if property_id is None:
            self._heard.clear()
        else:
            self._heard.pop(property_id)
        for waiting in [property_id] if property_id is not None else list(self._waiting):
            self._wake(waiting, None)  # nothing left to be stale: they may go on

    def moved(self, change: StayChange) -> None:
        """Tell every memory of a reservation's change (a read in flight is not kept: it may
        predate the change, as after a `forget`)."""
        self._generation += 1
        for memory in self._memories:
            memory.moved(change)
        heard = self._heard.get(change.property_id) or 0
        self._heard.put(change.property_id, max(heard, change.version))
        self._wake(change.property_id, change.version)

    async def caught_up(self, property_id: int, version: int) -> None:
        """After this worker's own change, which made ``version``: return once its
        notification has moved the memories on (or they forgot the property), so that the
        writer's guest, whose next request may come to this worker, never reads what was
        true before. Not heard within `OWN_CHANGE_SECONDS` (the listener away or late), the
        property is forgotten. (Forgetting at once, as before, made the writer's worker read
        every stay ahead again after each of its holds.)"""
        if not self._listening:
            self.forget(property_id)
            return
        if (self._heard.get(property_id) or 0) >= version:
            return
        heard: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiting = self._waiting.setdefault(property_id, [])
        waiting.append((version, heard))
        try:
            await asyncio.wait_for(heard, OWN_CHANGE_SECONDS)
        except TimeoutError:
            self.forget(property_id)
        finally:
            if (version, heard) in waiting:
                waiting.remove((version, heard))
            if not waiting:
                self._waiting.pop(property_id, None)

    def _wake(self, property_id: int, version: int | None) -> None:
        """Wake who waits for ``version`` (or any, when None) of the property."""
        for wanted, heard in self._waiting.get(property_id, []):
            if (version is None or wanted <= version) and not heard.done():
                heard.set_result(None)

    async def read_once(
        self,
        reading: Coalesced[tuple[Any, ...], T],
        key: tuple[Any, ...],
        read: Callable[[], Awaitable[T]],
        keep: Callable[[T], None],
    ) -> T:
        """``read``, shared with the requests asking the same since the last `forget`, and
        kept only if nothing was forgotten meanwhile (the read may predate that change)."""
        generation = self._generation

        async def read_and_keep() -> T:
            value = await read()
            if generation == self._generation:
                keep(value)
            return value

        return await reading.run((*key, generation), read_and_keep)
