"""Price clamps: no night cheaper than the floor or dearer than the ceiling."""

from __future__ import annotations

from functools import lru_cache

import msgspec

from engine import Money, NightRule, Nights, SettingError, format_minor
from plugins._words import fill, money_in

_RAISED = {
    "de": "auf den Mindestpreis von {price} angehoben",
    "en": "raised to the minimum of {price}",
    "es": "elevado al mínimo de {price}",
    "fr": "relevé au minimum de {price}",
    "it": "portato al minimo di {price}",
}
_LOWERED = {
    "de": "auf den Höchstpreis von {price} gesenkt",
    "en": "lowered to the maximum of {price}",
    "es": "reducido al máximo de {price}",
    "fr": "abaissé au maximum de {price}",
    "it": "ridotto al massimo di {price}",
}


@lru_cache(maxsize=256)
def clamp_words(bound: int, currency: str, raised: bool) -> dict[str, str]:
    """A night raised to the floor (or lowered to the ceiling), per language."""
    return fill(_RAISED if raised else _LOWERED, price=money_in(bound, currency))


class ClampSettings(msgspec.Struct, forbid_unknown_fields=True):
    min_price: Money | None = None
    max_price: Money | None = None


class Clamp(NightRule[ClampSettings]):
    """Keep each night between ``min_price`` and ``max_price``; rounding stays inside too."""

    name = "clamp"
    stage = "clamp"
    Settings = ClampSettings

    def setup(self) -> None:
        low, high = self.settings.min_price, self.settings.max_price
        if low is None and high is None:
            raise SettingError(None, "set 'min_price', 'max_price' or both")
        if low is not None and low < 0:
            raise SettingError("min_price", "cannot be negative")
        if low is not None and high is not None and high < low:
            raise SettingError("max_price", "is below min_price")

    def price(self, nights: Nights) -> None:
        low, high = self.settings.min_price, self.settings.max_price
        if low is not None and low > nights.floor:
            nights.floor = int(low)
        if high is not None and (nights.ceiling is None or high < nights.ceiling):
            nights.ceiling = int(high)
        floor, ceiling = nights.floor, nights.ceiling
        if ceiling is not None and ceiling < floor:
            floor = ceiling  # two clamps disagree: the ceiling wins, so prices never rise past it
            nights.floor = floor
        amounts = nights.amounts
        explaining, currency = nights.explaining, self.currency
        for i, amount in enumerate(amounts):
            if amount < floor:
                amounts[i] = floor
                if explaining:
                    text = f"raised to the minimum of {format_minor(floor, currency)}"
                    nights.note(i, text, clamp_words(floor, currency, True))
            elif ceiling is not None and amount > ceiling:
                amounts[i] = ceiling
                if explaining:
                    text = f"lowered to the maximum of {format_minor(ceiling, currency)}"
                    nights.note(i, text, clamp_words(ceiling, currency, False))
