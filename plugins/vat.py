"""VAT: inclusive (already in the prices, shown) or exclusive (added), on chosen lines."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import msgspec

from engine import (
    VAT_ADDED,
    VAT_INCLUDED,
    Bill,
    Charge,
    SettingError,
    StayRule,
    percent_ratio,
    scale,
    words_in,
)


class VatSettings(msgspec.Struct, forbid_unknown_fields=True):
    percent: Decimal
    inclusive: bool = True
    applies_to: list[str] = msgspec.field(default_factory=lambda: ["rooms", "discount", "fee"])


class Vat(StayRule[VatSettings]):
    """Value added tax on the rooms and the lines listed in ``applies_to``.

    ``applies_to`` takes ``rooms`` and line kinds (``discount``, ``extra``, ``fee``, ``tax``)
    or rule instance names. Inclusive VAT is shown as an included line and not added again.
    """

    name = "vat"
    stage = "tax"
    Settings = VatSettings

    def setup(self) -> None:
        if not 0 < self.settings.percent <= 100:
            raise SettingError("percent", "must be more than 0 and at most 100")
        if not self.settings.applies_to:
            raise SettingError("applies_to", "name at least 'rooms' or a kind of line")

    def price(self, bill: Bill) -> Iterable[Charge]:
        targets = set(self.settings.applies_to)
        base = bill.rooms if "rooms" in targets else 0
        base += bill.subtotal(kinds=targets & {"discount", "extra", "fee", "tax"}, rules=targets)
        base = max(base, 0)
        numerator, denominator = percent_ratio(self.settings.percent)
        rate = f"{self.settings.percent.normalize():f}%"
        words = VAT_INCLUDED if self.settings.inclusive else VAT_ADDED
        notes = words_in(words, self.currency, numbers={"rate": self.settings.percent})
        if self.settings.inclusive:
            amount = scale(base, numerator, denominator + numerator)
            return [Charge(amount, f"includes {rate} VAT", included=True, notes=notes)]
        return [Charge(scale(base, numerator, denominator), f"{rate} VAT", notes=notes)]
