"""Reading a property as guests see it."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import msgspec

from engine import RuleConfigError, declared_inputs, load_rules
from widget.db import Conn
from widget.errors import NotFound, shown
from widget.properties.plans import ExtraSpec, RatePlanSpec, extras_from_row, plans_from_row
from widget.schemas import MoneyOut
from widget.sql import queries


class PhotoOut(msgspec.Struct, frozen=True):
    url: str
    alt: str


class RoomTypeOut(msgspec.Struct, frozen=True):
    slug: str
    name: str
    #: In the property's language.
    description: str
    #: By language, when the owner wrote it in several (empty: ``description`` is all).
    descriptions: dict[str, str]
    #: The property file's photos, then those uploaded in the console.
    photos: list[PhotoOut]
    max_guests: int
    included_guests: int
    base_price: MoneyOut
    units: int


class CancellationPolicyOut(msgspec.Struct, frozen=True, omit_defaults=True):
    free_until_days: int
    refund_percent: int
    #: False: no free cancellation at all (a non-refundable rate); shown only then.
    free_cancellation: bool = True


class RatePlanOut(msgspec.Struct, frozen=True, omit_defaults=True):
    """A way the rooms are sold; quotes and holds name it as ``rate_plan``."""

    slug: str
    #: The plan's name by language (a name written once is under the property's locale).
    names: dict[str, str]
    #: What the plan includes, by language (empty: nothing beyond the room).
    included: dict[str, str]
    room_types: list[str]
    cancellation_policy: CancellationPolicyOut
    #: Paid at the property, the guest's card kept as a guarantee against a no-show (the
    #: widget asks for the card; nothing is charged at booking). Shown only when true.
    card_guarantee: bool = False


class ExtraOut(msgspec.Struct, frozen=True):
    """Something a guest may add to a stay (``extras: {slug: quantity}``)."""

    slug: str
    names: dict[str, str]
    price: MoneyOut
    per: Literal["stay", "night", "guest", "guest_night"]
    #: The most one stay may take; the "per guest" kinds never more than the party's
    #: guests (null: as many as the party).
    max_quantity: int | None
    room_types: list[str]
    #: The plans it may be chosen with.
    rate_plans: list[str]
    payable: Literal["now", "at_property"]


class InputOut(msgspec.Struct, frozen=True):
    """A question the property's pricing rules ask (``inputs: {name: value}``)."""

    name: str
    type: Literal["integer", "boolean"]
    minimum: int
    maximum: int
    default: int | bool
    #: The question by language.
    label: dict[str, str]


class PropertyOut(msgspec.Struct, frozen=True, omit_defaults=True):
    slug: str
    name: str
    time_zone: str
    currency: str
    locale: str
    check_in_time: str
    check_out_time: str
    cancellation_policy: CancellationPolicyOut
    #: The property's own date now (by the database's clock, in the property's time zone),
    #: so the widget never trusts the browser's clock.
    today: date
    room_types: list[RoomTypeOut]
    #: Rate plans, extras and the rules' questions; left out when the property has none.
    rate_plans: list[RatePlanOut] = []
    extras: list[ExtraOut] = []
    inputs: list[InputOut] = []
    #: The most rooms one booking (one hold) may have; left out at the default, 4.
    max_rooms_per_booking: int = 4


def _names(names: str | dict[str, str] | None, locale: str) -> dict[str, str]:
    if names is None:
        return {}
    return {locale: names} if isinstance(names, str) else dict(names)


def _plans_out(
    plans: list[RatePlanSpec], house: CancellationPolicyOut, rooms: list[str], locale: str
) -> list[RatePlanOut]:
    """The plans as guests see them; a plan without a policy of its own has the house's."""
    out = []
    for plan in plans:
        own = plan.cancellation_policy
        policy = (
            house
            if own is None
            else CancellationPolicyOut(
                own.free_until_days, own.refund_percent, own.free_cancellation
            )
        )
        out.append(
            RatePlanOut(
                plan.slug,
                _names(plan.name, locale),
                _names(plan.included, locale),
                plan.room_types if plan.room_types is not None else rooms,
                policy,
                plan.payment.mode == "at_property" and plan.payment.card_guarantee,
            )
        )
    return out


def _extras_out(
    extras: list[ExtraSpec], plans: list[str], rooms: list[str], locale: str, currency: str
) -> list[ExtraOut]:
    return [
        ExtraOut(
            extra.slug,
            _names(extra.name, locale),
            MoneyOut(extra.price, currency),
            extra.per,
            extra.max_quantity or (None if extra.per in ("guest", "guest_night") else 1),
            extra.room_types if extra.room_types is not None else rooms,
            extra.rate_plans if extra.rate_plans is not None else plans,
            extra.payable,
        )
        for extra in extras
    ]


def _inputs_out(rules: Any, currency: str) -> list[InputOut]:
    """The questions the property's rules ask (none if its rules do not load here: its
    prices are refused then anyway)."""
    try:
        instances = load_rules(rules or [], currency=currency)
    except RuleConfigError:
        return []
    return [
        InputOut(i.name, i.type, i.minimum, i.maximum, i.default, dict(i.label))
        for i in declared_inputs(instances).values()
    ]


def photo_url(slug: str, photo_id: int, digest: str) -> str:
    """An uploaded photo's public, versioned address: the digest of its bytes is in it,
    so the address never changes meaning and may be cached for ever."""
    return f"/photos/{slug}/{photo_id}-{digest[:16]}.webp"


async def _uploaded_photos(conn: Conn, property_id: int, slug: str) -> dict[str, list[PhotoOut]]:
    """The photos uploaded in the console, by room type (`widget.rooms.photos`)."""
    cur = await conn.execute(
        queries("properties")["public_room_photos"], {"property_id": property_id}
    )
    found: dict[str, list[PhotoOut]] = {}
    for r in await cur.fetchall():
        url = photo_url(slug, int(r["id"]), str(r["digest"]))
        found.setdefault(str(r["room_type"]), []).append(PhotoOut(url, str(r["alt"])))
    return found


async def public_property(conn: Conn, slug: str) -> PropertyOut:
    """The public description of ``slug`` with its active room types; `NotFound` if none."""
    q = queries("properties")
    cur = await conn.execute(q["public_property"], {"slug": slug})
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"No property is called {shown(slug)}; check the data-property attribute.")
    cur = await conn.execute(q["public_room_types"], {"property_id": row["id"]})
    rooms = await cur.fetchall()
    uploaded = await _uploaded_photos(conn, int(row["id"]), str(row["slug"]))
    currency = str(row["currency"])
    locale = str(row["locale"])
    plans = plans_from_row(row["rate_plans"])
    house = msgspec.convert(row["cancellation_policy"], CancellationPolicyOut)
    slugs = [str(r["slug"]) for r in rooms]
    return PropertyOut(
        slug=str(row["slug"]),
        name=str(row["name"]),
        time_zone=str(row["time_zone"]),
        currency=currency,
        locale=str(row["locale"]),
        check_in_time=row["check_in_time"].strftime("%H:%M"),
        check_out_time=row["check_out_time"].strftime("%H:%M"),
        cancellation_policy=house,
        today=row["today"],
        room_types=[
            RoomTypeOut(
                slug=str(r["slug"]),
                name=str(r["name"]),
                description=str(r["description"]),
                descriptions=dict(r["descriptions"]),
                photos=[
                    *msgspec.convert(r["photos"], list[PhotoOut]),
                    *uploaded.get(str(r["slug"]), []),
                ],
                max_guests=r["max_guests"],
                included_guests=r["included_guests"],
                base_price=MoneyOut(r["base_price"], currency),
                units=r["units"],
            )
            for r in rooms
        ],
        rate_plans=_plans_out(plans, house, slugs, locale),
        extras=_extras_out(
            extras_from_row(row["extras"]), [p.slug for p in plans], slugs, locale, currency
        ),
        inputs=_inputs_out(row["pricing_rules"], currency),
        max_rooms_per_booking=int(row["max_rooms_per_booking"]),
    )
