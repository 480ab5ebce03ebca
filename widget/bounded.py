"""A mapping with a size bound that drops its least recently used entry first.

Every per-worker memory is one of these: one deployment may serve thousands of guesthouses,
and a worker must not grow with them. A memory only keeps what it can check again (a
version, a deadline), so a dropped entry costs one read, never a stale answer.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Bounded(Generic[K, V]):
    """At most ``size`` entries; using one makes it the last to go."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"a bounded memory holds at least one entry, not {size}")
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The entry under ``key`` (now the most recently used), or None."""
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def peek(self, key: K) -> V | None:
        """The entry under ``key``, or None, without making it more recent."""
        return self._entries.get(key)

    def put(self, key: K, value: V) -> K | None:
        """Keep ``value``; returns the key dropped to make room, if any."""
        self._entries[key] = value
        self._entries.move_to_end(key)
        if len(self._entries) > self.size:
            dropped, _ = self._entries.popitem(last=False)
            return dropped
        return None

    def pop(self, key: K) -> V | None:
        return self._entries.pop(key, None)

    def drop_where(self, doomed: Callable[[K, V], bool]) -> None:
        """Drop every entry for which ``doomed(key, value)`` is true."""
        for key in [k for k, v in self._entries.items() if doomed(k, v)]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[K]:
        return iter(list(self._entries))
