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


def month_days(dates: list[date]) -> list[int]:
    """``date(2026, 7, 4)`` → ``704``: month and day as one comparable number, per date."""
    return [day.month * 100 + day.day for day in dates]


def covered(periods: list[Period], dates: list[date], keys: list[int] | None = None) -> list[bool]:
    """For each date, whether it falls in one of ``periods`` (every date if there are none).

    One pass per period over plain integers, so a year of nights costs microseconds; pass
    ``keys = month_days(dates)`` when checking the same dates against several rules.
    """
    if not periods:
        return [True] * len(dates)
    mask = [False] * len(dates)
    for period in periods:
        if period.yearly:
            if keys is None:
                keys = month_days(dates)
            start = period.first.month * 100 + period.first.day
            end = period.last.month * 100 + period.last.day
            if start <= end:
                hits = [start <= key <= end for key in keys]
            else:  # wraps the new year
                hits = [key >= start or key <= end for key in keys]
        else:
            first, last = period.first, period.last
            hits = [first <= day <= last for day in dates]
        mask = [old or new for old, new in zip(mask, hits, strict=True)]
    return mask
