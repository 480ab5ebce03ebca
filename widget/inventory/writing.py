"""The unit-nights whose hold one worker is writing right now, known without asking Redis.

A request of this worker that took a unit's gate goes on to price the stay and write the
hold; until it is done, anyone else asking Redis for those nights would find its gate, see
that Postgres has no row yet (or an active one) and hear "held". Requests of the same worker
hear it from here instead: in a race, half the losers meet their own worker's winner, and each
of them cost a Redis call before. The answer is the one Redis would give, as if the request
had come a moment later; a request still only goes on with a gate it took itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from uuid import UUID

#: A gate taken this recently by a hold Postgres does not know yet belongs to a request
#: still on its way to the database: it is in the way. Older ones were abandoned.
GATE_IN_FLIGHT_SECONDS = 10.0


class HoldsBeingWritten:
    """Gate keys (one per unit-night) taken by this worker's requests still writing their
    hold, with the hold and when its gate was taken."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._taken: dict[str, tuple[UUID, float]] = {}
        self._swept_at = clock()

    def begin(self, keys: Iterable[str], hold_id: UUID) -> None:
        """``hold_id`` took the gate of ``keys`` and is writing its hold."""
        now = self._clock()
        # Only a request killed mid-write leaves a key behind; many live ones (long groups
        # written at once) are not scanned more than once a second.
        if len(self._taken) > 10_000 and now - self._swept_at >= 1.0:
            self._swept_at = now
            self._drop_abandoned(now)
        for key in keys:
            self._taken[key] = (hold_id, now)

    def end(self, keys: Iterable[str], hold_id: UUID) -> None:
        """``hold_id`` is written (or failed): its keys are Redis's and Postgres's again."""
        for key in keys:
            if self._taken.get(key, (None,))[0] == hold_id:
                del self._taken[key]

    def in_the_way(self, keys: Iterable[str]) -> bool:
        """Whether a hold of this worker is being written on any of ``keys`` (one whose
        write began more than `GATE_IN_FLIGHT_SECONDS` ago counts as abandoned, as in Redis)."""
        now = self._clock()
        for key in keys:
            taken = self._taken.get(key)
            if taken is not None and now - taken[1] < GATE_IN_FLIGHT_SECONDS:
                return True
        return False

    def _drop_abandoned(self, now: float) -> None:
        for key in [k for k, (_, at) in self._taken.items() if now - at >= GATE_IN_FLIGHT_SECONDS]:
            del self._taken[key]

    def __len__(self) -> int:
        return len(self._taken)
