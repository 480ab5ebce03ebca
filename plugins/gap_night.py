"""Gap nights: short free runs between bookings sell cheaper than they would stay empty."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import msgspec

from engine import NightRule, Nights, SettingError, scale
from plugins._percent import factor, signed
from plugins._words import fill, percent_in

#: (one night, several) per language.
_WORDS = {
    "de": (
        "{change}: Lücke von {gap} Nacht zwischen Buchungen",
        "{change}: Lücke von {gap} Nächten zwischen Buchungen",
    ),
    "en": (
        "{change}: gap between bookings of {gap} night",
        "{change}: gap between bookings of {gap} nights",
    ),
    "es": (
        "{change}: hueco de {gap} noche entre reservas",
        "{change}: hueco de {gap} noches entre reservas",
    ),
    "fr": (
        "{change} : creux de {gap} nuit entre deux réservations",
        "{change} : creux de {gap} nuits entre deux réservations",
    ),
    "it": (
        "{change}: buco di {gap} notte tra due prenotazioni",
        "{change}: buco di {gap} notti tra due prenotazioni",
    ),
}


@lru_cache(maxsize=256)
def gap_words(percent: Decimal, gap: int) -> dict[str, str]:
    """The gap discount per language: ``-20%: buco di 2 notti tra due prenotazioni``."""
    templates = {language: pair[gap != 1] for language, pair in _WORDS.items()}
    return fill(templates, change=percent_in(-percent), gap=gap)


#: Gaps are seen a month around a stay (the service reads reservations that far).
MAX_GAP = 28


class GapNightSettings(msgspec.Struct, forbid_unknown_fields=True):
    percent: Decimal
    max_gap: int = 2
    #: A stay exactly filling a gap of at most ``max_gap`` nights between two reservations
    #: is allowed whatever the minimum stay.
    fill_gaps: bool = True


class GapNight(NightRule[GapNightSettings]):
    """Discount nights in a free gap of at most ``max_gap`` nights between two bookings, and
    (``fill_gaps``) let a stay that exactly fills such a gap be shorter than the minimum."""

    name = "gap_night"
    stage = "adjust"
    Settings = GapNightSettings

    def setup(self) -> None:
        if self.settings.max_gap < 1:
            raise SettingError("max_gap", "must be at least 1 night")
        if not 0 < self.settings.percent <= 100:
            raise SettingError("percent", "is the discount: more than 0 and at most 100")
        if self.settings.max_gap > MAX_GAP:
            raise SettingError("max_gap", f"is at most {MAX_GAP} nights")
        self._ratio = factor(-self.settings.percent)
        self._note = f"{signed(-self.settings.percent)}: gap between bookings"
        self._words: dict[int, dict[str, str]] = {}  # by gap length, once explained

    def fills_gaps(self) -> int:
        return self.settings.max_gap if self.settings.fill_gaps else 0

    def price(self, nights: Nights) -> None:
        longest = self.settings.max_gap
        amounts = nights.amounts
        explaining = nights.explaining
        for i, gap in enumerate(nights.free_gap):
            if gap is not None and gap <= longest:
                amounts[i] = scale(amounts[i], *self._ratio)
                if explaining:
                    text = f"{self._note} of {gap} night{'s' if gap > 1 else ''}"
                    words = self._words.get(gap)
                    if words is None:
                        words = self._words[gap] = gap_words(self.settings.percent, gap)
                    nights.note(i, text, words)
