"""``innkeep sync``: the units' iCal export URLs, printed and rotated; the imported feeds'
health, and an import on demand."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import psycopg
from psycopg.rows import dict_row

from widget.commands import CommandError
from widget.commands.service import add_data_dir, database, settings_from
from widget.db import Conn
from widget.links import site_url
from widget.settings import Settings, require_secret_key
from widget.shared_redis import connect
from widget.state import command_holds
from widget.sync.conflicts import (
    COMMAND_LINE,
    NoOpenConflict,
    ResolvedConflict,
    resolve_conflict,
)
from widget.sync.feeds import ExportUrl, NoSuchExport, export_urls, rotate_export
from widget.sync.health import feed_health, health_lines
from widget.sync.polling import FeedOutcome, SyncOptions, import_now

T = TypeVar("T")


def base_url(settings: Settings) -> str:
    """Where OTAs fetch the exports: ``INNKEEP_PUBLIC_URL``, else `innkeep serve`'s default
    address (never a request's Host)."""
    return site_url(settings)


def print_urls(settings: Settings, exports: list[ExportUrl]) -> None:
    """The exports, one a line, with a note when they name an address no OTA can reach."""
    for export in exports:
        print(describe(export))
    if exports and not settings.public_url:
        print(
            f"innkeep: note: INNKEEP_PUBLIC_URL is not set; these URLs use {base_url(settings)}, "
            "which other channels cannot reach",
            file=sys.stderr,
        )


def describe(export: ExportUrl) -> str:
    """One line per export: the unit, which feed it is, and its URL."""
    which = f"for {export.channel} (without its own stays)" if export.channel else "full feed"
    return f"{export.unit:<12} {which:<36} {export.url}"


def _urls(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    key, base = require_secret_key(settings), base_url(settings)
    with database(settings) as url, psycopg.connect(url, prepare_threshold=None) as conn:
        try:
            exports = export_urls(conn, args.property, key, base)
        except NoSuchExport as missing:
            raise CommandError(str(missing)) from None
    print_urls(settings, exports)
    return 0


def _rotate(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    key, base = require_secret_key(settings), base_url(settings)
    with database(settings) as url, psycopg.connect(url, prepare_threshold=None) as conn:
        try:
            new_url = rotate_export(conn, args.property, args.unit, key, base, args.channel)
        except NoSuchExport as missing:
            raise CommandError(str(missing)) from None
    print(f"the old URL no longer works; give the channel the new one:\n{new_url}")
    return 0


def _with_conn(settings: Settings, work: Callable[[Conn], Awaitable[T]]) -> T:
    """Run ``work`` on one async connection to the configured (or embedded) database."""

    async def run(url: str) -> T:
        async with await psycopg.AsyncConnection.connect(
            url, autocommit=True, row_factory=dict_row, prepare_threshold=None
        ) as conn:
            return await work(conn)

    with database(settings) as url:
        return asyncio.run(run(url))


async def _property_exists(conn: Conn, slug: str) -> None:
    cur = await conn.execute("SELECT 1 FROM property WHERE slug = %s", (slug,))
    if await cur.fetchone() is None:
        raise CommandError(f"no property {slug!r}")


def _status(args: argparse.Namespace) -> int:
    settings = settings_from(args)

    async def work(conn: Conn) -> list[Any]:
        await _property_exists(conn, args.property)
        return await feed_health(conn, args.property)

    feeds = _with_conn(settings, work)
    if args.json:
        print(json.dumps([dataclasses.asdict(f) for f in feeds], default=str, indent=2))
    else:
        print("\n".join(health_lines(feeds)))
    return 1 if any(f.state == "failing" or f.conflicts for f in feeds) else 0


#: Why guests' holds an import ended may keep their places for a while.
NO_REDIS_NOTE = (
    "innkeep: note: INNKEEP_REDIS_URL is not set, so guest holds this import ends keep "
    "their gates and quota places in Redis until they lapse (INNKEEP_HOLD_SECONDS); "
    "set it to the service's Redis to give them back at once"
)


def _run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    given_back: list[str | None] = []

    async def work(conn: Conn) -> list[FeedOutcome]:
        await _property_exists(conn, args.property)
        if settings.redis_url is None:
            return await import_now(conn, args.property, args.feed, SyncOptions(settings))
        # As the workers' poller does: the holds an import ends give back their places.
        redis = connect(settings)
        try:
            holds, watch = command_holds(settings, redis)
            options = SyncOptions(settings, holds=holds)
            outcomes = await import_now(conn, args.property, args.feed, options)
            given_back.append(watch.recent_failure())
            return outcomes
        finally:
            await redis.aclose()

    outcomes = _with_conn(settings, work)
    if not outcomes:
        which = f"no feed {args.feed!r}" if args.feed else "no feeds"
        raise CommandError(
            f"{args.property} has {which} to fetch now (or a worker is fetching it this moment)"
        )
    for outcome in outcomes:
        print("\n".join(describe_outcome(outcome)))
    _say_what_redis_did(settings, given_back[0] if given_back else None, outcomes)
    return 0 if all(o.ok for o in outcomes) else 1


def _say_what_redis_did(
    settings: Settings, failure: str | None, outcomes: list[FeedOutcome]
) -> None:
    """A note when the holds an import ended could not give back their places at once."""
    ended = sum(o.report.holds_ended for o in outcomes if o.report is not None)
    if settings.redis_url is None:
        print(NO_REDIS_NOTE, file=sys.stderr)
    elif ended and failure is not None:
        print(
            f"innkeep: note: Redis did not answer ({failure}): the {ended} guest hold(s) "
            "this import ended keep their places until they lapse (INNKEEP_HOLD_SECONDS)",
            file=sys.stderr,
        )


def _resolve(args: argparse.Namespace) -> int:
    settings = settings_from(args)

    async def work(conn: Conn) -> ResolvedConflict:
        await _property_exists(conn, args.property)
        try:
            return await resolve_conflict(conn, args.property, args.id, COMMAND_LINE)
        except NoOpenConflict as missing:
            raise CommandError(f"{missing} (see innkeep sync status)") from None

    print(_with_conn(settings, work).words())
    return 0


def describe_outcome(outcome: FeedOutcome) -> list[str]:
    """What one feed's import did, for the terminal."""
    head = f"{outcome.unit} · {outcome.name}: "
    if not outcome.ok:
        return [head + f"FAILED: {outcome.error}"]
    if outcome.report is None:
        return [head + "unchanged since the last fetch (304)"]
    changes = outcome.report.lines()
    return [head + ("no changes" if not changes else f"{len(changes)} change(s)")] + [
        f"    {line}" for line in changes
    ]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("sync", help="iCal sync with other channels (Airbnb, ...)")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    urls = actions.add_parser("urls", help="print each unit's secret export URLs")
    urls.add_argument("--property", required=True, help="the property's slug")
    add_data_dir(urls)
    urls.set_defaults(handler=_urls)

    rotate = actions.add_parser("rotate", help="replace an export URL (the old one stops working)")
    rotate.add_argument("--property", required=True, help="the property's slug")
    rotate.add_argument("--unit", required=True, help='the unit\'s name, e.g. "Room 1"')
    rotate.add_argument(
        "--channel", help="the channel whose own export to replace (default: the full feed)"
    )
    add_data_dir(rotate)
    rotate.set_defaults(handler=_rotate)

    status = actions.add_parser("status", help="each imported feed's health and open conflicts")
    status.add_argument("--property", required=True, help="the property's slug")
    status.add_argument("--json", action="store_true", help="print JSON")
    add_data_dir(status)
    status.set_defaults(handler=_status)

    resolve = actions.add_parser(
        "resolve", help="mark a conflict resolved once you have dealt with it"
    )
    resolve.add_argument("--property", required=True, help="the property's slug")
    resolve.add_argument("id", type=int, help="the conflict's number (CONFLICT #N in status)")
    add_data_dir(resolve)
    resolve.set_defaults(handler=_resolve)

    run = actions.add_parser("run", help="import the property's feeds now and say what changed")
    run.add_argument("--property", required=True, help="the property's slug")
    run.add_argument("--feed", help='only the feed with this name, e.g. "Airbnb"')
    add_data_dir(run)
    run.set_defaults(handler=_run)
