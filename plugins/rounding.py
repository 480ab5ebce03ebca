"""Rounding: whole units, a step, or prices ending in a chosen figure such as .90."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import msgspec

from engine import WORD_LANGUAGES, Money, NightRule, Nights, SettingError, exponent, format_minor
from plugins._words import money_in

#: How the price was rounded, per language: to the nearest, up, down.
_ROUNDED = {
    "de": {
        "nearest": "gerundet auf {target}",
        "up": "aufgerundet auf {target}",
        "down": "abgerundet auf {target}",
    },
    "en": {
        "nearest": "rounded to {target}",
        "up": "rounded up to {target}",
        "down": "rounded down to {target}",
    },
    "es": {
        "nearest": "redondeado a {target}",
        "up": "redondeado al alza a {target}",
        "down": "redondeado a la baja a {target}",
    },
    "fr": {
        "nearest": "arrondi à {target}",
        "up": "arrondi au supérieur à {target}",
        "down": "arrondi à l'inférieur à {target}",
    },
    "it": {
        "nearest": "arrotondato a {target}",
        "up": "arrotondato per eccesso a {target}",
        "down": "arrotondato per difetto a {target}",
    },
}
#: What it was rounded to, per language: steps, an ending, whole units.
_TARGETS = {
    "de": {
        "step": "Vielfache von {price}",
        "ending": "die Endung {price}",
        "whole": "ganze Beträge",
    },
    "en": {
        "step": "steps of {price}",
        "ending": "prices ending in {price}",
        "whole": "whole units",
    },
    "es": {
        "step": "múltiplos de {price}",
        "ending": "la terminación {price}",
        "whole": "importes enteros",
    },
    "fr": {
        "step": "des multiples de {price}",
        "ending": "la terminaison {price}",
        "whole": "des montants entiers",
    },
    "it": {
        "step": "multipli di {price}",
        "ending": "prezzi che finiscono in {price}",
        "whole": "importi interi",
    },
}


@lru_cache(maxsize=64)
def rounding_words(mode: str, amount: int, direction: str, currency: str) -> dict[str, str]:
    """How a night was rounded, per language: ``arrotondato a prezzi che finiscono in 0,90 €``
    (``amount``: the step or the ending)."""
    price = money_in(amount, currency)
    return {
        language: _ROUNDED[language][direction].format(
            target=_TARGETS[language][mode].format(price=price[language])
        )
        for language in WORD_LANGUAGES
    }


class RoundingSettings(msgspec.Struct, forbid_unknown_fields=True):
    mode: Literal["none", "whole", "ending", "step"] = "whole"
    ending: Money = Money(0)
    step: Money | None = None
    direction: Literal["nearest", "up", "down"] = "nearest"


def round_within(
    amount: int, unit: int, ending: int, direction: str, floor: int, ceiling: int | None
) -> int:
    """Round ``amount`` to ``k × unit + ending`` in ``direction``, staying in [floor, ceiling].

    When the rounded price would leave the clamp range, the nearest candidate inside it is
    taken instead; if no candidate fits, the range's own bound is used.
    """
    below = (amount - ending) // unit * unit + ending  # largest candidate ≤ amount
    above = below if below == amount else below + unit
    if direction == "down":
        choice = below
    elif direction == "up":
        choice = above
    else:
        choice = below if amount - below < above - amount else above
    if ceiling is not None and choice > ceiling:
        highest = (ceiling - ending) // unit * unit + ending
        return highest if highest >= floor else ceiling
    if choice < floor:
        lowest = (floor - ending) // unit * unit + ending
        if lowest < floor:
            lowest += unit
        return lowest if ceiling is None or lowest <= ceiling else floor
    return choice


class Rounding(NightRule[RoundingSettings]):
    """Round each night to whole units, a step (5.00) or an ending (.90), inside the clamps."""

    name = "rounding"
    stage = "round"
    Settings = RoundingSettings

    def setup(self) -> None:
        settings = self.settings
        whole = 10 ** exponent(self.currency)
        if settings.mode == "step":
            if settings.step is None or settings.step <= 0:
                raise SettingError("step", "mode 'step' needs a step above zero, e.g. 5.00")
            self._unit, self._ending = int(settings.step), 0
        else:
            self._unit, self._ending = whole, int(settings.ending)
            if settings.mode == "whole":
                self._ending = 0
        if not 0 <= self._ending < self._unit:
            raise SettingError("ending", "must be less than one whole unit, e.g. 0.90")
        target = (
            f"steps of {format_minor(self._unit, self.currency)}"
            if settings.mode == "step"
            else f"ending in {format_minor(self._ending, self.currency)}"
            if settings.mode == "ending"
            else "whole units"
        )
        self._note = f"rounded {settings.direction} to {target}"
        amount = self._unit if settings.mode == "step" else self._ending
        self._words_key = (settings.mode, amount, settings.direction, self.currency)

    def price(self, nights: Nights) -> None:
        if self.settings.mode == "none":
            return
        unit, ending, direction = self._unit, self._ending, self.settings.direction
        floor, ceiling = nights.floor, nights.ceiling
        words = rounding_words(*self._words_key) if nights.explaining else None
        amounts = nights.amounts
        for i, amount in enumerate(amounts):
            outside = amount < floor or (ceiling is not None and amount > ceiling)
            if outside or (amount - ending) % unit:
                rounded = round_within(amount, unit, ending, direction, floor, ceiling)
                if rounded != amount:
                    amounts[i] = rounded
                    nights.note(i, self._note, words)
