"""Price a stay with chosen rules in a few lines, without a database: for plugin tests.

from engine.testing import price

quote = price(
    rules=[{"type": "holiday_surcharge", "country": "DE", "percent": 20}],
    rule_types=[HolidaySurcharge],          # not installed yet? pass the class
    base_price="100.00", currency="EUR",
    check_in="2026-12-24", check_out="2026-12-27",
)
assert quote.nights[1].amount == 12000
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from engine.context import Occupancy, Party, Property, RoomType, StayContext
from engine.extras import Extra
from engine.loading import RuleInstance, load_rules
from engine.money import to_minor
from engine.pipeline import price_nights, price_stay
from engine.plugins import RuleTypeInfo, get_plugin_manager, rule_types
from engine.quote import NightPrice, Quote
from engine.rate_plans import RatePlan
from engine.rules import Rule


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def make_context(
    *,
    check_in: date | str,
    check_out: date | str | None = None,
    nights: int | None = None,
    base_price: Decimal | str | int = "100.00",
    currency: str = "EUR",
    adults: int = 2,
    children: Sequence[int] = (),
    promo_code: str | None = None,
    today: date | str | None = None,
    room_type: str = "double",
    max_guests: int = 4,
    included_guests: int = 2,
    units: int = 1,
    units_sold: Sequence[int] | None = None,
    free_gap: Sequence[int | None] | None = None,
    occupancy: Sequence[Occupancy] = (),
    extras: Mapping[str, int] | None = None,
    inputs: Mapping[str, int | bool] | None = None,
    fills_gap: bool = False,
) -> StayContext:
    """A `StayContext` from plain values: ``base_price`` in major units, dates as text or
    `date`; ``check_out`` or ``nights``; per-night ``units_sold`` and ``free_gap`` (or whole
    ``occupancy`` entries); the guest's ``extras`` (slug → quantity) and rule ``inputs``;
    ``fills_gap``: the stay exactly fills a free gap between two reservations."""
    start = _day(check_in)
    if check_out is None and nights is None:
        raise TypeError("give check_out or nights")
    end = _day(check_out) if check_out is not None else start + timedelta(days=nights or 0)
    count = (end - start).days
    per_night: tuple[Occupancy, ...] = tuple(occupancy)
    if units_sold is not None or free_gap is not None:
        sold = list(units_sold) if units_sold is not None else [0] * count
        gaps = list(free_gap) if free_gap is not None else [None] * count
        per_night = tuple(
            Occupancy(units_total=units, units_sold=s, free_gap=g)
            for s, g in zip(sold, gaps, strict=True)
        )
    return StayContext(
        property=Property(slug="test", currency=currency, time_zone="UTC"),
        room_type=RoomType(
            slug=room_type,
            base_price=to_minor(base_price, currency),
            max_guests=max_guests,
            included_guests=included_guests,
            units=units,
        ),
        check_in=start,
        check_out=end,
        today=_day(today) if today is not None else start,
        party=Party(adults=adults, children=tuple(children)),
        promo_code=promo_code,
        occupancy=per_night,
        extras=dict(extras or {}),
        inputs=dict(inputs or {}),
        fills_gap=fills_gap,
    )


def make_rules(
    rules: Sequence[dict[str, Any]],
    *,
    currency: str = "EUR",
    extra_types: Sequence[type[Rule[Any]]] = (),
    with_base_rate: bool = True,
) -> list[RuleInstance]:
    """Load ``rules`` (``[[rules]]`` tables as dicts) with the installed types plus
    ``extra_types``; puts ``{"type": "base_rate"}`` first unless a base-stage rule is listed."""
    known: dict[str, RuleTypeInfo] = dict(rule_types())
    for extra in extra_types:
        known[extra.name] = RuleTypeInfo(extra, extra.__module__.split(".")[0], "test", "test")
    tables = list(rules)
    has_base = any(
        table.get("type") in known and known[table["type"]].rule_type.stage == "base"
        for table in tables
    )
    if with_base_rate and not has_base:
        tables.insert(0, {"type": "base_rate"})
    return load_rules(tables, currency=currency, types=known)


def price(
    *,
    rules: Sequence[dict[str, Any]],
    rule_types: Sequence[type[Rule[Any]]] = (),
    with_base_rate: bool = True,
    rate_plan: RatePlan | None = None,
    offered_extras: Sequence[Extra] = (),
    **stay: Any,
) -> Quote:
    """Quote a stay with ``rules``; ``stay`` takes the keywords of `make_context` (among
    them ``extras={"breakfast": 2}`` and ``inputs={"pets": 1}``). ``rate_plan`` sells it
    under a plan; ``offered_extras`` are the extras the guest may choose from."""
    context = make_context(**stay)
    instances = make_rules(
        rules,
        currency=context.property.currency,
        extra_types=rule_types,
        with_base_rate=with_base_rate,
    )
    return price_stay(context, instances, rate_plan=rate_plan, extras=offered_extras)


def calendar(
    *,
    rules: Sequence[dict[str, Any]],
    rule_types: Sequence[type[Rule[Any]]] = (),
    with_base_rate: bool = True,
    rate_plans: Sequence[RatePlan] = (),
    **stay: Any,
) -> list[NightPrice]:
    """The calendar's night prices for ``[check_in, check_out)`` with ``rules`` (the lowest
    over ``rate_plans``, if any)."""
    context = make_context(**stay)
    instances = make_rules(
        rules,
        currency=context.property.currency,
        extra_types=rule_types,
        with_base_rate=with_base_rate,
    )
    return price_nights(context, instances, rate_plans)


@contextmanager
def registered(plugin: object, name: str) -> Iterator[None]:
    """Register ``plugin`` (a module or object with hookimpls) for the block, then remove it.

    A plugin that is already registered (installed, so loaded through its entry point) is
    left as it is: the block sees it either way, and it stays registered afterwards.
    """
    manager = get_plugin_manager()
    if manager.is_registered(plugin):
        yield
        return
    manager.register(plugin, name=name)
    try:
        yield
    finally:
        manager.unregister(name=name)
