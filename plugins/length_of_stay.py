"""Length-of-stay discounts: weekly and monthly tiers."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Literal

import msgspec

from engine import Bill, Charge, SettingError, StayRule, percent_of, words_in

_WORDS = {
    "en": "{percent}% off stays of {nights} nights or more",
    "de": "{percent} % Rabatt ab {nights} Nächten",
    "fr": "{percent} % de remise dès {nights} nuits",
    "es": "{percent} % de descuento a partir de {nights} noches",
    "it": "{percent}% di sconto per soggiorni da {nights} notti",
}


class StayTier(msgspec.Struct, forbid_unknown_fields=True):
    min_nights: int
    percent: Decimal


class LengthOfStaySettings(msgspec.Struct, forbid_unknown_fields=True):
    tiers: list[StayTier]
    wins: Literal["largest", "longest"] = "longest"


class LengthOfStay(StayRule[LengthOfStaySettings]):
    """A percentage off the rooms for stays of at least ``min_nights``; one tier applies.

    ``wins = "longest"`` takes the tier with the most nights the stay reaches, ``"largest"``
    the biggest discount among the tiers reached.
    """

    name = "length_of_stay"
    stage = "discount"
    Settings = LengthOfStaySettings

    def setup(self) -> None:
        if not self.settings.tiers:
            raise SettingError("tiers", "name at least one tier")
        for tier in self.settings.tiers:
            if tier.min_nights < 1:
                raise SettingError("tiers.min_nights", "must be at least 1")
            if not 0 < tier.percent <= 100:
                raise SettingError("tiers.percent", "is the discount: more than 0, at most 100")

    def price(self, bill: Bill) -> Iterable[Charge]:
        nights = len(bill.dates)
        reached = [tier for tier in self.settings.tiers if nights >= tier.min_nights]
        if not reached:
            return []
        if self.settings.wins == "longest":
            tier = max(reached, key=lambda tier: (tier.min_nights, tier.percent))
        else:
            tier = max(reached, key=lambda tier: (tier.percent, tier.min_nights))
        amount = percent_of(bill.room_price, tier.percent)
        note = f"{tier.percent.normalize():f}% off stays of {tier.min_nights} nights or more"
        notes = words_in(
            _WORDS, self.currency, numbers={"percent": tier.percent}, nights=tier.min_nights
        )
        return [Charge(-amount, note, notes=notes)] if amount else []
