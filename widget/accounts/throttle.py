"""Login throttling: failed attempts counted per account and per address in Postgres (one
count for every worker), refused with `QuotaExceeded` (429 and Retry-After) before the
password is even checked, and the account's holder and the owners of its properties told
when it is being guessed. Too many failures from one address pause that address, and tell
nobody: it names no account, so there is no owner to tell."""

from __future__ import annotations

from widget.accounts.notices import guessing_notice, owners_guessing_notice
from widget.db import Conn
from widget.errors import QuotaExceeded
from widget.sql import queries

#: The window failures are counted over, and how many each may have in it.
WINDOW_SECONDS = 15 * 60
PER_ACCOUNT = 5
PER_ADDRESS = 20


class LoginThrottled(QuotaExceeded):
    """Too many failed logins for this account or from this address, for now."""

    code = "login_throttled"


async def check_throttle(conn: Conn, email: str, address: str) -> None:
    """`LoginThrottled` when the account or the address has used up its failures."""
    cur = await conn.execute(
        queries("console")["login_failures"],
        {"email": email, "address": address, "window": WINDOW_SECONDS},
    )
    row = await cur.fetchone()
    assert row is not None
    waits = []
    if row["by_account"] >= PER_ACCOUNT:
        waits.append(int(row["account_free_in"] or 1))
    if row["by_address"] >= PER_ADDRESS:
        waits.append(int(row["address_free_in"] or 1))
    if waits:
        raise LoginThrottled(
            "Too many failed sign-ins; please wait before trying again.",
            retry_after=max(1, max(waits)),
        )


async def record_failure(conn: Conn, email: str, address: str) -> None:
    """Count one failed login; the failure that uses up the account's allowance tells its
    holder and the owners of its properties (at most once an hour), through the outbox."""
    q = queries("console")
    async with conn.transaction():
        await conn.execute(q["record_login_failure"], {"email": email, "address": address})
        cur = await conn.execute(
            q["login_failures"], {"email": email, "address": address, "window": WINDOW_SECONDS}
        )
        row = await cur.fetchone()
        assert row is not None
        if row["by_account"] >= PER_ACCOUNT:
            claimed = await (
                await conn.execute(q["claim_guessing_notice"], {"email": email})
            ).fetchone()
            if claimed is not None:
                await guessing_notice(conn, email, address)
                owners = await conn.execute(q["owners_told_of_guessing"], {"email": email})
                for owner in await owners.fetchall():
                    await owners_guessing_notice(
                        conn, owner["email"], email, owner["properties"], address
                    )


async def forget_failures(conn: Conn, email: str) -> None:
    """A successful login clears the account's failures (and old ones of everyone)."""
    await conn.execute(
        queries("console")["forget_login_failures"], {"email": email, "window": WINDOW_SECONDS}
    )
