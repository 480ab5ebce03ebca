"""``innkeep property apply FILE.toml``: create or update a property from its file."""

from __future__ import annotations

import argparse
from pathlib import Path

import psycopg

from widget.commands.service import add_data_dir, database, settings_from
from widget.commands.sync import base_url, print_urls
from widget.migrate import migrate
from widget.property_apply import apply_property
from widget.property_file import load_property_file
from widget.sync.feeds import export_urls


def _apply(args: argparse.Namespace) -> int:
    spec = load_property_file(args.file)  # a bad file fails before any database work
    settings = settings_from(args)
    with database(settings) as url:
        migrate(url)
        with psycopg.connect(url) as conn:
            report = apply_property(conn, spec)
            # Every unit gets its secret iCal export; a new URL is shown here, once.
            exports = export_urls(conn, spec.property.slug, settings.secret_key, base_url(settings))
    print(report.summary())
    new = [export for export in exports if export.new]
    if new:
        print("new iCal export URLs (`innkeep sync urls` prints them again):")
        print_urls(settings, new)
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("property", help="manage properties")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    apply = actions.add_parser("apply", help="create or update a property from a TOML file")
    apply.add_argument("file", type=Path, help="the property file, e.g. properties/demo.toml")
    add_data_dir(apply)
    apply.set_defaults(handler=_apply)
