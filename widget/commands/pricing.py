"""``innkeep plugins``, ``innkeep plugin new`` and ``innkeep quote``: the pricing engine from
the command line ("why is this night €123?")."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo

import msgspec

from engine import (
    Party,
    PricingError,
    Property,
    Quote,
    RoomType,
    RuleConfigError,
    StayContext,
    format_minor,
    load_rules,
    price_stay,
    quote_to_json,
    rule_types,
)
from engine.scaffold import NEXT_STEPS, new_plugin
from widget.commands import CommandError, counted, date_argument, say, say_lines


def _type_name(annotation: Any) -> str:
    """A settings field's type as an owner reads it: ``Money | None``, ``'now' | 'at_property'``."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return " | ".join(repr(arg) for arg in args)
    if origin in (Union, UnionType):
        parts = [_type_name(arg) for arg in args if arg is not msgspec.UnsetType]
        return " | ".join(parts)
    if origin is not None:
        inner = ", ".join(_type_name(arg) for arg in args)
        return f"{getattr(origin, '__name__', str(origin))}[{inner}]"
    if annotation is type(None):
        return "None"
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return "{" + _fields(annotation) + "}"  # nested tables, e.g. a season or a tier
    return annotation.__name__ if isinstance(annotation, type) else str(annotation)


def _fields(struct: type[msgspec.Struct]) -> str:
    parts = []
    for field in msgspec.structs.fields(struct):
        text = f"{field.encode_name}: {_type_name(field.type)}"
        if field.default is not msgspec.NODEFAULT and field.default is not msgspec.UNSET:
            text += f" = {field.default!r}"
        elif field.default_factory is not msgspec.NODEFAULT:
            text += f" = {field.default_factory()!r}"
        parts.append(text)
    return ", ".join(parts)


def _settings(rule_type: type[Any]) -> str:
    return _fields(rule_type.Settings) or "no settings"


def _plugins(args: argparse.Namespace) -> int:
    types = rule_types()
    if not types:
        say("no rule types installed (is INNKEEP_LOAD_PLUGINS set?)")
        return 0
    for name, info in types.items():
        say(f"{name}  [{info.rule_type.stage}]  {info.package} {info.version}")
        say(f"    {info.rule_type.describe()}")
        say(f"    settings: {_settings(info.rule_type)}")
    return 0


def _plugin_new(args: argparse.Namespace) -> int:
    try:
        folder = new_plugin(args.name, args.dest)
    except (ValueError, FileExistsError) as error:
        raise CommandError(str(error)) from None
    say(f"created {folder}")
    say(f"next: cd {folder} && {NEXT_STEPS}")
    return 0


def _ages(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(age) for age in text.split(",") if age.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected ages like 5,9, got {text!r}") from None


def _choice(text: str) -> tuple[str, int | bool]:
    """``breakfast=2`` → ``("breakfast", 2)``; ``late=true`` → ``("late", True)``."""
    name, sep, value = text.partition("=")
    words = {"true": True, "false": False}
    if not sep or not name or not (value.lstrip("-").isdigit() or value in words):
        raise argparse.ArgumentTypeError(f"expected NAME=NUMBER (or true/false), got {text!r}")
    return name, words[value] if value in words else int(value)


def _choices(args: argparse.Namespace) -> Any:
    """The plan, extras and inputs of ``innkeep quote``, as the service takes them."""
    from widget.inventory.quoting import Choices

    extras = {name: value for name, value in args.extra}
    if any(isinstance(value, bool) for value in extras.values()):
        raise CommandError("--extra takes a quantity: NAME=NUMBER")
    return Choices(args.rate_plan, extras, dict(args.input))


def _offer_from_file(spec: Any, room_type: str, args: argparse.Namespace) -> tuple[Any, Any]:
    """The engine's plan and extras for ``innkeep quote --property FILE.toml``."""
    locale = spec.property.locale
    plans = [
        plan for plan in spec.rate_plans if plan.room_types is None or room_type in plan.room_types
    ]
    chosen = plans[0] if plans and args.rate_plan is None else None
    for plan in plans:
        if plan.slug == args.rate_plan:
            chosen = plan
    if args.rate_plan is not None and chosen is None:
        known = ", ".join(plan.slug for plan in plans) or "none"
        raise CommandError(f"no rate plan {args.rate_plan!r} sells {room_type}; known: {known}")
    extras = [extra.engine_extra(locale) for extra in spec.extras]
    return (chosen.engine_plan(locale) if chosen else None), extras


def _context_from_file(
    path: Path, args: argparse.Namespace
) -> tuple[StayContext, list[Any], Any, Any]:
    from widget.properties.file import load_property_file

    spec = load_property_file(path)
    rooms = {room.slug: room for room in spec.room_types}
    room = rooms.get(args.room_type)
    if room is None:
        raise CommandError(
            f"unknown room type {args.room_type!r}; {path} has {', '.join(sorted(rooms))}"
        )
    currency = spec.property.currency
    try:
        rules = load_rules(spec.rules, currency=currency, room_types=rooms)
    except RuleConfigError as error:
        raise CommandError(f"{path}: {error}") from None
    today = datetime.now(ZoneInfo(spec.property.time_zone)).date()
    context = StayContext(
        property=Property(spec.property.slug, currency, spec.property.time_zone),
        room_type=RoomType(
            slug=room.slug,
            base_price=room.base_price,
            max_guests=room.max_guests,
            included_guests=room.guests_in_base_price,
            units=len(room.units),
        ),
        check_in=args.check_in,
        check_out=args.check_out,
        today=args.today or today,
        party=Party(adults=args.adults, children=args.children),
        promo_code=args.promo_code,
        extras=dict(args.extra),
        inputs=dict(args.input),
    )
    plan, extras = _offer_from_file(spec, room.slug, args)
    return context, rules, plan, extras


def _signed(amount: int, currency: str) -> str:
    return ("+" if amount >= 0 else "-") + format_minor(abs(amount), currency)


def breakdown(quote: Quote) -> str:
    """The night-by-night explanation of a quote, as ``innkeep quote`` prints it."""
    money = quote.currency
    out = [
        f"{quote.room_type}: {quote.check_in} → {quote.check_out} "
        f"({counted(len(quote.nights), 'night')})"
        + (f", rate plan {quote.rate_plan}" if quote.rate_plan else "")
    ]
    for night in quote.nights:
        out.append(f"{night.date:%Y-%m-%d %a}  {format_minor(night.amount, money):>14}")
        for line in night.lines:
            change = _signed(line.amount, money)
            out.append(f"    {line.rule:<18} {line.stage:<7} {change:>15}  {line.note}")
    if quote.stay_lines:
        out.append("stay")
    for stay_line in quote.stay_lines:
        shown = (
            f" {format_minor(stay_line.amount, money)} "
            if stay_line.included
            else _signed(stay_line.amount, money)
        )
        extra = " (included, not added)" if stay_line.included else ""
        if stay_line.payable == "at_property":
            extra += " (paid at the property)"
        out.append(
            f"    {stay_line.rule:<18} {stay_line.kind:<7} {shown:>15}  {stay_line.note}{extra}"
        )
    out.append(f"total    {format_minor(quote.total, money)}")
    out.append(f"due now  {format_minor(quote.due_now, money)}")
    out.append(f"quote_hash {quote.quote_hash}")
    return "\n".join(out)


@contextmanager
def _rules_log_muted() -> Iterator[None]:
    """A rule set that does not load is ``quote``'s one error line (`RulesNotLoaded`); the
    service's log line for it would say the same thing twice. Restored afterwards."""
    logger = logging.getLogger("widget.inventory.catalogue")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


async def _quote_from_database(url: str, args: argparse.Namespace) -> Quote:
    """Price as the service does: the stored rules and the reservation table's occupancy."""
    import psycopg
    from psycopg.rows import dict_row

    from widget.errors import InnkeepError
    from widget.inventory.catalogue import RulesNotLoaded, party, read_catalogue
    from widget.inventory.quoting import quote
    from widget.inventory.versions import read_versions

    async with await psycopg.AsyncConnection.connect(
        url, autocommit=True, row_factory=dict_row, prepare_threshold=None
    ) as conn:
        try:
            # One question, asked once: no worker's memory to consult.
            seen = await read_versions(conn, args.property)
            catalogue = await read_catalogue(conn, args.property)
            return await quote(
                conn,
                catalogue,
                args.room_type,
                args.check_in,
                args.check_out,
                party(args.adults, args.children),
                args.promo_code,
                args.today or seen.today,
                _choices(args),
            )
        except RulesNotLoaded as error:
            raise CommandError(error.detail) from None
        except InnkeepError as error:
            raise CommandError(error.message) from None
        except psycopg.errors.UndefinedTable:
            raise CommandError(
                "this database has no Innkeep tables yet: run `innkeep migrate`, then "
                "`innkeep property apply FILE.toml`"
            ) from None


def _quote(args: argparse.Namespace) -> int:
    target = Path(args.property)
    if target.suffix == ".toml" or target.exists():
        if not target.exists():
            raise CommandError(f"{target}: no such file")
        context, rules, plan, extras = _context_from_file(target, args)
        try:
            quote = price_stay(context, rules, rate_plan=plan, extras=extras)
        except PricingError as error:
            raise CommandError(error.message) from None
    else:
        import asyncio

        from widget.commands.service import database, settings_from

        with database(settings_from(args)) as url, _rules_log_muted():
            quote = asyncio.run(_quote_from_database(url, args))
    if args.json:
        sys.stdout.write(quote_to_json(quote).decode() + "\n")
    else:
        say_lines(breakdown(quote))
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``plugins``, ``plugin new`` and ``quote`` to the ``innkeep`` command."""
    listing = subparsers.add_parser("plugins", help="list installed pricing rule types")
    listing.set_defaults(handler=_plugins)

    plugin = subparsers.add_parser("plugin", help="work on pricing plugins")
    actions = plugin.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = actions.add_parser("new", help="create a pricing plugin package with a passing test")
    new.add_argument("name", help="plugin name, e.g. holiday-surcharge")
    new.add_argument("--dest", type=Path, default=Path("."), help="folder to create it in")
    new.set_defaults(handler=_plugin_new)

    quote = subparsers.add_parser("quote", help="price a stay night by night")
    quote.add_argument("--property", required=True, help="a property file (.toml) or a slug")
    quote.add_argument("--room-type", required=True, help="room type slug")
    quote.add_argument("--check-in", required=True, type=date_argument, help="YYYY-MM-DD")
    quote.add_argument(
        "--check-out", required=True, type=date_argument, help="YYYY-MM-DD (exclusive)"
    )
    quote.add_argument("--adults", type=int, default=2)
    quote.add_argument("--children", type=_ages, default=(), help="ages, e.g. 5,9")
    quote.add_argument("--promo-code")
    quote.add_argument("--rate-plan", help="the rate plan's slug (default: the first)")
    quote.add_argument(
        "--extra",
        type=_choice,
        action="append",
        default=[],
        metavar="SLUG=N",
        help="an extra and its quantity, e.g. breakfast=2 (repeatable)",
    )
    quote.add_argument(
        "--input",
        type=_choice,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an answer to a rule's question, e.g. pets=1 (repeatable)",
    )
    quote.add_argument("--today", type=date_argument, help="price as if booked on this date")
    quote.add_argument("--json", action="store_true", help="print the quote as the API does")
    quote.add_argument(
        "--data-dir", type=Path, help="the embedded servers' data folder (for a slug)"
    )
    quote.set_defaults(handler=_quote)
