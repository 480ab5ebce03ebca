"""``innkeep webhooks``: what was sent to the owner's other tools, and sending one again."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import msgspec
import psycopg

from widget.commands import CommandError, counted, say
from widget.commands.service import add_data_dir, database, settings_from
from widget.deliveries.listing import (
    CannotResend,
    DeliveryLine,
    UnknownProperty,
    recent_deliveries,
    resend,
)


def _limit(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 1000:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number from 1 to 1000")
    return int(value)


def _when(at: datetime | None) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if at else "-"


def describe(line: DeliveryLine) -> str:
    """One delivery on one line: id, event, booking, state, tries, next try, endpoint, error."""
    if line.state == "pending":
        state = f"pending, next try {_when(line.next_attempt_at)}"
    elif line.state == "delivered":
        state = f"delivered {_when(line.delivered_at)}"
    else:
        state = f"FAILED {_when(line.failed_at)}"
    error = f"  last error: {line.last_error}" if line.last_error else ""
    return (
        f"{line.id:>6}  {line.event:<18} {line.booking_reference or '-':<10} {state}, "
        f"{counted(line.attempts, 'attempt')}  {line.endpoint}{error}"
    )


def _list(args: argparse.Namespace) -> int:
    with database(settings_from(args)) as url, psycopg.connect(url, prepare_threshold=None) as conn:
        try:
            lines = recent_deliveries(conn, args.property, args.limit)
        except UnknownProperty as unknown:
            raise CommandError(str(unknown)) from None
    if args.json:
        say(msgspec.json.encode(lines).decode())
        return 0
    for line in lines:
        say(describe(line))
    if not lines:
        say(f"{args.property} has sent no webhooks yet")
    return 0


def _resend(args: argparse.Namespace) -> int:
    with database(settings_from(args)) as url, psycopg.connect(url, prepare_threshold=None) as conn:
        try:
            line = resend(conn, args.property, args.id)
        except (CannotResend, UnknownProperty) as why:
            raise CommandError(str(why)) from None
    say(f"delivery {line.id} ({line.event}) will be sent again to {line.endpoint} shortly")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("webhooks", help="the owner's webhook deliveries: list, resend")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    listing = actions.add_parser("list", help="recent deliveries, newest first")
    listing.add_argument("--property", required=True, help="the property's slug")
    listing.add_argument("--json", action="store_true", help="print JSON instead of lines")
    listing.add_argument(
        "--limit", type=_limit, default=50, help="how many deliveries to show (default: 50)"
    )
    add_data_dir(listing)
    listing.set_defaults(handler=_list)

    again = actions.add_parser("resend", help="send a delivery again (same webhook-id)")
    again.add_argument(
        "--property", required=True, help="the property's slug (the delivery must be its)"
    )
    again.add_argument("id", type=int, help="the delivery's id, as `webhooks list` shows it")
    add_data_dir(again)
    again.set_defaults(handler=_resend)
