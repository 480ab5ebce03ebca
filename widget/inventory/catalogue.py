"""A property's pricing set-up (rules, room types, units), loaded once per property version.

Rules and room types only change when the owner applies the property file, which bumps
``property.version``; every worker keeps the set-up of the versions it has seen
(`Catalogues`), so a calendar or quote request needs no query before it can price.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from engine import (
    Extra,
    Party,
    Property,
    RatePlan,
    RoomType,
    RuleConfigError,
    RuleInstance,
    load_rules,
)
from widget.bounded import Bounded
from widget.db import Conn
from widget.errors import Invalid, NotFound, PricingBroken, Said, shown
from widget.inventory.versions import Versions
from widget.limits import BOOKING_HORIZON_DAYS
from widget.properties.plans import RatePlanSpec, extras_from_row, plans_from_row
from widget.sql import queries

log = logging.getLogger(__name__)


class RulesNotLoaded(PricingBroken):
    """The property's stored rules do not load here (a rule type not loaded, a setup() that
    raises): its prices are refused, never guessed without the rule. ``detail`` is the
    owner's one line; the guest gets a plain apology."""

    def __init__(self, slug: str, error: RuleConfigError) -> None:
        super().__init__(
            "This property's prices cannot be shown right now because of a problem with its "
            "pricing rules; the guesthouse has been told."
        )
        self.detail = f"property {slug!r}: {error}"


def _rules(
    slug: str, raw: list[dict[str, Any]], currency: str, rooms: list[str]
) -> tuple[RuleInstance, ...]:
    try:
        return tuple(load_rules(raw, currency=currency, room_types=rooms))
    except RuleConfigError as error:
        refused = RulesNotLoaded(slug, error)
        log.error("%s", refused.detail)
        raise refused from error


@dataclass(frozen=True)
class RoomStock:
    id: int
    room_type: RoomType
    unit_ids: tuple[int, ...]


@dataclass(frozen=True)
class Catalogue:
    property_id: int
    version: int
    property: Property
    locale: str
    rules: tuple[RuleInstance, ...]
    rooms: dict[str, RoomStock]
    #: How many days after its today the property still sells (the last check-out).
    horizon_days: int = BOOKING_HORIZON_DAYS
    #: The most one client may hold at once, in percent of the active units.
    hold_share_percent: int = 25
    #: The most rooms one booking may have; no client's hold quota is smaller.
    max_rooms_per_booking: int = 4
    #: The rate plans as the owner wrote them, in order (none: stays are sold without).
    rate_plans: tuple[RatePlanSpec, ...] = ()
    #: The same, as the engine prices them, and the extras a guest may choose.
    plans: tuple[RatePlan, ...] = ()
    extras: tuple[Extra, ...] = ()

    def rate_plan(self, slug: str | None, room_type: str) -> RatePlanSpec | None:
        """The plan a stay of ``room_type`` is sold under: ``slug``, or the first plan that
        sells the room type; None when the property has no plans. 422 naming
        ``rate_plan`` for a plan it does not have or that does not sell the room type."""
        if not self.rate_plans:
            if slug is not None:
                raise Invalid("this property has no rate plans", field="rate_plan")
            return None
        selling = [
            plan
            for plan in self.rate_plans
            if plan.room_types is None or room_type in plan.room_types
        ]
        if slug is None:
            return selling[0] if selling else None
        for plan in selling:
            if plan.slug == slug:
                return plan
        known = ", ".join(plan.slug for plan in selling) or "none"
        raise Invalid(
            f"rate plan {shown(slug)} does not sell {room_type}; it is sold under: {known}",
            field="rate_plan",
        )

    def engine_plan(self, plan: RatePlanSpec | None) -> RatePlan | None:
        """``plan`` as the engine prices it."""
        if plan is None:
            return None
        return next(p for p in self.plans if p.slug == plan.slug)

    def policy_of(self, plan: RatePlanSpec | None) -> dict[str, Any] | None:
        """The cancellation policy a hold under ``plan`` keeps (None: the property's)."""
        if plan is None or plan.cancellation_policy is None:
            return None
        policy = plan.cancellation_policy
        return {
            "free_until_days": policy.free_until_days,
            "refund_percent": policy.refund_percent,
            "free_cancellation": policy.free_cancellation,
        }

    def unit_count(self) -> int:
        """How many units the property sells (retired ones no longer count)."""
        return sum(len(room.unit_ids) for room in self.rooms.values())

    def room(self, slug: str) -> RoomStock:
        room = self.rooms.get(slug)
        if room is None:
            known = ", ".join(self.rooms) or "none"
            raise Invalid(
                f"unknown room type {shown(slug)}; this property has: {known}",
                field="room_type",
                said=Said("unknown_room_type", {"room_type": shown(slug), "known": known}),
            )
        return room


#: Properties whose set-up a worker keeps at most (``INNKEEP_WORKER_PROPERTIES``).
PROPERTIES = 2000


class Catalogues:
    """One worker's pricing set-ups: the newest version of each of the properties it priced
    last (at most ``size``; one dropped is read again when next asked)."""

    def __init__(self, size: int = PROPERTIES) -> None:
        self._kept: Bounded[int, Catalogue] = Bounded(size)

    async def of(self, conn: Conn, slug: str, seen: Versions) -> Catalogue:
        """The pricing set-up of ``slug`` at the version ``seen``: from memory, else read."""
        cached = self._kept.get(seen.property_id)
        if cached is not None and cached.version == seen.version:
            return cached
        loaded = await read_catalogue(conn, slug)
        # Only the newest version per property: old ones can never be asked for again.
        self._kept.put(loaded.property_id, loaded)
        return loaded

    def __len__(self) -> int:
        return len(self._kept)


async def read_catalogue(
    conn: Conn, slug: str, draft: list[dict[str, Any]] | None = None
) -> Catalogue:
    """The pricing set-up of ``slug`` as Postgres has it now (no memory: see `Catalogues`);
    with ``draft``, priced by that rule list instead of the stored one (the console's
    preview of rules not yet saved)."""
    q = queries("inventory")
    cur = await conn.execute(q["property_for_pricing"], {"slug": slug})
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"No property is called {shown(slug)}; check the data-property attribute.")
    cur = await conn.execute(q["room_types_for_pricing"], {"property_id": row["id"]})
    rooms = {
        r["slug"]: RoomStock(
            r["id"],
            RoomType(
                slug=r["slug"],
                base_price=r["base_price"],
                max_guests=r["max_guests"],
                included_guests=r["included_guests"],
                units=len(r["unit_ids"]),
            ),
            tuple(r["unit_ids"]),
        )
        for r in await cur.fetchall()
    }
    # A property without rules sells every night at its room types' base prices.
    stored = row["pricing_rules"] if draft is None else draft
    rules: list[dict[str, Any]] = stored or [{"type": "base_rate"}]
    plans = tuple(plans_from_row(row["rate_plans"]))
    extras = extras_from_row(row["extras"])
    locale = row["locale"]
    return Catalogue(
        property_id=row["id"],
        version=row["version"],
        property=Property(slug=row["slug"], currency=row["currency"], time_zone=row["time_zone"]),
        locale=row["locale"],
        rules=_rules(row["slug"], rules, row["currency"], list(rooms)),
        rooms=rooms,
        horizon_days=row["booking_horizon_days"],
        hold_share_percent=row["hold_share_percent"],
        max_rooms_per_booking=row["max_rooms_per_booking"],
        rate_plans=plans,
        plans=tuple(plan.engine_plan(locale) for plan in plans),
        extras=tuple(extra.engine_extra(locale) for extra in extras),
    )


def party(adults: int, children: tuple[int, ...] | list[int]) -> Party:
    return Party(adults=adults, children=tuple(children))
