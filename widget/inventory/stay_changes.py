"""One reservation's change, as Postgres announces it to every worker.

A trigger on ``reservation`` bumps its property's inventory version and notifies, on commit,
``s <property> <version> [-<unit>,<first>,<end>] [+<unit>,<first>,<end>[,<seconds left>]]``:
the stay that stopped occupying its nights (``-``) and the one that now does (``+``; a hold
with the seconds it has left), nights as day numbers (`datetime.date.toordinal`). A worker
whose memory is at the version just before applies it; any other forgets the property, as
it did for every change before (each worker then read every stay ahead of the property
again, after every booking).
"""

from __future__ import annotations

from dataclasses import dataclass

#: What a stay change's notification begins with (a bare id or ``*`` mean "forget").
PREFIX = "s "


@dataclass(frozen=True)
class Nights:
    """A unit's nights ``[first, end)``, as day numbers."""

    unit_id: int
    first: int
    end: int


@dataclass(frozen=True)
class StayChange:
    """The change that made ``version`` the property's inventory version."""

    property_id: int
    version: int
    #: The nights a stay no longer occupies (it was held, booked or blocked before).
    freed: Nights | None = None
    #: The nights a stay occupies now, and for a hold the seconds it has left.
    taken: Nights | None = None
    lapses_in: float | None = None

    @classmethod
    def parse(cls, payload: str) -> StayChange:
        """Read a notification's payload; ValueError when it is not one of ours."""
        if not payload.startswith(PREFIX):
            raise ValueError(f"not a stay change: {payload[:40]!r}")
        property_id, version, *parts = payload[len(PREFIX) :].split(" ")
        freed = taken = lapses_in = None
        for part in parts:
            sign, fields = part[0], part[1:].split(",")
            nights = Nights(int(fields[0]), int(fields[1]), int(fields[2]))
            if sign == "-" and len(fields) == 3:
                freed = nights
            elif sign == "+" and len(fields) in (3, 4):
                taken = nights
                lapses_in = float(fields[3]) if len(fields) == 4 else None
            else:
                raise ValueError(f"not a stay change: {payload[:40]!r}")
        return cls(int(property_id), int(version), freed, taken, lapses_in)
