"""The pipeline: rule instances stage by stage, in the owner's order within a stage.

Night stages (base → adjust → clamp → round) work on all nights at once; stay stages
(discount → fee → tax) see the priced nights and the lines added before them. Restrictions
run first and refuse a stay with the reason. A rule that raises fails the quote with its
instance name and package; an amount that is not a non-negative ``int`` fails it too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import msgspec

from engine.context import StayContext
from engine.errors import (
    InvalidChoice,
    InvalidParty,
    InvalidStay,
    NoBaseRate,
    PricingError,
    RuleFailed,
    StayRefused,
    UnknownPromoCode,
)
from engine.extras import Extra, check_extras
from engine.inputs import check_inputs, with_defaults
from engine.loading import RuleInstance, declared_inputs
from engine.money import format_minor
from engine.quote import NightLine, NightPrice, NightQuote, Quote, StayLine, quote_hash
from engine.rate_plans import PLAN_STAGE, RatePlan, lowest
from engine.rules import (
    NIGHT_STAGES,
    STAY_STAGES,
    Bill,
    Charge,
    Days,
    NightRule,
    Nights,
    RestrictionRule,
    StayRule,
)

#: The longest stay one quote prices: a year.
MAX_STAY_NIGHTS = 365
#: The longest calendar priced at once: a year's nights, a leap year included (the widget
#: asks a month at a time; a longer one is a scraper's, not a guest's).
MAX_CALENDAR_NIGHTS = 366
#: A guest older than this counts as an adult.
MAX_CHILD_AGE = 17
#: Someone of age must stay: a party of children alone is not priced.
MIN_ADULTS = 1


def _plan(rules: Sequence[RuleInstance], room_type: str) -> dict[str, list[RuleInstance]]:
    """The instances that price ``room_type``, grouped by stage, each group in owner's order."""
    plan: dict[str, list[RuleInstance]] = {}
    for instance in sorted(rules, key=lambda rule: rule.index):
        if instance.applies_to(room_type):
            plan.setdefault(instance.stage, []).append(instance)
    return plan


def check_nights(
    check_in: date, check_out: date, longest: int = MAX_STAY_NIGHTS, what: str = "a stay"
) -> int:
    """The nights from ``check_in`` to ``check_out``; `InvalidStay` naming ``check_out``
    unless there is at least one and at most ``longest``."""
    nights = (check_out - check_in).days
    if nights < 1:
        raise InvalidStay("check-out must be after check-in", field="check_out")
    if nights > longest:
        raise InvalidStay(f"{what} is limited to {longest} nights", field="check_out")
    return nights


def _check(ctx: StayContext, longest: int, what: str) -> None:
    nights = check_nights(ctx.check_in, ctx.check_out, longest, what)
    if ctx.occupancy and len(ctx.occupancy) != nights:
        raise InvalidStay(
            f"occupancy has {len(ctx.occupancy)} entries for {nights} nights", field="occupancy"
        )
    party = ctx.party
    if party.adults < MIN_ADULTS:
        raise InvalidParty(f"at least {MIN_ADULTS} adult must stay", field="adults")
    for position, age in enumerate(party.children):
        if not 0 <= age <= MAX_CHILD_AGE:
            raise InvalidParty(
                f"a child's age is 0 to {MAX_CHILD_AGE}, got {age}", field=f"children[{position}]"
            )
    room = ctx.room_type
    if party.guests > room.max_guests:
        raise InvalidParty(
            f"{room.slug} sleeps at most {room.max_guests} "
            f"{'guest' if room.max_guests == 1 else 'guests'}, the party is {party.guests}",
            field="adults",
        )


def _failed(instance: RuleInstance, problem: str) -> RuleFailed:
    return RuleFailed(instance.name, instance.package, problem)


def _blamed(instance: RuleInstance, error: Exception) -> Exception:
    """What to raise when ``instance``'s code raised ``error``: a refusal (`PricingError`)
    as it is, naming the instance unless it names a rule already; anything else as
    `RuleFailed` naming the instance and its package."""
    if isinstance(error, PricingError):
        if error.rule is None:
            error.rule = instance.name
        return error
    failure = _failed(instance, f"{type(error).__name__}: {error}")
    failure.__cause__ = error
    return failure


def _nights(ctx: StayContext, *, explaining: bool, calendar: bool) -> Nights:
    count = ctx.nights
    first = ctx.check_in
    dates = [first + timedelta(days=offset) for offset in range(count)]
    ahead = (first - ctx.today).days
    lead = list(range(ahead, ahead + count)) if calendar else [ahead] * count
    if ctx.occupancy:
        total = [night.units_total for night in ctx.occupancy]
        sold = [night.units_sold for night in ctx.occupancy]
        gaps = [night.free_gap for night in ctx.occupancy]
    else:
        total = [ctx.room_type.units] * count
        sold = [0] * count
        gaps = [None] * count
    return Nights(
        ctx,
        dates,
        lead_days=lead,
        units_total=total,
        units_sold=sold,
        free_gap=gaps,
        explaining=explaining,
    )


def _run_night_stages(
    plan: dict[str, list[RuleInstance]], nights: Nights, lines: list[list[NightLine]] | None
) -> None:
    if not plan.get("base"):
        slug = nights.context.room_type.slug
        raise NoBaseRate(
            f'no base-stage rule prices room type {slug!r}: add {{type = "base_rate"}} '
            "as the first rule"
        )
    count = len(nights)
    for stage in NIGHT_STAGES:
        for instance in plan.get(stage, ()):
            rule = instance.rule
            assert isinstance(rule, NightRule)
            before = nights.amounts[:] if lines is not None else nights.amounts
            _price_nights(instance, rule, nights)
            _check_amounts(instance, nights, count)
            notes = nights.take_explained()
            if lines is not None:
                _note_changes(lines, instance, stage, before, nights.amounts, notes)


def _price_nights(instance: RuleInstance, rule: NightRule[Any], nights: Nights) -> None:
    """Run one night rule, naming it in whatever it raises."""
    try:
        rule.price(nights)
    except Exception as error:
        raise _blamed(instance, error)  # noqa: B904 - _blamed sets the cause


def _check_amounts(instance: RuleInstance, nights: Nights, count: int) -> None:
    """Refuse what a rule left behind unless it is one whole, non-negative amount a night."""
    after = nights.amounts
    if len(after) != count:
        raise _failed(instance, f"left {len(after)} amounts for {count} nights")
    try:
        whole = type(sum(after)) is int  # a float or Decimal anywhere makes it non-int
    except TypeError:
        whole = False
    if not whole:
        raise _failed(instance, "set an amount that is not an integer of minor units")
    if count and min(after) < 0:
        day = nights.dates[after.index(min(after))]
        raise _failed(instance, f"set a negative price for the night of {day}")


def _note_changes(
    lines: list[list[NightLine]],
    instance: RuleInstance,
    stage: str,
    before: list[int],
    after: list[int],
    notes: dict[int, tuple[str, Mapping[str, str] | None]],
) -> None:
    """Explain each night the rule changed (or wrote a note for)."""
    default = ""  # the rule's description, for a changed night it wrote no note for
    name = instance.name
    # A rule usually gives the same words object to many nights: checked and sorted once.
    checked: dict[int, dict[str, str]] = {}
    for i in range(len(after)):
        change = after[i] - before[i]
        if not change and i not in notes:
            continue
        explained = notes.get(i)
        if explained is None:
            default = default or instance.rule.describe()
            lines[i].append(NightLine(name, stage, change, default))
            continue
        text, words = explained
        if not words:
            lines[i].append(NightLine(name, stage, change, text))
            continue
        sorted_words = checked.get(id(words))
        if sorted_words is None:
            sorted_words = _notes(instance, words)
            if list(sorted_words) != sorted(sorted_words):
                sorted_words = dict(sorted(sorted_words.items()))
            checked[id(words)] = sorted_words
        lines[i].append(NightLine(name, stage, change, text, sorted_words))


def _restrictions(instances: Sequence[RuleInstance], days: Days) -> None:
    for instance in instances:
        rule = instance.rule
        assert isinstance(rule, RestrictionRule)
        try:
            rule.restrict(days)
        except Exception as error:
            raise _blamed(instance, error)  # noqa: B904 - _blamed sets the cause


def _gap_allowance(plan: dict[str, list[RuleInstance]]) -> int:
    """The longest gap a stay may fill whatever the minimum stay (rules' `fills_gaps`)."""
    return max(
        (instance.rule.fills_gaps() for stage in plan.values() for instance in stage), default=0
    )


def _refuse_if_restricted(plan: dict[str, list[RuleInstance]], ctx: StayContext) -> None:
    """Check the stay against each restriction rule alone, so the refusal can name it. A
    stay exactly filling a short enough gap between two reservations skips the minimum."""
    nights = ctx.nights
    arrival, departure = ctx.check_in, ctx.check_out
    gap_filled = ctx.fills_gap and nights <= _gap_allowance(plan)
    for instance in plan.get("restrict", ()):
        days = Days(ctx, [arrival, departure])
        _restrictions([instance], days)
        if days.closed_to_arrival[0]:
            raise StayRefused(
                "closed_to_arrival",
                f"arrivals are not possible on {arrival}",
                rule=instance.name,
                values={"date": arrival},
            )
        if days.closed_to_departure[1]:
            raise StayRefused(
                "closed_to_departure",
                f"departures are not possible on {departure}",
                rule=instance.name,
                values={"date": departure},
            )
        if nights < days.min_stay[0] and not gap_filled:
            raise StayRefused(
                "min_stay",
                f"stays arriving on {arrival} must be at least {days.min_stay[0]} nights",
                rule=instance.name,
                values={"date": arrival, "nights": days.min_stay[0]},
            )
        longest = days.max_stay[0]
        if longest is not None and nights > longest:
            raise StayRefused(
                "max_stay",
                f"stays arriving on {arrival} may be at most {longest} nights",
                rule=instance.name,
                values={"date": arrival, "nights": longest},
            )


def _open_gaps(days: Days, ctx: StayContext, allowance: int) -> None:
    """Where a short enough gap between two reservations begins, its length is the day's
    minimum stay (a stay filling it is allowed, see `_refuse_if_restricted`)."""
    if not allowance or not ctx.occupancy:
        return
    for i, night in enumerate(ctx.occupancy):
        gap = night.gap_from_here
        if gap is not None and gap <= allowance and gap < days.min_stay[i]:
            days.min_stay[i] = gap


def price_nights(
    ctx: StayContext, rules: Sequence[RuleInstance], plans: Sequence[RatePlan] = ()
) -> list[NightPrice]:
    """Price each night of ``[ctx.check_in, ctx.check_out)`` for the calendar.

    Night stages only, each day priced as if the party arrived that day; each entry also
    carries the restrictions on arriving or departing that day. No explanation lines are
    built, which is what makes a year of ten room types cheap. With ``plans``, each night
    shows the lowest price over the plans that sell the room type (the rules run once; the
    plans are a cheap step after them). Rule inputs take their defaults.
    """
    _check(ctx, MAX_CALENDAR_NIGHTS, "a calendar")
    ctx = msgspec.structs.replace(ctx, inputs=with_defaults(declared_inputs(rules), {}))
    plan = _plan(rules, ctx.room_type.slug)
    nights = _nights(ctx, explaining=False, calendar=True)
    _run_night_stages(plan, nights, None)
    amounts = lowest(nights.amounts, plans, ctx.room_type.slug) if plans else nights.amounts
    days = Days(ctx, nights.dates)
    _restrictions(plan.get("restrict", ()), days)
    _open_gaps(days, ctx, _gap_allowance(plan))
    return [
        NightPrice(day, amount, low, high, arrive, depart)
        for day, amount, low, high, arrive, depart in zip(
            nights.dates,
            amounts,
            days.min_stay,
            days.max_stay,
            days.closed_to_arrival,
            days.closed_to_departure,
            strict=True,
        )
    ]


def _choices(
    ctx: StayContext,
    rules: Sequence[RuleInstance],
    rate_plan: RatePlan | None,
    extras: Sequence[Extra],
) -> tuple[StayContext, dict[str, int | bool]]:
    """Check the plan, the extras and the inputs the stay asks for; the context the rules
    see (plan named, every input with its default) and the inputs the quote records."""
    room = ctx.room_type.slug
    if rate_plan is not None and not rate_plan.applies_to(room):
        raise InvalidChoice(
            f"the {rate_plan.slug} rate is not offered for {room}", field="rate_plan"
        )
    slug = rate_plan.slug if rate_plan is not None else None
    declared = declared_inputs(rules)
    inputs = check_inputs(declared, ctx.inputs)
    chosen = check_extras(
        extras, ctx.extras, room_type=room, rate_plan=slug, guests=ctx.party.guests
    )
    seen = msgspec.structs.replace(
        ctx, rate_plan=slug, extras=chosen, inputs=with_defaults(declared, inputs)
    )
    return seen, inputs


def _apply_rate_plan(
    rate_plan: RatePlan | None, nights: Nights, night_lines: list[list[NightLine]]
) -> None:
    """The plan's change to each night, after every night rule, as a line of its own."""
    if rate_plan is None:
        return
    currency = nights.context.property.currency
    note, notes = rate_plan.note(currency), rate_plan.notes(currency)
    for i, before in enumerate(nights.amounts):
        after = rate_plan.adjust(before)
        if after != before:
            nights.amounts[i] = after
            line = NightLine(rate_plan.slug, PLAN_STAGE, after - before, note, notes)
            night_lines[i].append(line)


def _add_extras(extras: Sequence[Extra], bill: Bill) -> None:
    """The chosen extras' lines (and their VAT), after the discounts, before fees and
    taxes: a discount never reduces an extra, and a fee or tax rule may see them."""
    ctx = bill.context
    for extra in extras:
        quantity = ctx.extras.get(extra.slug)
        if quantity:
            bill.lines.extend(extra.lines(quantity, len(bill.dates), ctx.property.currency))


def price_stay(
    ctx: StayContext,
    rules: Sequence[RuleInstance],
    *,
    rate_plan: RatePlan | None = None,
    extras: Sequence[Extra] = (),
) -> Quote:
    """Price a stay: the explainable, byte-for-byte deterministic quote.

    ``rate_plan`` adjusts each night after the night rules; ``extras`` are the extras the
    property offers (``ctx.extras`` says which the guest chose). Raises
    `InvalidStay`/`InvalidParty` for a request that cannot be priced, `InvalidChoice` for a
    plan, extra or input that does not fit, `StayRefused` for a restriction it breaks,
    `UnknownPromoCode`/`PromoCodeRejected` for a promo code, and `RuleFailed` when a rule
    raises; all are `PricingError`.
    """
    _check(ctx, MAX_STAY_NIGHTS, "a stay")
    ctx, inputs = _choices(ctx, rules, rate_plan, extras)
    plan = _plan(rules, ctx.room_type.slug)
    _refuse_if_restricted(plan, ctx)
    nights = _nights(ctx, explaining=True, calendar=False)
    night_lines: list[list[NightLine]] = [[] for _ in nights.dates]
    _run_night_stages(plan, nights, night_lines)
    _apply_rate_plan(rate_plan, nights, night_lines)
    bill = Bill(ctx, nights.dates, list(nights.amounts))
    currency = ctx.property.currency
    _run_stay_stages(plan, bill, currency, extras)
    if ctx.promo_code and not bill.promo_code_accepted:
        raise UnknownPromoCode(ctx.promo_code)
    total = bill.total
    at_property = sum(
        line.amount for line in bill.lines if not line.included and line.payable == "at_property"
    )
    quote = Quote(
        room_type=ctx.room_type.slug,
        check_in=ctx.check_in,
        check_out=ctx.check_out,
        nights=[
            NightQuote(day, amount, lines)
            for day, amount, lines in zip(nights.dates, nights.amounts, night_lines, strict=True)
        ],
        stay_lines=bill.lines,
        total=total,
        due_now=total - at_property,
        currency=currency,
        quote_hash="",
        rate_plan=ctx.rate_plan,
        extras=ctx.extras,
        inputs=inputs,
    )
    # Sealed in place: the quote is new and not yet seen, and a copy would cost a quote's
    # worth of checks again (`seal` is the same for a quote that is not).
    msgspec.structs.force_setattr(quote, "quote_hash", quote_hash(quote))
    return quote


def _run_stay_stages(
    plan: dict[str, list[RuleInstance]], bill: Bill, currency: str, extras: Sequence[Extra]
) -> None:
    """Add each stay rule's lines to the bill, refusing a sign that does not fit its stage;
    the chosen extras come after the discounts."""
    for stage in STAY_STAGES:
        kind = stage  # a stay line's kind is the stage that added it
        if stage == "fee":
            _add_extras(extras, bill)
        for instance in plan.get(stage, ()):
            for charge in _stay_charges(instance, bill):
                amount = charge.amount
                if type(amount) is not int:
                    raise _failed(instance, "returned an amount that is not an integer")
                if (kind == "discount") != (amount < 0) and amount != 0:
                    sign = "negative" if kind == "discount" else "zero or more"
                    raise _failed(instance, f"a {kind} must be {sign}, got {amount}")
                bill.lines.append(
                    StayLine(
                        instance.name,
                        kind,
                        amount,
                        charge.note,
                        charge.included,
                        charge.payable,
                        _notes(instance, charge.notes),
                    )
                )
            if bill.total < 0:
                raise _failed(
                    instance, f"brought the stay below zero ({format_minor(bill.total, currency)})"
                )


def _notes(instance: RuleInstance, notes: Mapping[str, str]) -> dict[str, str]:
    """A charge's words per language as a plain dict, refusing what is not text."""
    if not notes:
        return {}
    try:  # joining is the quick check that every language and every sentence is text
        "".join(notes)
        "".join(notes.values())
    except TypeError:
        raise _failed(instance, "gave notes that are not text per language") from None
    return dict(notes)


def _stay_charges(instance: RuleInstance, bill: Bill) -> list[Charge]:
    """Run one stay rule, naming it in whatever it raises."""
    rule = instance.rule
    assert isinstance(rule, StayRule)
    try:
        return list(rule.price(bill))
    except Exception as error:
        raise _blamed(instance, error)  # noqa: B904 - _blamed sets the cause
