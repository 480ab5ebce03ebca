"""Day of week: weekend (or any weekday) nights cost a percentage or an amount more or less."""

from __future__ import annotations

from decimal import Decimal

import msgspec

from engine import (
    Money,
    NightRule,
    Nights,
    SettingError,
    Weekday,
    format_minor,
    scale,
    weekday_numbers,
)
from plugins._percent import factor, signed


class DayOfWeekSettings(msgspec.Struct, forbid_unknown_fields=True):
    days: list[Weekday]
    percent: Decimal | None = None
    amount: Money | None = None


class DayOfWeek(NightRule[DayOfWeekSettings]):
    """Nights starting on the chosen weekdays cost a percentage or a fixed amount more/less."""

    name = "day_of_week"
    stage = "adjust"
    Settings = DayOfWeekSettings

    def setup(self) -> None:
        settings = self.settings
        if not settings.days:
            raise SettingError("days", 'name at least one weekday, e.g. ["fri", "sat"]')
        if (settings.percent is None) == (settings.amount is None):
            raise SettingError(None, "set either 'percent' or 'amount', not both or neither")
        self._days = weekday_numbers(settings.days)
        if settings.percent is not None:
            self._ratio = factor(settings.percent)
            change = signed(settings.percent)
        else:
            assert settings.amount is not None
            sign = "+" if settings.amount >= 0 else "-"
            change = f"{sign}{format_minor(abs(settings.amount), self.currency)}"
        self._note = f"{change} on {', '.join(settings.days)} nights"

    def price(self, nights: Nights) -> None:
        days = self._days
        amounts = nights.amounts
        amount = self.settings.amount
        for i, weekday in enumerate(nights.weekdays):
            if weekday in days:
                if amount is None:
                    amounts[i] = scale(amounts[i], *self._ratio)
                else:
                    amounts[i] = max(0, amounts[i] + amount)
                nights.note(i, self._note)
