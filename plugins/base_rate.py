"""Base rate: every night starts at the room type's base price."""

from __future__ import annotations

from engine import NightRule, Nights, NoSettings, format_minor


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
            for i in range(len(nights)):
                nights.note(i, text)
