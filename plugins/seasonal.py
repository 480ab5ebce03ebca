"""Seasonal prices: date ranges, once or every year, as a price or a percentage."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import msgspec

from engine import (
    WORD_LANGUAGES,
    Money,
    NightRule,
    Nights,
    Period,
    SettingError,
    format_minor,
    scale,
)
from plugins._percent import factor, signed
from plugins._words import fill, money_in, percent_in, periods_in

_PRICE = {
    "de": "{price} pro Nacht",
    "en": "{price} a night",
    "es": "{price} por noche",
    "fr": "{price} par nuit",
    "it": "{price} a notte",
}
_WORDS = dict.fromkeys(WORD_LANGUAGES, "{change} ({seasons})")


@lru_cache(maxsize=256)
def season_words(
    seasons: tuple[Period, ...], percent: Decimal | None, price: int | None, currency: str
) -> dict[str, str]:
    """The season's change per language: ``+25% (15 giu–15 set ogni anno)``."""
    if percent is not None:
        change = percent_in(percent)
    else:
        change = fill(_PRICE, price=money_in(price or 0, currency))
    return fill(_WORDS, change=change, seasons=periods_in(seasons))


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
        self._words: dict[str, str] | None = None  # once explained

    def words(self) -> dict[str, str]:
        """The note per language (the settings say it all: worded once)."""
        if self._words is None:
            fixed = self.settings.price
            price = None if fixed is None else int(fixed)
            seasons = tuple(self.settings.seasons)
            self._words = season_words(seasons, self.settings.percent, price, self.currency)
        return self._words

    def price(self, nights: Nights) -> None:
        amounts = nights.amounts
        fixed = self.settings.price
        words = self.words() if nights.explaining else None
        for i, inside in enumerate(nights.covered(self.settings.seasons)):
            if inside:
                if fixed is not None:
                    amounts[i] = int(fixed)
                else:
                    amounts[i] = scale(amounts[i], *self._ratio)
                nights.note(i, self._note, words)
