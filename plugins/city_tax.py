"""Tourist (city) tax: per adult per night, or a percentage of the room price."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Literal

import msgspec
from msgspec import UNSET, UnsetType

from engine import (
    Bill,
    Charge,
    Money,
    Payable,
    SettingError,
    StayRule,
    format_minor,
    percent_ratio,
    scale,
    to_minor,
    words_in,
)
from plugins.tax_presets import PRESETS

#: The line's words per language (the English ones are also its ``note``).
_EXEMPT = {
    "en": "stays of {nights} nights or more are exempt",
    "de": "Aufenthalte ab {nights} Nächten sind befreit",
    "fr": "séjours de {nights} nuits ou plus exonérés",
    "es": "estancias de {nights} noches o más exentas",
    "it": "soggiorni di {nights} notti o più esenti",
}
#: (one, several) per language: "1 guest × 3 nights", never "guest(s)".
_GUESTS = {
    "en": ("guest", "guests"),
    "de": ("Gast", "Gäste"),
    "fr": ("personne", "personnes"),
    "es": ("huésped", "huéspedes"),
    "it": ("ospite", "ospiti"),
}
_NIGHTS = {
    "en": ("night", "nights"),
    "de": ("Nacht", "Nächte"),
    "fr": ("nuit", "nuits"),
    "es": ("noche", "noches"),
    "it": ("notte", "notti"),
}
#: By (several guests, several nights).
_PER_PERSON = {
    (many_guests, many_nights): {
        language: f"{{people}} {guests[many_guests]} × {{nights}} "
        f"{_NIGHTS[language][many_nights]} × {{amount}}"
        for language, guests in _GUESTS.items()
    }
    for many_guests in (False, True)
    for many_nights in (False, True)
}
_CHILDREN_EXEMPT = {
    "en": "; children under {age} exempt",
    "de": "; Kinder unter {age} befreit",
    "fr": "; enfants de moins de {age} ans exonérés",
    "es": "; menores de {age} años exentos",
    "it": "; bambini sotto i {age} anni esenti",
}
_PERCENT = {
    "en": "{percent}% of the room price",
    "de": "{percent} % des Zimmerpreises",
    "fr": "{percent} % du prix de la chambre",
    "es": "{percent} % del precio de la habitación",
    "it": "{percent}% del prezzo della camera",
}
_EXCLUDING_VAT = {
    "en": " excluding {vat}% VAT",
    "de": " ohne {vat} % MwSt.",
    "fr": " hors TVA {vat} %",
    "es": " sin IVA del {vat} %",
    "it": " al netto dell'IVA {vat}%",
}


class CityTaxSettings(msgspec.Struct, forbid_unknown_fields=True):
    preset: str | None = None
    per: Literal["person_night", "percent"] | UnsetType = UNSET
    amount: Money | UnsetType = UNSET
    percent: Decimal | UnsetType = UNSET
    exempt_under_age: int | UnsetType = UNSET
    max_nights: int | UnsetType | None = UNSET
    long_stay_exempt_from_nights: int | UnsetType | None = UNSET
    price_includes_vat_percent: Decimal | UnsetType = UNSET
    payable: Literal["now", "at_property"] | UnsetType = UNSET


class _Tax(msgspec.Struct, frozen=True):
    per: Literal["person_night", "percent"]
    amount: int
    percent: Decimal
    exempt_under_age: int
    max_nights: int | None
    long_stay_exempt_from_nights: int | None
    price_includes_vat_percent: Decimal
    payable: Payable


class CityTax(StayRule[CityTaxSettings]):
    """Tourist tax per person per night (age exemptions, capped nights) or a percentage of the
    room price (optionally net of VAT); long stays may be exempt; paid now or at the property.

    ``preset = "rome" | "berlin" | "amsterdam"`` starts from a city's published rule.
    """

    name = "city_tax"
    stage = "tax"
    Settings = CityTaxSettings

    def setup(self) -> None:
        given = self.settings
        base = self._preset_settings()

        def pick(field: str, default: object) -> object:
            value = getattr(given, field)
            return value if value is not UNSET else base.get(field, default)

        per = pick("per", UNSET)
        if per is UNSET:
            raise SettingError("per", "choose 'person_night' or 'percent' (or a preset)")
        amount, percent = pick("amount", UNSET), pick("percent", UNSET)
        if per == "person_night" and amount is UNSET:
            raise SettingError("amount", "is required when per = 'person_night'")
        if per == "percent" and percent is UNSET:
            raise SettingError("percent", "is required when per = 'percent'")
        self.tax = msgspec.convert(
            {
                "per": per,
                "amount": 0 if amount is UNSET else amount,
                "percent": Decimal(0) if percent is UNSET else percent,
                "exempt_under_age": pick("exempt_under_age", 0),
                "max_nights": pick("max_nights", None),
                "long_stay_exempt_from_nights": pick("long_stay_exempt_from_nights", None),
                "price_includes_vat_percent": pick("price_includes_vat_percent", Decimal(0)),
                "payable": pick("payable", "now"),
            },
            _Tax,
        )
        if self.tax.amount < 0 or self.tax.percent < 0 or self.tax.price_includes_vat_percent < 0:
            raise SettingError(None, "amounts and percentages cannot be negative")
        if self.tax.max_nights is not None and self.tax.max_nights < 1:
            raise SettingError("max_nights", "must be at least 1")

    def _preset_settings(self) -> dict[str, object]:
        """The chosen city preset's settings (amounts in minor units), or none."""
        given = self.settings
        if given.preset is None:
            return {}
        preset = PRESETS.get(given.preset)
        if preset is None:
            raise SettingError(
                "preset", f"unknown preset {given.preset!r}; known: {', '.join(sorted(PRESETS))}"
            )
        if preset.currency != self.currency:
            raise SettingError(
                "preset", f"{preset.city} taxes in {preset.currency}, prices are in {self.currency}"
            )
        base = dict(preset.settings)
        if "amount" in base:
            base["amount"] = to_minor(base["amount"], self.currency)
        return base

    def price(self, bill: Bill) -> Iterable[Charge]:
        tax = self.tax
        nights = len(bill.dates)
        exempt_from = tax.long_stay_exempt_from_nights
        if exempt_from is not None and nights >= exempt_from:
            note = f"stays of {exempt_from} nights or more are exempt"
            notes = words_in(_EXEMPT, self.currency, nights=exempt_from)
            return [Charge(0, note, payable=tax.payable, notes=notes)]
        if tax.per == "person_night":
            party = bill.context.party
            taxed_children = sum(1 for age in party.children if age >= tax.exempt_under_age)
            people = party.adults + taxed_children
            taxed_nights = nights if tax.max_nights is None else min(nights, tax.max_nights)
            amount = people * taxed_nights * tax.amount
            templates = _PER_PERSON[people != 1, taxed_nights != 1]
            note = templates["en"].format(
                people=people,
                nights=taxed_nights,
                amount=format_minor(tax.amount, self.currency),
            )
            notes = words_in(
                templates,
                self.currency,
                money={"amount": tax.amount},
                people=people,
                nights=taxed_nights,
            )
            if tax.exempt_under_age and len(party.children) > taxed_children:
                note += f"; children under {tax.exempt_under_age} exempt"
                more = words_in(_CHILDREN_EXEMPT, self.currency, age=tax.exempt_under_age)
                notes = {lang: text + more[lang] for lang, text in notes.items()}
            return [Charge(amount, note, payable=tax.payable, notes=notes)]
        # percent of the room price, net of the VAT it contains, rounded once
        numerator, denominator = percent_ratio(tax.percent)
        vat_numerator, vat_denominator = percent_ratio(tax.price_includes_vat_percent)
        # price × p/100 × 1/(1 + v/100) = price × pn·vd / (pd·(vd + vn))
        amount = scale(
            max(bill.room_price, 0),
            numerator * vat_denominator,
            denominator * (vat_denominator + vat_numerator),
        )
        note = f"{tax.percent.normalize():f}% of the room price"
        if tax.price_includes_vat_percent:
            note += f" excluding {tax.price_includes_vat_percent.normalize():f}% VAT"
        notes = words_in(_PERCENT, self.currency, numbers={"percent": tax.percent})
        if tax.price_includes_vat_percent:
            vat = {"vat": tax.price_includes_vat_percent}
            more = words_in(_EXCLUDING_VAT, self.currency, numbers=vat)
            notes = {lang: text + more[lang] for lang, text in notes.items()}
        return [Charge(amount, note, payable=tax.payable, notes=notes)]
