"""``innkeep sync``: the units' iCal export URLs, printed and rotated."""

from __future__ import annotations

import argparse
import sys

import psycopg

from widget.commands import CommandError
from widget.commands.service import add_data_dir, database, settings_from
from widget.links import site_url
from widget.settings import Settings, require_secret_key
from widget.sync.feeds import ExportUrl, NoSuchExport, export_urls, rotate_export


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


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("sync", help="iCal exports for other channels (Airbnb, ...)")
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
