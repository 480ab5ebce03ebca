"""Price clamps: no night cheaper than the floor or dearer than the ceiling."""

from __future__ import annotations

import msgspec

from engine import Money, NightRule, Nights, SettingError, format_minor


class ClampSettings(msgspec.Struct, forbid_unknown_fields=True):
    min_price: Money | None = None
    max_price: Money | None = None


class Clamp(NightRule[ClampSettings]):
    """Keep each night between ``min_price`` and ``max_price``; rounding stays inside too."""

    name = "clamp"
    stage = "clamp"
    Settings = ClampSettings

    def setup(self) -> None:
        low, high = self.settings.min_price, self.settings.max_price
        if low is None and high is None:
            raise SettingError(None, "set 'min_price', 'max_price' or both")
        if low is not None and low < 0:
            raise SettingError("min_price", "cannot be negative")
        if low is not None and high is not None and high < low:
            raise SettingError("max_price", "is below min_price")

    def price(self, nights: Nights) -> None:
        low, high = self.settings.min_price, self.settings.max_price
        if low is not None and low > nights.floor:
            nights.floor = int(low)
        if high is not None and (nights.ceiling is None or high < nights.ceiling):
            nights.ceiling = int(high)
        floor, ceiling = nights.floor, nights.ceiling
        if ceiling is not None and ceiling < floor:
            floor = ceiling  # two clamps disagree: the ceiling wins, so prices never rise past it
            nights.floor = floor
        amounts = nights.amounts
        for i, amount in enumerate(amounts):
            if amount < floor:
                amounts[i] = floor
                nights.note(i, f"raised to the minimum of {format_minor(floor, self.currency)}")
            elif ceiling is not None and amount > ceiling:
                amounts[i] = ceiling
                nights.note(i, f"lowered to the maximum of {format_minor(ceiling, self.currency)}")
