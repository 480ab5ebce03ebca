"""Extra guests: a fee per night for each guest above the room's included guests."""

from __future__ import annotations

import msgspec

from engine import Money, NightRule, Nights, SettingError, format_minor


class ExtraGuestSettings(msgspec.Struct, forbid_unknown_fields=True):
    amount: Money
    child_amount: Money | None = None
    free_under_age: int = 0


class ExtraGuests(NightRule[ExtraGuestSettings]):
    """Per night, ``amount`` for each guest beyond the included ones (children may cost less)."""

    name = "extra_guests"
    stage = "adjust"
    Settings = ExtraGuestSettings

    def setup(self) -> None:
        if self.settings.amount < 0 or (self.settings.child_amount or 0) < 0:
            raise SettingError("amount", "cannot be negative")
        if self.settings.free_under_age < 0:
            raise SettingError("free_under_age", "cannot be negative")

    def fee(self, nights: Nights) -> tuple[int, str]:
        """(fee per night, note) for the stay's party; adults fill the included places first."""
        party = nights.context.party
        included = nights.context.room_type.included_guests
        children = [age for age in party.children if age >= self.settings.free_under_age]
        extra_adults = max(0, party.adults - included)
        extra_children = max(0, len(children) - max(0, included - party.adults))
        child_amount = (
            self.settings.amount
            if self.settings.child_amount is None
            else self.settings.child_amount
        )
        fee = extra_adults * self.settings.amount + extra_children * child_amount
        parts = []
        if extra_adults:
            each = format_minor(self.settings.amount, self.currency)
            parts.append(f"{extra_adults} extra adult(s) × {each}")
        if extra_children:
            each = format_minor(child_amount, self.currency)
            parts.append(f"{extra_children} extra child(ren) × {each}")
        return int(fee), f"{' + '.join(parts)} above {included} included guests"

    def price(self, nights: Nights) -> None:
        fee, note = self.fee(nights)
        if not fee:
            return
        amounts = nights.amounts
        for i in range(len(amounts)):
            amounts[i] += fee
            nights.note(i, note)
