"""``innkeep bookings``: the owner's list of who arrives when, and what they paid."""

from __future__ import annotations

import argparse

import psycopg

from widget.commands import CommandError, counted, date_argument, say
from widget.commands.service import add_data_dir, database, settings_from
from widget.inventory.bookings import BookingLine, UnknownProperty, bookings_between
from widget.mail.compose import money


def _show(line: BookingLine) -> str:
    if line.status == "cancelled":
        paid = f"CANCELLED, refunded {money(line.refunded or 0, line.currency, 'en')}"
    else:
        paid = f"paid {money(line.paid, line.currency, 'en')} of "
        paid += money(line.total, line.currency, "en")
    return (
        f"{line.reference}  {line.check_in} to {line.check_out} "
        f"({counted(line.nights, 'night')})  {line.unit} ({line.room_type})  "
        f"{line.guest_name} <{line.guest_email}>, {counted(line.guests, 'guest')}  {paid}"
    )


def _list(args: argparse.Namespace) -> int:
    if args.first and args.last and args.last < args.first:
        raise CommandError(f"--to {args.last} is before --from {args.first}")
    with database(settings_from(args)) as url, psycopg.connect(url, prepare_threshold=None) as conn:
        try:
            first, lines = bookings_between(
                conn, args.property, args.first, args.last, with_cancelled=args.cancelled
            )
        except UnknownProperty as unknown:
            raise CommandError(str(unknown)) from None
    for line in lines:
        say(_show(line))
    until = f" to {args.last}" if args.last else " on"
    if not lines:
        say(f"{args.property} has no bookings from {first}{until}")
    else:
        say(f"{counted(len(lines), 'booking')} from {first}{until}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("bookings", help="list the bookings ahead, or of some dates")
    p.add_argument("--property", required=True, help="the property's slug")
    p.add_argument(
        "--from",
        dest="first",
        type=date_argument,
        help="first night (default: the property's today)",
    )
    p.add_argument(
        "--to", dest="last", type=date_argument, help="last night, included (default: no end)"
    )
    p.add_argument("--cancelled", action="store_true", help="list cancelled bookings too")
    add_data_dir(p)
    p.set_defaults(handler=_list)
