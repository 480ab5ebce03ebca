"""``innkeep balances run``: one round of the balance job now (the background job does it
every ``INNKEEP_RECONCILE_SECONDS``): remind guests a week ahead, charge the balances that
are due, record payments guests confirmed on their link."""

from __future__ import annotations

import argparse
import asyncio

import msgspec

from widget.commands import say
from widget.commands.service import add_data_dir, database, settings_from
from widget.db import create_pool
from widget.payments import payment_provider
from widget.payments.balance import balance_job
from widget.settings import Settings


async def _round(url: str, settings: Settings) -> dict[str, str]:
    settings = msgspec.structs.replace(settings, database_url=url)
    pool = create_pool(url, max_size=1, pooled=True)  # one-off: nothing to prepare
    await pool.open()
    try:
        return await balance_job(pool, payment_provider(settings), settings)
    finally:
        await pool.close()


def _run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with database(settings) as url:
        outcomes = asyncio.run(_round(url, settings))
    for charge, outcome in outcomes.items():
        say(f"{charge}: {outcome}")
    say(f"{len(outcomes)} charge(s) handled")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("balances", help="charge the balances that are due, now")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    run = actions.add_parser(
        "run", help="one round of the balance job: reminders, due balances, guests' payments"
    )
    add_data_dir(run)
    run.set_defaults(handler=_run)
