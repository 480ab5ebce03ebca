"""Lead time: a last-minute discount, a far-out premium, in steps or sliding gradually."""

from __future__ import annotations

from bisect import bisect_right
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Literal

import msgspec

from engine import NightRule, Nights, SettingError, scale
from plugins._percent import signed
from plugins._words import fill, percent_in

#: (one day ahead, several) per language.
_WORDS = {
    "de": ("{change}, {days} Tag im Voraus gebucht", "{change}, {days} Tage im Voraus gebucht"),
    "en": ("{change} booked {days} day ahead", "{change} booked {days} days ahead"),
    "es": (
        "{change}, reservado con {days} día de antelación",
        "{change}, reservado con {days} días de antelación",
    ),
    "fr": ("{change}, réservé {days} jour à l'avance", "{change}, réservé {days} jours à l'avance"),
    "it": ("{change}, prenotato {days} giorno prima", "{change}, prenotato {days} giorni prima"),
}


@lru_cache(maxsize=1024)
def lead_words(percent: Decimal, days: int) -> dict[str, str]:
    """The lead-time change per language: ``-15%, prenotato 3 giorni prima``."""
    templates = {language: pair[days != 1] for language, pair in _WORDS.items()}
    return fill(templates, change=percent_in(percent), days=days)


class LeadStep(msgspec.Struct, forbid_unknown_fields=True):
    days: int
    percent: Decimal


class LeadTimeSettings(msgspec.Struct, forbid_unknown_fields=True):
    steps: list[LeadStep]
    mode: Literal["stepped", "gradual"] = "stepped"


class LeadTime(NightRule[LeadTimeSettings]):
    """Price by days between booking and arrival: the step whose ``days`` was last reached.

    ``stepped``: a booking made ``d`` days ahead gets the step with the largest ``days`` ≤ d
    (none before the first step). ``gradual``: the percentage slides linearly between steps
    and stays at the first/last step's value outside them.
    """

    name = "lead_time"
    stage = "adjust"
    Settings = LeadTimeSettings

    def setup(self) -> None:
        steps = sorted(self.settings.steps, key=lambda step: step.days)
        if not steps:
            raise SettingError("steps", "name at least one step")
        if len({step.days for step in steps}) != len(steps) or steps[0].days < 0:
            raise SettingError("steps.days", "must be different and not negative")
        for step in steps:
            if step.percent < -100:
                raise SettingError("steps.percent", f"cannot be below -100, got {step.percent}")
        self._days = [step.days for step in steps]
        self._percents = [Fraction(step.percent) for step in steps]
        self._cache: dict[int, tuple[int, int, str, Decimal] | None] = {}
        self._words: dict[int, dict[str, str]] = {}  # by lead days, once explained

    def _change(self, lead: int) -> tuple[int, int, str, Decimal] | None:
        """(ratio numerator, denominator, note, percent shown) for bookings ``lead`` days
        ahead."""
        days, percents = self._days, self._percents
        position = bisect_right(days, lead)
        if self.settings.mode == "stepped" or position in (0, len(days)):
            if position == 0 and self.settings.mode == "stepped":
                return None
            percent = percents[max(position - 1, 0)]
        else:
            low, high = days[position - 1], days[position]
            start, end = percents[position - 1], percents[position]
            percent = start + (end - start) * Fraction(lead - low, high - low)
        if percent == 0:
            return None
        factor = 1 + percent / 100
        shown = (Decimal(percent.numerator) / Decimal(percent.denominator)).quantize(
            Decimal("0.01")
        )
        note = f"{signed(shown)} booked {lead} days ahead"
        return factor.numerator, factor.denominator, note, shown

    def price(self, nights: Nights) -> None:
        amounts = nights.amounts
        cache = self._cache
        explaining = nights.explaining
        for i, lead in enumerate(nights.lead_days):
            if lead in cache:
                change = cache[lead]
            else:
                change = cache[lead] = self._change(lead)
            if change is not None:
                amounts[i] = scale(amounts[i], change[0], change[1])
                if explaining:
                    words = self._words.get(lead)
                    if words is None:
                        words = self._words[lead] = lead_words(change[3], lead)
                    nights.note(i, change[2], words)
