"""A property as one declarative TOML file: the property, its room types, units and rules.

Owners write money in major units (``base_price = 120.00``); it is stored in minor units.
Every error names the file, the line and the key that is wrong, and nothing is applied.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from msgspec import Meta

from engine import RuleConfigError, load_rules
from engine.money import UnknownCurrency, check_currency, to_minor
from widget.email_address import MAX_LENGTH, InvalidEmail, email_address
from widget.i18n import LANGUAGES
from widget.limits import BOOKING_HORIZON_DAYS, MAX_GUESTS, MAX_HORIZON_DAYS, MIN_HORIZON_DAYS
from widget.properties.plans import ExtraSpec, RatePlanSpec, names_problem
from widget.properties.secrets import SecretRef
from widget.properties.webhooks import WebhookSpec, check_webhooks
from widget.toml_lines import KeyLines

#: A property's or room type's name in URLs: lower-case words joined by hyphens.
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, Meta(pattern=SLUG_PATTERN, max_length=64)]
NonEmpty = Annotated[str, Meta(min_length=1, max_length=200)]
ClockTime = Annotated[str, Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class CancellationPolicy(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Free cancellation until ``free_until_days`` before arrival, then ``refund_percent``."""

    free_until_days: Annotated[int, Meta(ge=0, le=365)] = 7
    refund_percent: Annotated[int, Meta(ge=0, le=100)] = 0


#: The most rooms any property may sell in one booking, and the default for one.
MAX_ROOMS_PER_BOOKING_LIMIT = 20
DEFAULT_ROOMS_PER_BOOKING = 4


class HoldQuota(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """How much of the property one guest may hold at once (see `widget.inventory.quotas`):
    ``share_percent`` of the active units, rounded down, never less than one booking's rooms.
    Holds of other dates count too, so over 100 lets a test machine play many guests."""

    share_percent: Annotated[int, Meta(ge=1, le=1000)] = 25


#: The longest description of a room type (in each language).
MAX_DESCRIPTION = 2000


class Photo(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    url: NonEmpty
    alt: str = ""


class PropertyInfo(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    slug: Slug
    name: NonEmpty
    #: Where the owner's notices go; checked by `widget.email_address`, as a guest's is.
    contact_email: Annotated[str, Meta(min_length=1, max_length=MAX_LENGTH)]
    time_zone: str
    currency: Annotated[str, Meta(pattern=r"^[A-Z]{3}$")]
    locale: str = "en"
    allowed_origins: list[str] = []
    check_in_time: ClockTime = "15:00"
    check_out_time: ClockTime = "11:00"
    cancellation_policy: CancellationPolicy = CancellationPolicy()
    #: How many days ahead of the property's today a stay may end.
    booking_horizon_days: Annotated[int, Meta(ge=MIN_HORIZON_DAYS, le=MAX_HORIZON_DAYS)] = (
        BOOKING_HORIZON_DAYS
    )
    hold_quota: HoldQuota = HoldQuota()
    #: The most rooms one booking may have (a hold of several rooms); no guest's hold quota
    #: is ever smaller, so the rooms of one booking can always be held together.
    max_rooms_per_booking: Annotated[int, Meta(ge=1, le=MAX_ROOMS_PER_BOOKING_LIMIT)] = (
        DEFAULT_ROOMS_PER_BOOKING
    )
    #: Guests' personal fields are anonymised this many years after departure (none: kept
    #: until erased by hand; see docs/console.md, "Guests and privacy").
    guest_retention_years: Annotated[int, Meta(ge=1, le=30)] | None = None


class RoomTypeSpec(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    slug: Slug
    name: NonEmpty
    max_guests: Annotated[int, Meta(ge=1, le=MAX_GUESTS)]
    #: Minor units of the property's currency (written in major units in the file).
    base_price: Annotated[int, Meta(ge=0)]
    units: Annotated[list[NonEmpty], Meta(min_length=1)]
    included_guests: Annotated[int, Meta(ge=1, le=MAX_GUESTS)] | None = None
    #: One text, or a table of texts by language (``{ en = "…", it = "…" }``).
    description: (
        Annotated[str, Meta(max_length=MAX_DESCRIPTION)]
        | dict[str, Annotated[str, Meta(max_length=MAX_DESCRIPTION)]]
    ) = ""
    photos: list[Photo] = []

    def descriptions(self, locale: str) -> tuple[str, dict[str, str]]:
        """The description in the property's language ``locale``, and the texts by
        language (empty when the file writes one text)."""
        if isinstance(self.description, str):
            return self.description, {}
        texts: dict[str, str] = {
            lang: self.description[lang] for lang in LANGUAGES if lang in self.description
        }
        return texts.get(locale) or next(iter(texts.values()), ""), texts

    @property
    def guests_in_base_price(self) -> int:
        """How many guests the base price covers: ``included_guests`` as written, else all
        the room sleeps (the file's key may be left out)."""
        return self.included_guests if self.included_guests is not None else self.max_guests


#: How often a feed may be fetched, in minutes: OTAs ask for no more than this.
MIN_FEED_INTERVAL = 5


class FeedSpec(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """An iCal feed another channel (Airbnb, Booking.com, Vrbo) publishes for one unit: its
    stays are imported as blocks every ``interval`` minutes. The URL is a credential."""

    unit: NonEmpty
    name: Annotated[str, Meta(min_length=1, max_length=60)]
    #: The channel's export address; or a reference to the stored one (``{ kept =
    #: "sha256:…" }``, as exported; ``{ env = "NAME" }``), or left out to keep the stored
    #: one (`widget.properties.secrets`). A new feed needs its address.
    url: Annotated[str, Meta(min_length=1, max_length=2000)] | SecretRef | None = None
    interval: Annotated[int, Meta(ge=MIN_FEED_INTERVAL, le=1440)] = 10


class PropertySpec(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    property: PropertyInfo
    room_types: Annotated[list[RoomTypeSpec], Meta(min_length=1)]
    #: The owner's pricing rules, in order; validated by the engine (`engine.load_rules`).
    rules: list[dict[str, Any]] = []
    #: Where the owner's other tools are told of bookings and sync trouble.
    webhooks: list[WebhookSpec] = []
    #: Ways of selling the rooms (none: every stay is sold as before, without a plan).
    rate_plans: list[RatePlanSpec] = []
    #: What a guest may add to a stay.
    extras: list[ExtraSpec] = []
    #: Other channels' iCal feeds, imported per unit (`widget.sync`).
    feeds: list[FeedSpec] = []


class PropertyFileError(ValueError):
    """What is wrong with a property file, with where: ``FILE:LINE: key: message``."""

    def __init__(self, source: str, line: int | None, key: str, message: str) -> None:
        self.source, self.line, self.key, self.message = source, line, key, message
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")


def load_property_file(path: Path) -> PropertySpec:
    """Read and validate ``path``; raise `PropertyFileError` naming the line that is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PropertyFileError(str(path), None, "", f"cannot read: {exc.strerror}") from None
    return parse_property(text, source=str(path))


def parse_property(text: str, source: str = "<property>") -> PropertySpec:
    """Parse the TOML text of a property file (see `load_property_file`)."""
    try:
        raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise PropertyFileError(
            source, int(line[1]) if line else None, "", f"not valid TOML: {exc}"
        ) from None
    return property_from_table(raw, source, KeyLines(text))


def property_from_table(
    raw: dict[str, Any], source: str = "<property>", lines: KeyLines | None = None
) -> PropertySpec:
    """Validate a property file already read as TOML (``raw``, changed in place: money to
    minor units), exactly as `parse_property` does; ``lines`` finds the keys' lines."""
    where = lines or KeyLines("")

    def fail(
        path: tuple[str | int, ...], message: str, rule: str | None = None
    ) -> PropertyFileError:
        key = _dotted(path) + (f" ({rule})" if rule else "")
        return PropertyFileError(source, where.find(path), key, message)

    _money_to_minor(raw, fail)
    try:
        spec = msgspec.convert(raw, PropertySpec, dec_hook=_decimal_hook)
    except msgspec.ValidationError as exc:
        message, _, at = str(exc).partition(" - at `$")
        path = _parse_path(at.rstrip("`")) if at else ()
        raise fail(path, message) from None
    _check_meaning(spec, fail)
    return spec


def _decimal_hook(type_: type, value: Any) -> Any:
    if type_ is int and isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        raise msgspec.ValidationError(f"Expected a whole number, got {value}")
    raise NotImplementedError


#: The money keys of the file's tables, rewritten to minor units before validation; the
#: bool says whether the amount may be negative.
_MONEY_KEYS = (
    ("room_types", "base_price", False),
    ("rate_plans", "amount", True),
    ("extras", "price", False),
)


def _money_to_minor(raw: dict[str, Any], fail: Any) -> None:
    """Rewrite the money keys (``room_types[*].base_price``, ``rate_plans[*].amount``,
    ``extras[*].price``) from major to minor units, in place."""
    info = raw.get("property")
    currency = info.get("currency") if isinstance(info, dict) else None
    try:
        check_currency(currency) if isinstance(currency, str) else None
    except UnknownCurrency as exc:
        raise fail(("property", "currency"), str(exc)) from None
    if not isinstance(currency, str):
        return  # the schema check reports what is missing
    for table, key, signed in _MONEY_KEYS:
        rows = raw.get(table)
        if not isinstance(rows, list):
            continue
        for index, row in enumerate(rows):
            price = row.get(key) if isinstance(row, dict) else None
            if isinstance(price, bool) or not isinstance(price, int | Decimal):
                continue
            if price < 0 and not signed:
                raise fail((table, index, key), "must not be negative")
            try:
                row[key] = to_minor(price, currency)
            except ValueError as exc:
                raise fail((table, index, key), str(exc)) from None


def _check_meaning(spec: PropertySpec, fail: Any) -> None:
    _check_property(spec, fail)
    _check_room_types(spec, fail)
    check_rules(spec, fail)
    check_webhooks(spec.webhooks, fail)
    _check_rate_plans(spec, fail)
    _check_extras(spec, fail)
    _check_feeds(spec.feeds, [unit for room in spec.room_types for unit in room.units], fail)


_NOT_A_SLUG = "expected lower-case letters and digits joined by hyphens, like 'half-board'"


def _check_slugs(
    table: str, key: str, index: int, wanted: list[str] | None, known: list[str], fail: Any
) -> None:
    """Each slug a plan or an extra names is one the file defines."""
    for position, slug in enumerate(wanted or ()):
        if slug not in known:
            raise fail(
                (table, index, key, position),
                f"unknown {key[:-1].replace('_', ' ')} {slug!r}; known: {', '.join(known)}",
            )


def _check_rate_plans(spec: PropertySpec, fail: Any) -> None:
    """Plans named once, their room types and names known, one adjustment at most, and
    every room type sold under at least one plan (when there are plans)."""
    rooms = [room.slug for room in spec.room_types]
    seen: set[str] = set()
    for index, plan in enumerate(spec.rate_plans):
        if not re.match(SLUG_PATTERN, plan.slug):
            raise fail(("rate_plans", index, "slug"), _NOT_A_SLUG)
        if plan.slug in seen:
            raise fail(("rate_plans", index, "slug"), f"rate plan {plan.slug!r} appears twice")
        seen.add(plan.slug)
        _check_slugs("rate_plans", "room_types", index, plan.room_types, rooms, fail)
        for key, names in (("name", plan.name), ("included", plan.included)):
            problem = names_problem(names)
            if problem:
                raise fail(("rate_plans", index, key), problem)
        if plan.percent is not None and plan.amount is not None:
            raise fail(("rate_plans", index, "percent"), "set percent or amount, not both")
        if plan.percent is not None and not -100 <= plan.percent <= 1000:
            raise fail(("rate_plans", index, "percent"), "must be between -100 and 1000")
    unsold = [
        room
        for room in rooms
        if spec.rate_plans
        and not any(p.room_types is None or room in p.room_types for p in spec.rate_plans)
    ]
    if unsold:
        raise fail(("rate_plans",), f"no rate plan sells room type {unsold[0]!r}")


def _check_extras(spec: PropertySpec, fail: Any) -> None:
    """Extras named once, with known room types, plans and languages, and a VAT rate."""
    rooms = [room.slug for room in spec.room_types]
    plans = [plan.slug for plan in spec.rate_plans]
    seen: set[str] = set()
    for index, extra in enumerate(spec.extras):
        if not re.match(SLUG_PATTERN, extra.slug):
            raise fail(("extras", index, "slug"), _NOT_A_SLUG)
        if extra.slug in seen:
            raise fail(("extras", index, "slug"), f"extra {extra.slug!r} appears twice")
        seen.add(extra.slug)
        _check_slugs("extras", "room_types", index, extra.room_types, rooms, fail)
        _check_slugs("extras", "rate_plans", index, extra.rate_plans, plans, fail)
        problem = names_problem(extra.name)
        if problem:
            raise fail(("extras", index, "name"), problem)
        if extra.vat_percent is not None and not 0 < extra.vat_percent <= 100:
            raise fail(("extras", index, "vat_percent"), "must be more than 0 and at most 100")


def feed_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a channel's feed address, or None. Never quotes the URL: it is
    the feed's only secret. (Where it points is judged when fetching.)"""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in url:
        return "must be the channel's iCal export address, starting with https://"
    return None


def read_feed(values: dict[str, Any], units: list[str], source: str = "form") -> FeedSpec:
    """One feed as the console's form gives it, checked as a ``[[feeds]]`` entry of the
    property file is, with the same messages; `PropertyFileError` whose key is the field
    (the URL must be written out: a form has no stored secret to refer to)."""

    def fail(path: tuple[str | int, ...], message: str) -> PropertyFileError:
        return PropertyFileError(source, None, str(path[-1]) if path else "", message)

    try:
        feed = msgspec.convert(values, FeedSpec, strict=False)
    except msgspec.ValidationError as exc:
        message, _, where = str(exc).partition(" - at `$")
        raise fail(_parse_path(where.rstrip("`")) if where else (), message) from None
    if not isinstance(feed.url, str):
        raise fail(("url",), "the channel's iCal export address is needed")
    _check_feeds([feed], units, fail)
    return feed


def _check_feeds(feeds: list[FeedSpec], units: list[str], fail: Any) -> None:
    """Each feed names a unit of the file, an http(s) URL, and is the unit's only one of
    that name. (A URL is never quoted back: it is the feed's only secret.)"""
    seen: set[tuple[str, str]] = set()
    for index, feed in enumerate(feeds):
        if feed.unit not in units:
            raise fail(
                ("feeds", index, "unit"),
                f"no unit {feed.unit!r} in this file; its units are: {', '.join(units)}",
            )
        problem = feed_url_problem(feed.url) if isinstance(feed.url, str) else None
        if problem:
            raise fail(("feeds", index, "url"), problem)
        if (feed.unit, feed.name) in seen:
            raise fail(
                ("feeds", index, "name"),
                f"unit {feed.unit!r} already has a feed called {feed.name!r}",
            )
        seen.add((feed.unit, feed.name))


def _check_property(spec: PropertySpec, fail: Any) -> None:
    """The property's own fields: time zone, contact address, language and origins."""
    info = spec.property
    try:
        ZoneInfo(info.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(
            ("property", "time_zone"),
            f"unknown time zone {info.time_zone!r}: use an IANA name such as 'Europe/Rome'",
        ) from None
    try:
        email_address(info.contact_email)
    except InvalidEmail as exc:
        raise fail(("property", "contact_email"), str(exc)) from None
    if info.locale not in LANGUAGES:
        raise fail(("property", "locale"), f"must be one of {', '.join(LANGUAGES)}")
    for index, origin in enumerate(info.allowed_origins):
        if normalise_origin(origin) is None:
            raise fail(
                ("property", "allowed_origins", index),
                f"{origin!r} is not an origin like 'https://example.com' (no path)",
            )


def _check_room_types(spec: PropertySpec, fail: Any) -> None:
    """Each room type and unit named once; no more guests included than fit."""
    seen_rooms: set[str] = set()
    seen_units: set[str] = set()
    for index, room in enumerate(spec.room_types):
        if room.slug in seen_rooms:
            raise fail(("room_types", index, "slug"), f"room type {room.slug!r} appears twice")
        seen_rooms.add(room.slug)
        problem = descriptions_problem(room.description)
        if problem is not None:
            raise fail(("room_types", index, "description"), problem)
        if room.guests_in_base_price > room.max_guests:
            raise fail(
                ("room_types", index, "included_guests"),
                f"must not exceed max_guests ({room.max_guests})",
            )
        for unit_index, unit in enumerate(room.units):
            if unit in seen_units:
                raise fail(
                    ("room_types", index, "units", unit_index), f"unit {unit!r} appears twice"
                )
            seen_units.add(unit)


def descriptions_problem(texts: str | dict[str, str]) -> str | None:
    """What is wrong with a description by language, if anything (one text is fine)."""
    if isinstance(texts, str):
        return None
    unknown = sorted(set(texts) - set(LANGUAGES))
    if unknown:
        return f"unknown language {unknown[0]!r}; use {', '.join(LANGUAGES)}"
    return None


def check_rules(spec: PropertySpec, fail: Any) -> None:
    """Let the pricing engine validate the rule list, so no rule is ever ignored."""
    if not spec.rules:
        return
    slugs = [room.slug for room in spec.room_types]
    problem = rule_problem(spec.rules, currency=spec.property.currency, room_types=slugs)
    if problem is not None:
        raise fail(problem.path, problem.message, problem.rule)


@dataclass(frozen=True)
class RuleProblem:
    """What is wrong with a rule list: the key path (``("rules", 2, "seasons", 0,
    "first")``), the rule instance's name when known, and the problem alone."""

    path: tuple[str | int, ...]
    rule: str | None
    message: str


def rule_problem(
    rules: list[dict[str, Any]], *, currency: str, room_types: list[str]
) -> RuleProblem | None:
    """The first problem of an owner's rule list, as `property apply` reports it (the
    console's forms are checked by this too), or None when the list prices every room."""
    try:
        instances = load_rules(rules, currency=currency, room_types=room_types)
    except RuleConfigError as exc:
        # The key path already says where; the message is the problem alone (said once).
        path = ("rules", exc.index, *_parse_path(f".{exc.field}" if exc.field else ""))
        return RuleProblem(path, exc.rule, exc.problem)
    for slug in room_types:
        if not any(i.stage == "base" and i.applies_to(slug) for i in instances):
            return RuleProblem(
                ("rules",),
                None,
                f"no base-stage rule prices room type {slug!r}; "
                'add a [[rules]] table with type = "base_rate" first',
            )
    return None


def normalise_origin(origin: str) -> str | None:
    """``'https://Example.com/'`` → ``'https://example.com'``; None if not an origin."""
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def clock(value: str) -> time:
    """``"15:00"`` → ``time(15, 0)`` (the format is checked by the schema)."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _parse_path(text: str) -> tuple[str | int, ...]:
    """``.room_types[1].base_price`` → ``('room_types', 1, 'base_price')``."""
    return tuple(
        int(index) if index else key
        for key, index in re.findall(r"\.([A-Za-z0-9_-]+)|\[(\d+)\]", text)
    )


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
