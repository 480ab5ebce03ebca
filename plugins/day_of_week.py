"""Day of week: weekend (or any weekday) nights cost a percentage or an amount more or less."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import msgspec

from engine import (
    WEEKDAYS,
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
from plugins._words import fill, money_in, percent_in, weekdays_in

_WORDS = {
    "de": "{change} für Nächte am {days}",
    "en": "{change} on {days} nights",
    "es": "{change} las noches de {days}",
    "fr": "{change} les nuits du {days}",
    "it": "{change} le notti di {days}",
}


@lru_cache(maxsize=256)
def weekday_words(
    days: tuple[int, ...], percent: Decimal | None, amount: int | None, currency: str
) -> dict[str, str]:
    """The weekday change per language: ``+15,00 € le notti di venerdì, sabato``."""
    change = percent_in(percent) if percent is not None else money_in(amount or 0, currency, True)
    return fill(_WORDS, change=change, days=weekdays_in(days))


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
        # In the owner's order, each once: how the English note names them too.
        self._listed = tuple(dict.fromkeys(WEEKDAYS.index(day) for day in settings.days))
        self._words: dict[str, str] | None = None  # once explained
        if settings.percent is not None:
            self._ratio = factor(settings.percent)
            change = signed(settings.percent)
        else:
            assert settings.amount is not None
            sign = "+" if settings.amount >= 0 else "-"
            change = f"{sign}{format_minor(abs(settings.amount), self.currency)}"
        self._note = f"{change} on {', '.join(settings.days)} nights"

    def words(self) -> dict[str, str]:
        """The note per language (the settings say it all: worded once)."""
        if self._words is None:
            settings = self.settings
            amount = None if settings.amount is None else int(settings.amount)
            self._words = weekday_words(self._listed, settings.percent, amount, self.currency)
        return self._words

    def price(self, nights: Nights) -> None:
        days = self._days
        amounts = nights.amounts
        amount = self.settings.amount
        words = self.words() if nights.explaining else None
        for i, weekday in enumerate(nights.weekdays):
            if weekday in days:
                if amount is None:
                    amounts[i] = scale(amounts[i], *self._ratio)
                else:
                    amounts[i] = max(0, amounts[i] + amount)
                nights.note(i, self._note, words)
