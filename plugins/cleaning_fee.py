"""Cleaning fee: a fixed amount per stay."""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from engine import Bill, Charge, Money, SettingError, StayRule

_NOTES = {
    "en": "cleaning, once per stay",
    "de": "Endreinigung, einmal pro Aufenthalt",
    "fr": "ménage, une fois par séjour",
    "es": "limpieza, una vez por estancia",
    "it": "pulizia, una volta per soggiorno",
}


class CleaningFeeSettings(msgspec.Struct, forbid_unknown_fields=True):
    amount: Money
    waived_from_nights: int | None = None


class CleaningFee(StayRule[CleaningFeeSettings]):
    """A fixed fee per stay, optionally waived for stays of ``waived_from_nights`` or more."""

    name = "cleaning_fee"
    stage = "fee"
    Settings = CleaningFeeSettings

    def setup(self) -> None:
        if self.settings.amount < 0:
            raise SettingError("amount", "cannot be negative")

    def price(self, bill: Bill) -> Iterable[Charge]:
        waived = self.settings.waived_from_nights
        if waived is not None and len(bill.dates) >= waived:
            return []
        return [Charge(int(self.settings.amount), _NOTES["en"], notes=_NOTES)]
