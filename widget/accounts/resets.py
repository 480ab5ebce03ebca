"""Password reset by e-mail: a single-use link, valid for a short while, sent through the
outbox; using it sets the new password and ends every session of the account."""

from __future__ import annotations

from widget.accounts.notices import reset_link
from widget.accounts.passwords import hashed
from widget.accounts.sessions import login_email
from widget.db import Conn
from widget.errors import NotFound
from widget.sql import queries
from widget.tokens import new_token, token_hash

RESET_MINUTES = 30
#: Links one account may be sent per hour (a mailbox is not a target to flood).
RESETS_PER_HOUR = 3


async def request_reset(conn: Conn, email: str, site: str) -> None:
    """E-mail a reset link to ``email`` if it is an account (and not flooded); the caller
    says the same either way, so nobody learns which addresses have accounts."""
    q = queries("console")
    async with conn.transaction():
        cur = await conn.execute(q["user_by_email"], {"email": login_email(email)})
        user = await cur.fetchone()
        if user is None:
            return
        recent = await (await conn.execute(q["recent_resets"], {"user_id": user["id"]})).fetchone()
        if recent is not None and recent["n"] >= RESETS_PER_HOUR:
            return
        token = new_token()
        await conn.execute(
            q["insert_reset"],
            {"token_hash": token_hash(token), "user_id": user["id"], "seconds": RESET_MINUTES * 60},
        )
        await reset_link(conn, user["email"], f"{site}/admin/reset/{token}", RESET_MINUTES)


async def reset_email(conn: Conn, token: str) -> str:
    """The account a live reset link is for, or `NotFound` (used, expired or unknown)."""
    cur = await conn.execute(queries("console")["reset_is_live"], {"token_hash": token_hash(token)})
    row = await cur.fetchone()
    if row is None:
        raise NotFound("This reset link has expired or was already used.", code="reset_expired")
    return str(row["email"])


async def complete_reset(conn: Conn, token: str, password: str) -> str:
    """Set ``password`` through the link ``token`` (once); ends every session and every
    other link of the account. Returns the account's e-mail."""
    q = queries("console")
    password_hash = await hashed(password)
    async with conn.transaction():
        cur = await conn.execute(q["use_reset"], {"token_hash": token_hash(token)})
        row = await cur.fetchone()
        if row is None:
            raise NotFound("This reset link has expired or was already used.", code="reset_expired")
        user_id = row["user_id"]
        cur = await conn.execute(
            q["set_password_by_id"], {"user_id": user_id, "password_hash": password_hash}
        )
        changed = await cur.fetchone()
        assert changed is not None
        await conn.execute(q["use_every_reset_of_user"], {"user_id": user_id})
        await conn.execute(q["delete_sessions_of_user"], {"user_id": user_id})
    return str(changed["email"])
