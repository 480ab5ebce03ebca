"""Rate plans: one way of selling the same room ("Flexible", "Non-refundable").

A plan changes each night's price *after* the night rules (clamp and rounding included), so
a floor never eats a plan's discount, and the change is its own line of the quote. What a
plan includes, its cancellation policy and its payment terms are the service's business;
the engine only prices.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import msgspec

from engine.money import format_minor, percent_ratio, scale

#: The stage name a plan's line carries in a night's breakdown (after ``round``).
PLAN_STAGE = "plan"


class RatePlan(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A plan's pricing: ``percent`` (e.g. ``-10``) or ``amount`` (minor units, may be
    negative) per night, for ``room_types`` (all when None). ``name`` is shown in notes."""

    slug: str
    name: str = ""
    percent: Decimal | None = None
    amount: int | None = None
    room_types: frozenset[str] | None = None

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


def lowest(amounts: list[int], plans: Sequence[RatePlan], room_type: str) -> list[int]:
    """Each night's lowest price over the ``plans`` that sell ``room_type`` (the calendar's
    figure): a cheap step after the night rules ran once. Unchanged when none sells it."""
    selling = [plan for plan in plans if plan.applies_to(room_type)]
    if not selling:
        return amounts
    if len(selling) == 1:
        return [selling[0].adjust(amount) for amount in amounts]
    return [min(plan.adjust(amount) for plan in selling) for amount in amounts]
