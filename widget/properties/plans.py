"""Rate plans and extras as an owner writes them in the property file, and as the engine
prices them.

A plan (``[[rate_plans]]``) sells the same rooms on other terms: an adjustment after the
night rules, what it includes, its own cancellation policy and payment terms. An extra
(``[[extras]]``) is something the guest adds: breakfast, parking, a cot. Names are written
once (``name = "Breakfast"``) or per language (``name = {en = "Breakfast", it =
"Colazione"}``). Money is minor units here: the file's reader converts it first.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from engine import Extra, Instalment, Quote, RatePlan
from engine.quote import seal
from widget.i18n import LANGUAGES

#: A slug's pattern is checked by the property file (`widget.properties.file.SLUG_PATTERN`).
Slug = Annotated[str, Meta(min_length=1, max_length=64)]
#: A name written once, or per language (``{en = "…", it = "…"}``).
Names = Annotated[str, Meta(min_length=1, max_length=200)] | dict[str, str]


class PlanCancellation(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A cancellation policy: free until ``free_until_days`` before arrival (unless
    ``free_cancellation`` is false: never free), then ``refund_percent`` of what was paid."""

    free_until_days: Annotated[int, Meta(ge=0, le=365)] = 7
    refund_percent: Annotated[int, Meta(ge=0, le=100)] = 0
    free_cancellation: bool = True


class PaymentTerms(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """When a plan's guest pays: all at booking (the default), a deposit at booking and the
    balance ``balance_days_before`` arrival, or at the property (with or without the card
    kept as a guarantee). `scheduled` applies them to a quote."""

    #: ``online``: paid at booking (``deposit_percent`` now, the balance later);
    #: ``at_property``: nothing online (``card_guarantee``: the card is kept for a no-show).
    mode: Literal["online", "at_property"] = "online"
    deposit_percent: Annotated[int, Meta(ge=1, le=100)] = 100
    balance_days_before: Annotated[int, Meta(ge=0, le=365)] = 14
    card_guarantee: bool = False

    def scheduled(self, quote: Quote, today: date) -> Quote:
        """``quote`` under these terms, sealed again: ``due_now`` is what is charged at
        booking and ``payment_schedule`` lists every online payment (they add up to what is
        paid online). A balance date already reached (or today) means all is due now."""
        if self.mode == "at_property":
            return seal(msgspec.structs.replace(quote, due_now=0, pay_at_property=True))
        online = quote.due_now
        balance_on = quote.check_in - timedelta(days=self.balance_days_before)
        deposit = deposit_of(online, self.deposit_percent)
        if deposit >= online or balance_on <= today:
            return quote
        schedule = [Instalment(today, deposit), Instalment(balance_on, online - deposit)]
        return seal(msgspec.structs.replace(quote, due_now=deposit, payment_schedule=schedule))


def deposit_of(online: int, percent: int) -> int:
    """``percent`` of ``online`` minor units, rounded up (so a deposit is never 0 of a
    stay that costs something); the balance is what is left, so the parts add up."""
    return -(-online * percent // 100)


class RatePlanSpec(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    slug: Slug
    name: Names
    #: The room types sold under the plan; all of them if left out.
    room_types: list[str] | None = None
    #: The change to each night after the night rules: a percent (``-10``) or an amount of
    #: money a night (minor units here), not both.
    percent: Decimal | None = None
    amount: int | None = None
    #: What the plan includes, e.g. "Breakfast" (shown beside the plan).
    included: Names | None = None
    #: The plan's own policy; the property's when left out.
    cancellation_policy: PlanCancellation | None = None
    payment: PaymentTerms = PaymentTerms()

    def engine_plan(self, language: str) -> RatePlan:
        """The plan as the engine prices it."""
        return RatePlan(
            slug=self.slug,
            name=name_in(self.name, language),
            names=names_of(self.name),
            percent=self.percent,
            amount=self.amount,
            room_types=frozenset(self.room_types) if self.room_types is not None else None,
        )


class ExtraSpec(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    slug: Slug
    name: Names
    #: Minor units here (written in major units in the file).
    price: Annotated[int, Meta(ge=0)]
    per: Literal["stay", "night", "guest", "guest_night"] = "stay"
    #: The most one stay takes; for the "per guest" kinds never more than the party.
    max_quantity: Annotated[int, Meta(ge=1, le=99)] | None = None
    room_types: list[str] | None = None
    rate_plans: list[str] | None = None
    #: The VAT the extra carries (none if left out), included in its price or added to it.
    vat_percent: Decimal | None = None
    vat_inclusive: bool = True
    payable: Literal["now", "at_property"] = "now"

    def engine_extra(self, language: str) -> Extra:
        """The extra as the engine prices it."""
        return Extra(
            slug=self.slug,
            price=self.price,
            per=self.per,
            name=name_in(self.name, language),
            names=names_of(self.name),
            max_quantity=self.max_quantity,
            room_types=frozenset(self.room_types) if self.room_types is not None else None,
            rate_plans=frozenset(self.rate_plans) if self.rate_plans is not None else None,
            vat_percent=self.vat_percent,
            vat_inclusive=self.vat_inclusive,
            payable=self.payable,
        )


def name_in(names: str | dict[str, str], language: str, fallback: str = "en") -> str:
    """The name in ``language``, else in ``fallback``, else the first one written."""
    if isinstance(names, str):
        return names
    return names.get(language) or names.get(fallback) or next(iter(names.values()), "")


def names_of(names: str | dict[str, str]) -> dict[str, str]:
    """The name per language the engine words a line with (none: written once)."""
    return {} if isinstance(names, str) else dict(names)


def names_problem(names: str | dict[str, str] | None) -> str | None:
    """What is wrong with a per-language name, if anything."""
    if names is None or isinstance(names, str):
        return None
    if not names:
        return "write a name, or a table of names by language"
    unknown = sorted(set(names) - set(LANGUAGES))
    if unknown:
        return f"unknown language {unknown[0]!r}; use {', '.join(LANGUAGES)}"
    if not all(isinstance(text, str) and text.strip() for text in names.values()):
        return "every name must be non-empty text"
    return None


def stored(specs: list[RatePlanSpec] | list[ExtraSpec]) -> list[dict[str, Any]]:
    """Plans or extras as the property row stores them (JSON)."""
    result: list[dict[str, Any]] = msgspec.to_builtins(specs)
    return result


def plans_from_row(raw: Any) -> list[RatePlanSpec]:
    """The property row's plans, as stored by `stored`."""
    return msgspec.convert(raw or [], list[RatePlanSpec], strict=False)


def extras_from_row(raw: Any) -> list[ExtraSpec]:
    """The property row's extras, as stored by `stored`."""
    return msgspec.convert(raw or [], list[ExtraSpec], strict=False)
