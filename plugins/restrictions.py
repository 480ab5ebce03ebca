"""Stay restrictions: minimum and maximum stay, closed to arrival, closed to departure."""

from __future__ import annotations

import msgspec

from engine import Days, Period, RestrictionRule, SettingError, Weekday, weekday_numbers


class StayLengthSettings(msgspec.Struct, forbid_unknown_fields=True):
    nights: int
    seasons: list[Period] = []
    arrival_weekdays: list[Weekday] = []
    #: Only for arrivals booked at least this many days ahead (so a minimum can be shorter,
    #: or none, close to arrival); any time if left out.
    min_days_ahead: int | None = None


class ClosedDaysSettings(msgspec.Struct, forbid_unknown_fields=True):
    dates: list[Period] = []
    weekdays: list[Weekday] = []


def _matching(days: Days, seasons: list[Period], weekdays: frozenset[int]) -> list[int]:
    """Indexes of the days in ``seasons`` (all if none) on ``weekdays`` (any if none)."""
    inside = days.covered(seasons)
    return [
        i
        for i, (hit, weekday) in enumerate(zip(inside, days.weekdays, strict=True))
        if hit and (not weekdays or weekday in weekdays)
    ]


class _StayLength(RestrictionRule[StayLengthSettings]):
    Settings = StayLengthSettings

    def setup(self) -> None:
        if self.settings.nights < 1:
            raise SettingError("nights", "must be at least 1")
        if self.settings.min_days_ahead is not None and self.settings.min_days_ahead < 0:
            raise SettingError("min_days_ahead", "must be 0 or more")
        self._weekdays = weekday_numbers(self.settings.arrival_weekdays)

    def _arrivals(self, days: Days) -> list[int]:
        """Indexes of the days a stay under this rule may arrive on."""
        matching = _matching(days, self.settings.seasons, self._weekdays)
        ahead = self.settings.min_days_ahead
        if ahead is None:
            return matching
        return [i for i in matching if days.lead_days[i] >= ahead]


class MinStay(_StayLength):
    """Stays arriving in ``seasons`` (all year if none) on ``arrival_weekdays`` (any day if
    none), booked at least ``min_days_ahead`` days ahead (any time if left out), must last
    at least ``nights``."""

    name = "min_stay"

    def restrict(self, days: Days) -> None:
        for i in self._arrivals(days):
            days.require_min_stay(i, self.settings.nights)


class MaxStay(_StayLength):
    """Stays arriving in ``seasons`` (all year if none) may last at most ``nights``."""

    name = "max_stay"

    def restrict(self, days: Days) -> None:
        for i in self._arrivals(days):
            days.limit_max_stay(i, self.settings.nights)


class _ClosedDays(RestrictionRule[ClosedDaysSettings]):
    Settings = ClosedDaysSettings

    def setup(self) -> None:
        if not self.settings.dates and not self.settings.weekdays:
            raise SettingError(None, "name 'dates', 'weekdays' or both")
        self._weekdays = weekday_numbers(self.settings.weekdays)

    def _closed(self, days: Days) -> list[int]:
        """Indexes of the days on the listed dates or weekdays."""
        dated = days.covered(self.settings.dates) if self.settings.dates else [False] * len(days)
        weekdays = self._weekdays
        return [
            i
            for i, (hit, weekday) in enumerate(zip(dated, days.weekdays, strict=True))
            if hit or weekday in weekdays
        ]


class ClosedToArrival(_ClosedDays):
    """No stay may begin on the listed dates or weekdays."""

    name = "closed_to_arrival"

    def restrict(self, days: Days) -> None:
        for i in self._closed(days):
            days.close_to_arrival(i)


class ClosedToDeparture(_ClosedDays):
    """No stay may end on the listed dates or weekdays."""

    name = "closed_to_departure"

    def restrict(self, days: Days) -> None:
        for i in self._closed(days):
            days.close_to_departure(i)
