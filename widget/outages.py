"""Telling the operator about a failure that repeats on every request, without a flood."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

#: One warning per this many seconds while a failure lasts.
EVERY_SECONDS = 60.0


class OutageLog:
    """Logs a recurring failure (Redis away, say) at WARNING at most once per
    `EVERY_SECONDS`, saying how many failures the quiet time left out."""

    def __init__(
        self,
        log: logging.Logger,
        what: str,
        every: float = EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = log
        self._what = what
        self._every = every
        self._clock = clock
        self._quiet_until = float("-inf")
        self._left_out = 0

    def failed(self, exc: BaseException) -> None:
        """Note one failure; warn if the last warning is old enough."""
        now = self._clock()
        if now < self._quiet_until:
            self._left_out += 1
            return
        self._quiet_until = now + self._every
        left_out, self._left_out = self._left_out, 0
        if left_out:
            self._log.warning(
                "%s unavailable (%d more failures since the last warning): %s",
                self._what,
                left_out,
                exc,
            )
        else:
            self._log.warning("%s unavailable: %s", self._what, exc)
