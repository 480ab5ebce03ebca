"""Date windows owners write in their rules: seasons, booking windows, closed dates."""

from __future__ import annotations

from datetime import date
from typing import Literal

import msgspec

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Period(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Days from ``first`` to ``last``, both included; ``yearly`` repeats it every year.

    A yearly period may wrap the new year (``first = 2026-12-20``, ``last = 2027-01-06``):
    only month and day count then.
    """

    first: date
    last: date
    yearly: bool = False

    def __post_init__(self) -> None:
        if not self.yearly and self.last < self.first:
            raise ValueError(f"last ({self.last}) is before first ({self.first})")

    def contains(self, day: date) -> bool:
        """True when ``day`` falls inside the period."""
        if not self.yearly:
            return self.first <= day <= self.last
        start = (self.first.month, self.first.day)
        end = (self.last.month, self.last.day)
        here = (day.month, day.day)
        if start <= end:
            return start <= here <= end
        return here >= start or here <= end  # wraps the new year

    def __str__(self) -> str:
        if self.yearly:
            return f"{self.first:%d %b}–{self.last:%d %b} every year"
        return f"{self.first.isoformat()}–{self.last.isoformat()}"


def in_any(day: date, periods: list[Period]) -> bool:
    """True when ``day`` is inside one of ``periods``; an empty list means every day."""
    if not periods:
        return True
    return any(period.contains(day) for period in periods)


def weekday_numbers(names: list[Weekday]) -> frozenset[int]:
    """``["fri", "sat"]`` → ``{4, 5}`` (``date.weekday()`` numbering)."""
    return frozenset(WEEKDAYS.index(name) for name in names)
