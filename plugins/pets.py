"""Pets: the guest says how many pets come, and pays for each (the rule asks: an input)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import msgspec

from engine import Bill, Charge, Money, RuleInput, SettingError, StayRule, format_minor, words_in

#: The line's words per language: one pet, several, per night or once.
_WORDS = {
    (False, True): {
        "en": "{pets} pet × {price} a night",
        "de": "{pets} Haustier × {price} pro Nacht",
        "fr": "{pets} animal × {price} par nuit",
        "es": "{pets} mascota × {price} por noche",
        "it": "{pets} animale × {price} a notte",
    },
    (True, True): {
        "en": "{pets} pets × {price} a night",
        "de": "{pets} Haustiere × {price} pro Nacht",
        "fr": "{pets} animaux × {price} par nuit",
        "es": "{pets} mascotas × {price} por noche",
        "it": "{pets} animali × {price} a notte",
    },
    (False, False): {
        "en": "{pets} pet × {price}",
        "de": "{pets} Haustier × {price}",
        "fr": "{pets} animal × {price}",
        "es": "{pets} mascota × {price}",
        "it": "{pets} animale × {price}",
    },
    (True, False): {
        "en": "{pets} pets × {price}",
        "de": "{pets} Haustiere × {price}",
        "fr": "{pets} animaux × {price}",
        "es": "{pets} mascotas × {price}",
        "it": "{pets} animali × {price}",
    },
}


class PetsSettings(msgspec.Struct, forbid_unknown_fields=True):
    amount: Money
    per: Literal["stay", "night"] = "night"


class Pets(StayRule[PetsSettings]):
    """A fee for each pet the guest brings, per night or once per stay."""

    name = "pets"
    stage = "fee"
    Settings = PetsSettings
    inputs = (
        RuleInput(
            name="pets",
            minimum=0,
            maximum=4,
            label={
                "en": "How many pets are coming?",
                "de": "Wie viele Haustiere kommen mit?",
                "fr": "Combien d'animaux vous accompagnent ?",
                "es": "¿Cuántas mascotas vienen?",
                "it": "Quanti animali vengono?",
            },
        ),
    )

    def setup(self) -> None:
        if self.settings.amount < 0:
            raise SettingError("amount", "cannot be negative")

    def price(self, bill: Bill) -> Iterable[Charge]:
        pets = int(bill.context.inputs["pets"])  # checked by the engine: 0 to 4
        if not pets:
            return []
        each = int(self.settings.amount)
        times = len(bill.dates) if self.settings.per == "night" else 1
        per = " a night" if self.settings.per == "night" else ""
        note = f"{pets} pet{'s' if pets > 1 else ''} × {format_minor(each, self.currency)}{per}"
        words = _WORDS[pets > 1, self.settings.per == "night"]
        notes = words_in(words, self.currency, money={"price": each}, pets=pets)
        return [Charge(each * pets * times, note, notes=notes)]
