"""Seasonal prices: date ranges, once or every year, as a price or a percentage."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from engine import Money, NightRule, Nights, Period, SettingError, format_minor, scale
from plugins._percent import factor, signed


class SeasonalSettings(msgspec.Struct, forbid_unknown_fields=True):
    seasons: list[Period]
    percent: Decimal | None = None
    price: Money | None = None


class Seasonal(NightRule[SeasonalSettings]):
    """Nights inside the seasons cost a set price, or a percentage more or less."""

    name = "seasonal"
    stage = "adjust"
    Settings = SeasonalSettings

    def setup(self) -> None:
        settings = self.settings
        if not settings.seasons:
            raise SettingError("seasons", "name at least one season")
        if (settings.percent is None) == (settings.price is None):
            raise SettingError(None, "set either 'percent' or 'price', not both or neither")
        if settings.percent is not None:
            self._ratio = factor(settings.percent)
            change = signed(settings.percent)
        else:
            assert settings.price is not None
            change = f"{format_minor(settings.price, self.currency)} a night"
        self._note = f"{change} ({', '.join(str(season) for season in settings.seasons)})"

    def price(self, nights: Nights) -> None:
        amounts = nights.amounts
        fixed = self.settings.price
        for i, inside in enumerate(nights.covered(self.settings.seasons)):
            if inside:
                if fixed is not None:
                    amounts[i] = int(fixed)
                else:
                    amounts[i] = scale(amounts[i], *self._ratio)
                nights.note(i, self._note)
