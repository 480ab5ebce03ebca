"""``innkeep block``: take unit dates out of sale and give them back."""

from __future__ import annotations

import argparse
from uuid import UUID

import psycopg

from widget.commands import CommandError, date_argument, say
from widget.commands.service import add_data_dir, database, settings_from
from widget.inventory.blocks import BlockRefused, add_block, lift_block, list_blocks


def _add(args: argparse.Namespace) -> int:
    with database(settings_from(args)) as url, psycopg.connect(url, prepare_threshold=None) as conn:
        try:
            block_id = add_block(conn, args.property, args.unit, args.first, args.last, args.reason)
        except BlockRefused as refused:
            raise CommandError(str(refused)) from None
    say(f"blocked {args.unit} from {args.first} to {args.last} (both nights): {block_id}")
    return 0


def _lift(args: argparse.Namespace) -> int:
    with database(settings_from(args)) as url, psycopg.connect(url, prepare_threshold=None) as conn:
        try:
            lift_block(conn, args.property, args.block_id)
        except BlockRefused as refused:
            raise CommandError(str(refused)) from None
    say(f"lifted block {args.block_id}")
    return 0


def _list(args: argparse.Namespace) -> int:
    with database(settings_from(args)) as url, psycopg.connect(url, prepare_threshold=None) as conn:
        blocks = list_blocks(conn, args.property)
    for block in blocks:
        say(
            f"{block.id}  {block.unit:<12} "
            f"{block.first_night} to {block.last_night}  {block.reason}"
        )
    if not blocks:
        say(f"{args.property} has no blocks ahead")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("block", help="block unit dates, or lift a block")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    add = actions.add_parser("add", help="take a unit out of sale for some nights")
    add.add_argument("--property", required=True, help="the property's slug")
    add.add_argument("--unit", required=True, help='the unit\'s name, e.g. "Room 1"')
    add.add_argument("--from", dest="first", type=date_argument, required=True, help="first night")
    add.add_argument(
        "--to", dest="last", type=date_argument, required=True, help="last night (included)"
    )
    add.add_argument("--reason", required=True, help="why, e.g. painting")
    add_data_dir(add)
    add.set_defaults(handler=_add)

    lift = actions.add_parser("lift", help="give blocked nights back to sale")
    lift.add_argument("--property", required=True)
    lift.add_argument("block_id", type=UUID, help="the block's id (see `innkeep block list`)")
    add_data_dir(lift)
    lift.set_defaults(handler=_lift)

    listing = actions.add_parser("list", help="the blocks ahead")
    listing.add_argument("--property", required=True)
    add_data_dir(listing)
    listing.set_defaults(handler=_list)
