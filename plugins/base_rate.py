"""Base rate: every night starts at the room type's base price."""

from __future__ import annotations

from functools import lru_cache

from engine import NightRule, Nights, NoSettings, format_minor
from plugins._words import fill, money_in

_WORDS = {
    "de": "Grundpreis: {price}",
    "en": "base price: {price}",
    "es": "precio base: {price}",
    "fr": "prix de base : {price}",
    "it": "prezzo base: {price}",
}


@lru_cache(maxsize=256)  # a property's few room prices, worded once
def base_words(base: int, currency: str) -> dict[str, str]:
    """The base price per language: ``prezzo base: 140,00 €``."""
    return fill(_WORDS, price=money_in(base, currency))


class BaseRate(NightRule[NoSettings]):
    """Each night starts at the room type's base price."""

    name = "base_rate"
    stage = "base"
    Settings = NoSettings

    def price(self, nights: Nights) -> None:
        base = nights.context.room_type.base_price
        nights.amounts[:] = [base] * len(nights)
        if nights.explaining:
            room = nights.context.room_type.slug
            text = f"base price of {room}: {format_minor(base, self.currency)}"
            words = base_words(base, self.currency)
            for i in range(len(nights)):
                nights.note(i, text, words)
