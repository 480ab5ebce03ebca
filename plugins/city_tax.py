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
)
from plugins.tax_presets import PRESETS


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
            return [Charge(0, note, payable=tax.payable)]
        if tax.per == "person_night":
            party = bill.context.party
            taxed_children = sum(1 for age in party.children if age >= tax.exempt_under_age)
            people = party.adults + taxed_children
            taxed_nights = nights if tax.max_nights is None else min(nights, tax.max_nights)
            amount = people * taxed_nights * tax.amount
            note = (
                f"{people} guest(s) × {taxed_nights} night(s) × "
                f"{format_minor(tax.amount, self.currency)}"
            )
            if tax.exempt_under_age and len(party.children) > taxed_children:
                note += f"; children under {tax.exempt_under_age} exempt"
            return [Charge(amount, note, payable=tax.payable)]
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
        return [Charge(amount, note, payable=tax.payable)]
