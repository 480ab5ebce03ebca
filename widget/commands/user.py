"""``innkeep user``: the console's accounts (add, list, remove, password)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import psycopg
from psycopg.rows import dict_row

from widget.accounts.passwords import generated_password
from widget.accounts.users import ROLES, add_user, list_users, remove_user, set_password
from widget.commands import CommandError, say
from widget.commands.service import add_data_dir, database, settings_from
from widget.db import Conn
from widget.errors import InnkeepError
from widget.i18n import LANGUAGES

T = TypeVar("T")


def _run(args: argparse.Namespace, work: Callable[[Conn], Awaitable[T]]) -> T:
    """Run ``work`` on one connection to the configured (or embedded) database."""

    async def run(url: str) -> T:
        async with await psycopg.AsyncConnection.connect(
            url, autocommit=True, row_factory=dict_row, prepare_threshold=None
        ) as conn:
            return await work(conn)

    with database(settings_from(args)) as url:
        try:
            return asyncio.run(run(url))
        except InnkeepError as refused:
            raise CommandError(refused.message) from None


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """The password from standard input (its first line), or a generated one; whether it
    was generated (and so must be shown, once)."""
    if args.password_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise CommandError("--password-stdin: standard input had no password")
        return line, False
    return generated_password(), True


def _add(args: argparse.Namespace) -> int:
    password, generated = _password(args)
    created = _run(
        args,
        lambda conn: add_user(conn, args.email, args.property, args.role, password, args.language),
    )
    if created:
        say(f"added {args.email} as {args.role} of {args.property}")
        if generated:
            say(f"password (shown once): {password}")
    else:
        say(f"{args.email} is now {args.role} of {args.property} (password unchanged)")
    return 0


def _list(args: argparse.Namespace) -> int:
    users = _run(args, lambda conn: list_users(conn, args.property))
    for user in users:
        factor = "  2FA" if user.two_factor else ""
        say(f"{user.slug:<16} {user.role:<6} {user.email}  ({user.language}){factor}")
    if not users:
        say("no console users" + (f" on {args.property}" if args.property else ""))
    return 0


def _remove(args: argparse.Namespace) -> int:
    _run(args, lambda conn: remove_user(conn, args.email, args.property))
    say(f"removed {args.email}" + (f" from {args.property}" if args.property else ""))
    return 0


def _change_password(args: argparse.Namespace) -> int:
    password, generated = _password(args)
    _run(args, lambda conn: set_password(conn, args.email, password))
    say(f"new password set for {args.email}; its sessions have ended")
    if generated:
        say(f"password (shown once): {password}")
    return 0


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (else one is generated and shown once)",
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("user", help="the owner's console accounts")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    add = actions.add_parser("add", help="give an e-mail access to a property")
    add.add_argument("--email", required=True)
    add.add_argument("--property", required=True, help="the property's slug")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--language", default="en", choices=LANGUAGES, help="the console's language")
    _password_option(add)
    add_data_dir(add)
    add.set_defaults(handler=_add)

    listing = actions.add_parser("list", help="the accounts and their roles")
    listing.add_argument("--property", help="only this property's")
    add_data_dir(listing)
    listing.set_defaults(handler=_list)

    remove = actions.add_parser("remove", help="take an account off a property (or off all)")
    remove.add_argument("--email", required=True)
    remove.add_argument("--property", help="only this property (the account goes with its last)")
    add_data_dir(remove)
    remove.set_defaults(handler=_remove)

    password = actions.add_parser("password", help="set a new password; ends its sessions")
    password.add_argument("--email", required=True)
    _password_option(password)
    add_data_dir(password)
    password.set_defaults(handler=_change_password)
