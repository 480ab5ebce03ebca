"""Extra guests: a fee per night for each guest above the room's included guests."""

from __future__ import annotations

from functools import lru_cache

import msgspec

from engine import WORD_LANGUAGES, Money, NightRule, Nights, SettingError, format_minor
from plugins._words import money_in

#: (one, several) per language: extra adults, extra children, the included guests.
_ADULTS = {
    "de": ("{n} zusätzlicher Erwachsener × {each}", "{n} zusätzliche Erwachsene × {each}"),
    "en": ("{n} extra adult × {each}", "{n} extra adults × {each}"),
    "es": ("{n} adulto adicional × {each}", "{n} adultos adicionales × {each}"),
    "fr": ("{n} adulte supplémentaire × {each}", "{n} adultes supplémentaires × {each}"),
    "it": ("{n} adulto in più × {each}", "{n} adulti in più × {each}"),
}
_CHILDREN = {
    "de": ("{n} zusätzliches Kind × {each}", "{n} zusätzliche Kinder × {each}"),
    "en": ("{n} extra child × {each}", "{n} extra children × {each}"),
    "es": ("{n} niño adicional × {each}", "{n} niños adicionales × {each}"),
    "fr": ("{n} enfant supplémentaire × {each}", "{n} enfants supplémentaires × {each}"),
    "it": ("{n} bambino in più × {each}", "{n} bambini in più × {each}"),
}
_INCLUDED = {
    "de": (
        "{parts} über {n} inbegriffenen Gast hinaus",
        "{parts} über {n} inbegriffene Gäste hinaus",
    ),
    "en": ("{parts} above {n} included guest", "{parts} above {n} included guests"),
    "es": ("{parts} además de {n} huésped incluido", "{parts} además de {n} huéspedes incluidos"),
    "fr": ("{parts} au-delà de {n} personne incluse", "{parts} au-delà de {n} personnes incluses"),
    "it": ("{parts} oltre {n} ospite incluso", "{parts} oltre {n} ospiti inclusi"),
}


@lru_cache(maxsize=256)
def extra_guest_words(
    adults: int, adult_each: int, children: int, child_each: int, included: int, currency: str
) -> dict[str, str]:
    """The extra guests' fee per language: ``1 adulto in più × 20,00 € oltre 2 ospiti inclusi``."""
    adult_price, child_price = money_in(adult_each, currency), money_in(child_each, currency)
    words = {}
    for language in WORD_LANGUAGES:
        parts = []
        if adults:
            template = _ADULTS[language][adults != 1]
            parts.append(template.format(n=adults, each=adult_price[language]))
        if children:
            template = _CHILDREN[language][children != 1]
            parts.append(template.format(n=children, each=child_price[language]))
        template = _INCLUDED[language][included != 1]
        words[language] = template.format(parts=" + ".join(parts), n=included)
    return words


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
        fee, note, _ = self.fee_explained(nights)
        return fee, note

    def fee_explained(self, nights: Nights) -> tuple[int, str, dict[str, str] | None]:
        """`fee`, and the note per language when the engine is explaining."""
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
            adults = "adult" if extra_adults == 1 else "adults"
            parts.append(f"{extra_adults} extra {adults} × {each}")
        if extra_children:
            each = format_minor(child_amount, self.currency)
            kids = "child" if extra_children == 1 else "children"
            parts.append(f"{extra_children} extra {kids} × {each}")
        words = None
        if fee and nights.explaining:
            words = extra_guest_words(
                extra_adults,
                int(self.settings.amount),
                extra_children,
                int(child_amount),
                included,
                self.currency,
            )
        guests = "guest" if included == 1 else "guests"
        return int(fee), f"{' + '.join(parts)} above {included} included {guests}", words

    def price(self, nights: Nights) -> None:
        fee, note, words = self.fee_explained(nights)
        if not fee:
            return
        amounts = nights.amounts
        for i in range(len(amounts)):
            amounts[i] += fee
            nights.note(i, note, words)
