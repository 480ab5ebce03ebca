"""Rate plans: one way of selling the same room ("Flexible", "Non-refundable").

A plan changes each night's price *after* the night rules (clamp and rounding included), so
a floor never eats a plan's discount, and the change is its own line of the quote. What a
plan includes, its cancellation policy and its payment terms are the service's business;
the engine only prices.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache

import msgspec

from engine.money import format_minor, format_money, format_number, percent_ratio, scale

#: The stage name a plan's line carries in a night's breakdown (after ``round``).
PLAN_STAGE = "plan"
#: A plan's night line per language, by what it changes (a percent, an amount, nothing):
#: numbers and money are written the reader's way, ``{name}`` is the name in their language.
_BY_PERCENT = {
    "de": "{sign}{rate} %: Tarif {name}",
    "en": "{sign}{rate}%: {name} rate",
    "es": "{sign}{rate} %: tarifa {name}",
    "fr": "{sign}{rate} % : tarif {name}",
    "it": "{sign}{rate}%: tariffa {name}",
}
_BY_AMOUNT = {
    "de": "{sign}{amount} pro Nacht: Tarif {name}",
    "en": "{sign}{amount} a night: {name} rate",
    "es": "{sign}{amount} por noche: tarifa {name}",
    "fr": "{sign}{amount} par nuit : tarif {name}",
    "it": "{sign}{amount} a notte: tariffa {name}",
}
_AS_IS = {
    "de": "Tarif {name}",
    "en": "{name} rate",
    "es": "tarifa {name}",
    "fr": "tarif {name}",
    "it": "tariffa {name}",
}


class RatePlan(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A plan's pricing: ``percent`` (e.g. ``-10``) or ``amount`` (minor units, may be
    negative) per night, for ``room_types`` (all when None). Its night line names it by
    ``names`` in each reader's language, else by ``name`` (the English ``note`` uses it)."""

    slug: str
    name: str = ""
    percent: Decimal | None = None
    amount: int | None = None
    room_types: frozenset[str] | None = None
    #: The plan's name per language (``{"en": "Flexible", "it": "Flessibile"}``).
    names: dict[str, str] = {}

    def __post_init__(self) -> None:
        if self.percent is not None and self.amount is not None:
            raise ValueError("a rate plan adjusts by a percent or an amount, not both")
        if self.percent is not None and self.percent < -100:
            raise ValueError("a rate plan cannot lower a price by more than 100 %")

    def applies_to(self, room_type: str) -> bool:
        """Whether the plan sells ``room_type``."""
        return self.room_types is None or room_type in self.room_types

    def adjust(self, amount: int) -> int:
        """The night's price under this plan (never below zero)."""
        if self.percent is not None:
            numerator, denominator = percent_ratio(self.percent)
            return scale(amount, denominator + numerator, denominator)
        if self.amount is not None:
            return max(0, amount + self.amount)
        return amount

    def note(self, currency: str) -> str:
        """What the plan did to a night, in words."""
        label = self.name or self.slug
        if self.percent is not None:
            sign = "+" if self.percent >= 0 else ""
            return f"{sign}{self.percent.normalize():f}%: {label} rate"
        if self.amount is not None:
            sign = "+" if self.amount >= 0 else "-"
            return f"{sign}{format_minor(abs(self.amount), currency)} a night: {label} rate"
        return f"{label} rate"

    def notes(self, currency: str) -> dict[str, str]:
        """What the plan did to a night, in each of the five languages (sorted, as a
        quote's canonical JSON keeps them)."""
        names = tuple(self.names.items())
        label = self.name or self.slug
        return dict(_plan_words(label, names, self.percent, self.amount, currency))


@lru_cache(maxsize=256)  # a property's few plans, worded once rather than in every quote
def _plan_words(
    label: str,
    names: tuple[tuple[str, str], ...],
    percent: Decimal | None,
    amount: int | None,
    currency: str,
) -> dict[str, str]:
    named = dict(names)
    if percent is not None:
        sign = "+" if percent >= 0 else "-"
        return {
            language: template.format(
                sign=sign,
                rate=format_number(abs(percent), language),
                name=named.get(language) or label,
            )
            for language, template in _BY_PERCENT.items()
        }
    if amount is not None:
        sign = "+" if amount >= 0 else "-"
        return {
            language: template.format(
                sign=sign,
                amount=format_money(abs(amount), currency, language),
                name=named.get(language) or label,
            )
            for language, template in _BY_AMOUNT.items()
        }
    return {
        language: template.format(name=named.get(language) or label)
        for language, template in _AS_IS.items()
    }


def lowest(amounts: list[int], plans: Sequence[RatePlan], room_type: str) -> list[int]:
    """Each night's lowest price over the ``plans`` that sell ``room_type`` (the calendar's
    figure): a cheap step after the night rules ran once. Unchanged when none sells it."""
    selling = [plan for plan in plans if plan.applies_to(room_type)]
    if not selling:
        return amounts
    if len(selling) == 1:
        return [selling[0].adjust(amount) for amount in amounts]
    return [min(plan.adjust(amount) for plan in selling) for amount in amounts]
