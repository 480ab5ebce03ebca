"""The calendar answers one worker keeps in memory, each also gzipped once."""

from __future__ import annotations

import gzip
from collections import OrderedDict

#: Calendar answers a worker keeps in memory (each a few to a few dozen KB).
BODIES = 512


class CalendarBodies:
    """The most recently used calendar answers, by their cache key."""

    def __init__(self, size: int = BODIES) -> None:
        self._size = size
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._gzipped: dict[str, bytes] = {}

    def body(self, key: str) -> bytes | None:
        """The answer kept under ``key``, if any."""
        body = self._bodies.get(key)
        if body is not None:
            self._bodies.move_to_end(key)
        return body

    def keep(self, key: str, body: bytes) -> None:
        """Keep ``body``, dropping the least recently used answer beyond the size."""
        self._bodies[key] = body
        self._bodies.move_to_end(key)
        while len(self._bodies) > self._size:
            old, _ = self._bodies.popitem(last=False)
            self._gzipped.pop(old, None)

    def gzipped(self, key: str, body: bytes) -> bytes:
        """``body`` compressed, computed once per kept answer."""
        packed = self._gzipped.get(key)
        if packed is None:
            packed = gzip.compress(body, compresslevel=6)
            if key in self._bodies:
                self._gzipped[key] = packed
        return packed
