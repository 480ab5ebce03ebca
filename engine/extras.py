"""Extras the guest chooses (breakfast, parking, a cot): priced as stay lines of their own.

An extra costs ``price`` per stay, per night, per guest or per guest per night, times the
quantity chosen (for the "per guest" kinds the quantity is how many guests take it, so at
most the party). Each extra may carry its own VAT (included in its price or added to it),
and is paid now or at the property. The engine checks the choice: an unknown slug, one not
offered with this room type or plan, or a quantity out of bounds is `InvalidChoice` naming
``extras.<slug>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Literal

import msgspec

from engine.errors import InvalidChoice
from engine.money import format_minor, format_money, percent_ratio, scale, words_in
from engine.quote import Payable, StayLine
from engine.vat_words import VAT_ADDED, VAT_INCLUDED

Per = Literal["stay", "night", "guest", "guest_night"]
#: A stay line's kind for an extra; its VAT line is kind ``tax``.
EXTRA_KIND = "extra"
_PER_WORDS = {"stay": "", "night": "a night", "guest": "a guest", "guest_night": "a guest a night"}
#: The extra's line per language: ``{name} × {quantity}: {price}``, then how it is counted.
_LINE = {
    "de": "{name} × {quantity}: {price}",
    "en": "{name} × {quantity}: {price}",
    "es": "{name} × {quantity}: {price}",
    "fr": "{name} × {quantity} : {price}",
    "it": "{name} × {quantity}: {price}",
}
_PER_IN: dict[str, dict[Per, str]] = {
    "de": {"night": " pro Nacht", "guest": " pro Gast", "guest_night": " pro Gast und Nacht"},
    "en": {"night": " a night", "guest": " a guest", "guest_night": " a guest a night"},
    "es": {"night": " por noche", "guest": " por persona", "guest_night": " por persona y noche"},
    "fr": {
        "night": " par nuit",
        "guest": " par personne",
        "guest_night": " par personne et par nuit",
    },
    "it": {"night": " a notte", "guest": " a persona", "guest_night": " a persona a notte"},
}


class Extra(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One extra as the engine prices it (minor units). Its lines name it by ``names`` in
    each reader's language, else by ``name`` (``note``, the English words, uses ``name``)."""

    slug: str
    price: int
    per: Per = "stay"
    name: str = ""
    #: The extra's name per language (``{"en": "Breakfast", "it": "Colazione"}``).
    names: dict[str, str] = {}
    #: The most one stay may take; None: one, or for the "per guest" kinds the party.
    max_quantity: int | None = None
    room_types: frozenset[str] | None = None
    rate_plans: frozenset[str] | None = None
    vat_percent: Decimal | None = None
    vat_inclusive: bool = True
    payable: Payable = "now"

    @property
    def field(self) -> str:
        """The request field naming this extra (``extras.breakfast``)."""
        return f"extras.{self.slug}"

    def offered(self, room_type: str, rate_plan: str | None) -> bool:
        """Whether the extra may be chosen with this room type and plan."""
        if self.room_types is not None and room_type not in self.room_types:
            return False
        return self.rate_plans is None or rate_plan is None or rate_plan in self.rate_plans

    def most(self, guests: int) -> int:
        """The largest quantity a party of ``guests`` may choose."""
        if self.per in ("guest", "guest_night"):
            return guests if self.max_quantity is None else min(self.max_quantity, guests)
        return 1 if self.max_quantity is None else self.max_quantity

    def cost(self, quantity: int, nights: int) -> int:
        """What ``quantity`` of it costs for a stay of ``nights``."""
        per_night = self.per in ("night", "guest_night")
        return self.price * quantity * (nights if per_night else 1)

    def lines(self, quantity: int, nights: int, currency: str) -> list[StayLine]:
        """The extra's stay line, and its VAT line if it carries VAT, each with its words
        in the five languages (``notes``) beside the English ``note``."""
        amount = self.cost(quantity, nights)
        rule = self.field
        per = _PER_WORDS[self.per]
        note = f"{self.name or self.slug} × {quantity}: {format_minor(self.price, currency)}"
        note += f" {per}" if per else ""
        out = [
            StayLine(
                rule,
                EXTRA_KIND,
                amount,
                note,
                payable=self.payable,
                notes=self._notes(quantity, currency),
            )
        ]
        if self.vat_percent:
            numerator, denominator = percent_ratio(self.vat_percent)
            rate = f"{self.vat_percent.normalize():f}%"
            inclusive = self.vat_inclusive
            words = words_in(
                VAT_INCLUDED if inclusive else VAT_ADDED,
                currency,
                numbers={"rate": self.vat_percent},
            )
            if inclusive:
                vat = scale(amount, numerator, denominator + numerator)
                note = f"includes {rate} VAT"
            else:
                vat = scale(amount, numerator, denominator)
                note = f"{rate} VAT"
            out.append(StayLine(rule, "tax", vat, note, inclusive, self.payable, words))
        return out

    def _notes(self, quantity: int, currency: str) -> dict[str, str]:
        """The extra's line in each language, named as that reader's name for it."""
        names = tuple(self.names.items())
        return _line_words(self.name or self.slug, names, self.per, quantity, self.price, currency)


# Cached: the same extra and quantity recur from quote to quote (the line copies the words).
@lru_cache(maxsize=1024)
def _line_words(
    label: str,
    names: tuple[tuple[str, str], ...],
    per: Per,
    quantity: int,
    price: int,
    currency: str,
) -> dict[str, str]:
    named = dict(names)
    return {
        language: (template + _PER_IN[language].get(per, "")).format(
            name=named.get(language) or label,
            quantity=quantity,
            price=format_money(price, currency, language),
        )
        for language, template in _LINE.items()
    }


def check_extras(
    offered: Sequence[Extra],
    chosen: Mapping[str, object],
    *,
    room_type: str,
    rate_plan: str | None,
    guests: int,
) -> dict[str, int]:
    """The request's extras checked, sorted by slug, without zero quantities."""
    by_slug = {extra.slug: extra for extra in offered}
    checked: dict[str, int] = {}
    for slug in sorted(chosen):
        quantity = chosen[slug]
        extra = by_slug.get(slug)
        field = f"extras.{slug[:40]}"
        if extra is None:
            known = ", ".join(sorted(by_slug)) or "none"
            raise InvalidChoice(
                f"unknown extra {slug[:40]!r}; this property offers: {known}", field=field
            )
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise InvalidChoice(f"{slug}: a quantity is a whole number, 0 or more", field=field)
        if quantity == 0:
            continue
        if not extra.offered(room_type, rate_plan):
            plan = f" with the {rate_plan} rate" if rate_plan else ""
            raise InvalidChoice(f"{slug} is not offered for {room_type}{plan}", field=field)
        most = extra.most(guests)
        if quantity > most:
            raise InvalidChoice(
                f"at most {most} of {slug} for this stay, got {quantity}", field=field
            )
        checked[slug] = quantity
    return checked
