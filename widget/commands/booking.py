"""``innkeep booking charge REF AMOUNT --reason …``: the owner charges a no-show fee to the
card a pay-at-property booking keeps as a guarantee, within its cancellation policy.
``innkeep booking balance REF``: the owner charges a deposit booking's balance now, before
its day (the background job would on the day)."""

from __future__ import annotations

import argparse
import asyncio
from decimal import Decimal, InvalidOperation

import msgspec
import psycopg
from psycopg.rows import dict_row

from widget.commands import CommandError, say
from widget.commands.service import add_data_dir, database, settings_from
from widget.errors import InnkeepError
from widget.links import site_url
from widget.payments import payment_provider
from widget.payments.balance import charge_balance_now, charge_no_show
from widget.settings import Settings

#: What the owner reads for each outcome of the charge.
_SAID = {
    "succeeded": "charged",
    "unanswered": "not answered by the payment service yet; run the command again to retry "
    "(the same attempt: never charged twice)",
    "retry_later": "declined for now; the card is tried again on a later day",
    "balance_due": "declined: please ask the guest to pay another way",
    "requires_action": "the guest's bank wants them to confirm it; they have been e-mailed a link",
}


def _minor(text: str) -> int:
    """``80`` or ``80.50`` (the currency's major unit) as minor units."""
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CommandError(f"AMOUNT {text!r} is not an amount such as 80 or 80.50") from None
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise CommandError(f"AMOUNT {text!r} must be more than 0, to the cent")
    return int(amount * 100)


async def _charge(url: str, settings: Settings, args: argparse.Namespace, amount: int) -> str:
    provider = payment_provider(msgspec.structs.replace(settings, database_url=url))
    async with await psycopg.AsyncConnection.connect(
        url, autocommit=True, row_factory=dict_row, prepare_threshold=None
    ) as conn:
        return await charge_no_show(
            conn, provider, args.reference, amount, args.reason, site_url(settings)
        )


async def _balance(url: str, settings: Settings, reference: str) -> str:
    provider = payment_provider(msgspec.structs.replace(settings, database_url=url))
    async with await psycopg.AsyncConnection.connect(
        url, autocommit=True, row_factory=dict_row, prepare_threshold=None
    ) as conn:
        return await charge_balance_now(conn, provider, reference, site_url(settings))


def _run_balance(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with database(settings) as url:
        try:
            outcome = asyncio.run(_balance(url, settings, args.reference))
        except InnkeepError as refused:
            raise CommandError(refused.message) from None
    say(f"{args.reference}: balance {_SAID.get(outcome, outcome)}")
    return 0 if outcome == "succeeded" else 1


def _run(args: argparse.Namespace) -> int:
    amount = _minor(args.amount)
    settings = settings_from(args)
    with database(settings) as url:
        try:
            outcome = asyncio.run(_charge(url, settings, args, amount))
        except InnkeepError as refused:
            raise CommandError(refused.message) from None
    say(f"{args.reference}: no-show fee of {args.amount} {_SAID.get(outcome, outcome)}")
    return 0 if outcome == "succeeded" else 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "booking", help="act on one booking (charge a no-show fee, or the balance now)"
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    charge = actions.add_parser(
        "charge", help="charge a no-show fee to the card kept as a guarantee"
    )
    charge.add_argument("reference", help="the booking's reference, e.g. K7Q-4MZP")
    charge.add_argument("amount", help="the fee in the property's currency, e.g. 80 or 80.50")
    charge.add_argument("--reason", required=True, help="why, e.g. 'no-show'")
    add_data_dir(charge)
    charge.set_defaults(handler=_run)
    balance = actions.add_parser(
        "balance", help="charge a deposit booking's balance now, before its day"
    )
    balance.add_argument("reference", help="the booking's reference, e.g. K7Q-4MZP")
    add_data_dir(balance)
    balance.set_defaults(handler=_run_balance)
