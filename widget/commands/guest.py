"""``innkeep guest``: find a guest's bookings by e-mail, export what is held, erase them."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg.rows import dict_row

from widget.commands import CommandError, counted, say
from widget.commands.service import add_data_dir, database, settings_from
from widget.errors import InnkeepError
from widget.guests.privacy import (
    GuestProperty,
    erase_guest,
    find_guest,
    guest_property,
    guest_record,
)
from widget.migrate import migrate

T = TypeVar("T")


def _run(args: argparse.Namespace, work: Callable[[Any, GuestProperty], Awaitable[T]]) -> T:
    """Run ``work`` with a connection and the property ``--property`` names."""

    async def run(url: str) -> T:
        async with await psycopg.AsyncConnection.connect(
            url, autocommit=True, row_factory=dict_row, prepare_threshold=None
        ) as conn:
            place = await guest_property(conn, args.property)
            return await work(conn, place)

    with database(settings_from(args)) as url:
        migrate(url)
        try:
            return asyncio.run(run(url))
        except InnkeepError as refused:
            raise CommandError(refused.message) from None


def _find(args: argparse.Namespace) -> int:
    stays = _run(args, lambda conn, place: find_guest(conn, place, args.email))
    for stay in stays:
        erased = "  (erased)" if stay.erased else ""
        say(
            f"{stay.reference or '-':<10} {stay.status:<9} {stay.check_in} to {stay.check_out}  "
            f"{stay.unit:<10} {stay.name}{erased}"
        )
    if not stays:
        say(f"no reservation at {args.property} holds {args.email}")
    return 0


def _export(args: argparse.Namespace) -> int:
    record = _run(args, lambda conn, place: guest_record(conn, place, args.email))
    text = json.dumps(record, indent=2, ensure_ascii=True, default=str) + "\n"
    if args.output is None:
        sys.stdout.write(text)  # ASCII JSON: nothing in it can move a terminal's cursor
    else:
        args.output.write_text(text, encoding="utf-8")
        say(f"wrote {args.output}")
    return 0


def _erase(args: argparse.Namespace) -> int:
    erased = _run(args, lambda conn, place: erase_guest(conn, place, args.email))
    say(f"erased the guest from {counted(erased, 'reservation')} (amounts and dates kept)")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("guest", help="a guest's bookings: find, export, erase")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, handler, text in (
        ("find", _find, "a guest's reservations, found by e-mail address"),
        ("export", _export, "everything held about a guest, as JSON"),
        ("erase", _erase, "anonymise a guest whose stays have ended (amounts and dates kept)"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("--property", required=True, help="the property's slug")
        action.add_argument("--email", required=True, help="the guest's e-mail address")
        if name == "export":
            action.add_argument(
                "--output",
                "-o",
                type=Path,
                default=None,
                help="write to this file instead of stdout",
            )
        add_data_dir(action)
        action.set_defaults(handler=handler)
