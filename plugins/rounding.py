"""Rounding: whole units, a step, or prices ending in a chosen figure such as .90."""

from __future__ import annotations

from typing import Literal

import msgspec

from engine import Money, NightRule, Nights, SettingError, exponent, format_minor


class RoundingSettings(msgspec.Struct, forbid_unknown_fields=True):
    mode: Literal["none", "whole", "ending", "step"] = "whole"
    ending: Money = Money(0)
    step: Money | None = None
    direction: Literal["nearest", "up", "down"] = "nearest"


def round_within(
    amount: int, unit: int, ending: int, direction: str, floor: int, ceiling: int | None
) -> int:
    """Round ``amount`` to ``k × unit + ending`` in ``direction``, staying in [floor, ceiling].

    When the rounded price would leave the clamp range, the nearest candidate inside it is
    taken instead; if no candidate fits, the range's own bound is used.
    """
    below = (amount - ending) // unit * unit + ending  # largest candidate ≤ amount
    above = below if below == amount else below + unit
    if direction == "down":
        choice = below
    elif direction == "up":
        choice = above
    else:
        choice = below if amount - below < above - amount else above
    if ceiling is not None and choice > ceiling:
        highest = (ceiling - ending) // unit * unit + ending
        return highest if highest >= floor else ceiling
    if choice < floor:
        lowest = (floor - ending) // unit * unit + ending
        if lowest < floor:
            lowest += unit
        return lowest if ceiling is None or lowest <= ceiling else floor
    return choice


class Rounding(NightRule[RoundingSettings]):
    """Round each night to whole units, a step (5.00) or an ending (.90), inside the clamps."""

    name = "rounding"
    stage = "round"
    Settings = RoundingSettings

    def setup(self) -> None:
        settings = self.settings
        whole = 10 ** exponent(self.currency)
        if settings.mode == "step":
            if settings.step is None or settings.step <= 0:
                raise SettingError("step", "mode 'step' needs a step above zero, e.g. 5.00")
            self._unit, self._ending = int(settings.step), 0
        else:
            self._unit, self._ending = whole, int(settings.ending)
            if settings.mode == "whole":
                self._ending = 0
        if not 0 <= self._ending < self._unit:
            raise SettingError("ending", "must be less than one whole unit, e.g. 0.90")
        target = (
            f"steps of {format_minor(self._unit, self.currency)}"
            if settings.mode == "step"
            else f"ending in {format_minor(self._ending, self.currency)}"
            if settings.mode == "ending"
            else "whole units"
        )
        self._note = f"rounded {settings.direction} to {target}"

    def price(self, nights: Nights) -> None:
        if self.settings.mode == "none":
            return
        unit, ending, direction = self._unit, self._ending, self.settings.direction
        floor, ceiling = nights.floor, nights.ceiling
        amounts = nights.amounts
        for i, amount in enumerate(amounts):
            outside = amount < floor or (ceiling is not None and amount > ceiling)
            if outside or (amount - ending) % unit:
                rounded = round_within(amount, unit, ending, direction, floor, ceiling)
                if rounded != amount:
                    amounts[i] = rounded
                    nights.note(i, self._note)
