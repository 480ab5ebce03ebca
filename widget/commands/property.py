"""``innkeep property apply FILE.toml``: create or update a property from its file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import psycopg

from widget.commands import CommandError, say, say_lines
from widget.commands.service import add_data_dir, database, settings_from
from widget.commands.sync import base_url, print_urls
from widget.migrate import migrate
from widget.properties.apply import apply_property
from widget.properties.export import PropertyNotFound, export_property
from widget.properties.file import load_property_file
from widget.settings import Settings
from widget.sync.feeds import ExportUrl, export_urls


def _apply(args: argparse.Namespace) -> int:
    spec = load_property_file(args.file)  # a bad file fails before any database work
    settings = settings_from(args)
    with database(settings) as url:
        migrate(url)
        with psycopg.connect(url, prepare_threshold=None) as conn:
            report = apply_property(conn, spec)
            exports = _new_exports(conn, spec.property.slug, settings)
    say_lines(report.summary())
    if exports:
        say("new iCal export URLs (`innkeep sync urls` prints them again):")
        print_urls(settings, exports)
    return 0


def _new_exports(conn: psycopg.Connection[Any], slug: str, settings: Settings) -> list[ExportUrl]:
    """Every unit gets its secret iCal export here; a new URL is shown once, at creation. The
    URLs derive from the secret key: without one they are made later, by `sync urls`."""
    if not settings.secret_key:
        print(
            "innkeep: note: no INNKEEP_SECRET_KEY, so no iCal export URLs were made; "
            "set it and run `innkeep sync urls`",
            file=sys.stderr,
        )
        return []
    exports = export_urls(conn, slug, settings.secret_key, base_url(settings))
    return [export for export in exports if export.new]


def _export(args: argparse.Namespace) -> int:
    with database(settings_from(args)) as url:
        migrate(url)
        with psycopg.connect(url, prepare_threshold=None) as conn:
            try:
                text = export_property(conn, args.slug)
            except PropertyNotFound as missing:
                raise CommandError(str(missing)) from None
    if args.output is None:
        # The text is TOML whose strings escape every unprintable character already.
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        say(f"wrote {args.output}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("property", help="manage properties")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    apply = actions.add_parser("apply", help="create or update a property from a TOML file")
    apply.add_argument("file", type=Path, help="the property file, e.g. properties/demo.toml")
    add_data_dir(apply)
    apply.set_defaults(handler=_apply)

    export = actions.add_parser(
        "export", help="write a property's current state as a property file (secrets as references)"
    )
    export.add_argument("slug", help="the property's slug, e.g. demo")
    export.add_argument(
        "--output", "-o", type=Path, default=None, help="write to this file instead of stdout"
    )
    add_data_dir(export)
    export.set_defaults(handler=_export)
