"""Occupancy: the fuller the house that night, the higher (or lower) the price."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import msgspec

from engine import WORD_LANGUAGES, NightRule, Nights, SettingError, format_number, scale
from plugins._percent import factor, signed
from plugins._words import fill, percent_in

_WORDS = {
    "de": "{sold} von {total} Zimmern belegt (ab {share}): {change}",
    "en": "{sold} of {total} units sold (at least {share}): {change}",
    "es": "{sold} de {total} habitaciones ocupadas (desde {share}): {change}",
    "fr": "{sold} chambres occupées sur {total} (dès {share}) : {change}",
    "it": "{sold} camere occupate su {total} (da {share}): {change}",
}
_SHARE = {"de": "{n} %", "en": "{n}%", "es": "{n} %", "fr": "{n} %", "it": "{n}%"}


@lru_cache(maxsize=1024)
def occupancy_words(
    sold: int, total: int, from_percent: Decimal, percent: Decimal
) -> dict[str, str]:
    """The occupancy tier per language: ``4 camere occupate su 6 (da 50%): +10%``."""
    share = {
        language: _SHARE[language].format(n=format_number(from_percent, language))
        for language in WORD_LANGUAGES
    }
    return fill(_WORDS, sold=sold, total=total, share=share, change=percent_in(percent))


class OccupancyTier(msgspec.Struct, forbid_unknown_fields=True):
    from_percent: Decimal
    percent: Decimal


class OccupancySettings(msgspec.Struct, forbid_unknown_fields=True):
    tiers: list[OccupancyTier]


class OccupancyTiers(NightRule[OccupancySettings]):
    """Tiers by the share of units already sold that night; the highest tier reached applies."""

    name = "occupancy"
    stage = "adjust"
    Settings = OccupancySettings

    def setup(self) -> None:
        tiers = sorted(self.settings.tiers, key=lambda tier: tier.from_percent, reverse=True)
        if not tiers:
            raise SettingError("tiers", "name at least one tier")
        for tier in tiers:
            if not 0 <= tier.from_percent <= 100:
                raise SettingError(
                    "tiers.from_percent", f"must be 0 to 100, got {tier.from_percent}"
                )
        # (threshold numerator, denominator, price ratio, note): sold/total ≥ n/d, in integers
        #: Words per (sold, total, tier), once explained.
        self._words: dict[tuple[int, int, int], dict[str, str]] = {}
        self._tiers = [
            (*tier.from_percent.as_integer_ratio(), factor(tier.percent), tier) for tier in tiers
        ]

    def price(self, nights: Nights) -> None:
        amounts = nights.amounts
        tiers = self._tiers
        for i, (sold, total) in enumerate(zip(nights.units_sold, nights.units_total, strict=True)):
            if total <= 0:
                continue
            for numerator, denominator, ratio, tier in tiers:
                if sold * 100 * denominator >= numerator * total:
                    amounts[i] = scale(amounts[i], *ratio)
                    if nights.explaining:
                        key = (sold, total, id(tier))
                        words = self._words.get(key)
                        if words is None:
                            words = occupancy_words(sold, total, tier.from_percent, tier.percent)
                            self._words[key] = words
                        nights.note(
                            i,
                            f"{sold} of {total} units sold (at least {tier.from_percent}%): "
                            f"{signed(tier.percent)}",
                            words,
                        )
                    break
