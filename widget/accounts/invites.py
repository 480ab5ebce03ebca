"""Inviting someone to a property's console: the owner names an e-mail address and a
role, the address is sent a single-use link (through the outbox, as a password reset
is), and whoever opens it chooses a password (or, with an account already, just accepts).
Only the link's hash is kept."""

from __future__ import annotations

from dataclasses import dataclass

from widget.accounts.notices import send
from widget.accounts.passwords import hashed
from widget.accounts.users import ROLES, Role, account_email
from widget.db import Conn
from widget.errors import Conflict, Invalid, NotFound, QuotaExceeded
from widget.sql import queries
from widget.tokens import new_token, token_hash

INVITE_DAYS = 7
#: Invitations an hour: from one property, and by one user over all their properties. A
#: mailbox is not a target to flood, nor the outbox a way to send mail for someone else.
INVITE_WINDOW_SECONDS = 3600
PER_PROPERTY = 20
PER_USER = 10
_EXPIRED = "This invitation has expired or was already used; ask for a new one."


class InvitesThrottled(QuotaExceeded):
    """Too many invitations this hour from this property or by this user, for now."""

    code = "invites_throttled"


async def _check_invites_left(conn: Conn, property_id: int, invited_by: str) -> None:
    """`InvitesThrottled` (with when to retry) once the property or the user has sent its
    hour's invitations; counted in Postgres, as failed logins are, so every worker agrees."""
    cur = await conn.execute(
        queries("console")["invites_sent"],
        {"property_id": property_id, "invited_by": invited_by, "window": INVITE_WINDOW_SECONDS},
    )
    row = await cur.fetchone()
    assert row is not None
    waits = []
    if row["by_property"] >= PER_PROPERTY:
        waits.append(int(row["property_free_in"] or 1))
    if row["by_user"] >= PER_USER:
        waits.append(int(row["user_free_in"] or 1))
    if waits:
        wait = max(1, max(waits))
        raise InvitesThrottled(
            f"Too many invitations this hour; you can send the next in {-(-wait // 60)} minutes.",
            retry_after=wait,
        )


@dataclass(frozen=True)
class Invitation:
    """A live invitation as its page shows it."""

    email: str
    role: Role
    property_name: str
    has_account: bool


async def invite(
    conn: Conn,
    property_id: int,
    property_name: str,
    email: str,
    role: str,
    invited_by: str,
    site: str,
) -> str:
    """Invite ``email`` to the property as ``role``: the link goes out through the outbox,
    in the same transaction. Returns the address as stored. `InvitesThrottled` past
    `PER_PROPERTY` invitations an hour from the property or `PER_USER` by ``invited_by``."""
    if role not in ROLES:
        raise Invalid(f"the role is owner or staff, not {role!r}", field="role")
    address = account_email(email)
    token = new_token()
    async with conn.transaction():
        await conn.execute(
            queries("console")["lock_invites_of_property"], {"property_id": property_id}
        )
        await _check_invites_left(conn, property_id, invited_by)
        await conn.execute(
            queries("console")["insert_invite"],
            {
                "token_hash": token_hash(token),
                "property_id": property_id,
                "email": address,
                "role": role,
                "invited_by": invited_by,
                "seconds": INVITE_DAYS * 86400,
            },
        )
        await send(
            conn,
            "console_invite",
            address,
            f"You are invited to {property_name} on Innkeep",
            f"{invited_by} invites you to the Innkeep console of {property_name}, as "
            f"{role}.\n\nAccept within {INVITE_DAYS} days here; the link works once:\n"
            f"{site}/admin/invite/{token}\n\n"
            "If you do not know why you got this, ignore it: nothing happens without you.",
        )
    return address


async def invitation(conn: Conn, token: str) -> Invitation:
    """The live invitation of ``token`` (`NotFound` when used, expired or unknown)."""
    cur = await conn.execute(
        queries("console")["invite_is_live"], {"token_hash": token_hash(token)}
    )
    row = await cur.fetchone()
    if row is None:
        raise NotFound(_EXPIRED, code="invite_expired")
    return Invitation(row["email"], row["role"], row["property_name"], row["has_account"])


async def accept(conn: Conn, token: str, password: str) -> str:
    """Use the invitation (once): the account is made with ``password`` if there is none
    (an existing account keeps its own), and given the role. Returns the e-mail."""
    q = queries("console")
    found = await invitation(conn, token)
    password_hash = None if found.has_account else await hashed(password)
    async with conn.transaction():
        cur = await conn.execute(q["use_invite"], {"token_hash": token_hash(token)})
        row = await cur.fetchone()
        if row is None:
            raise NotFound(_EXPIRED, code="invite_expired")
        if password_hash is not None:
            await conn.execute(
                q["insert_user"],
                {"email": row["email"], "password_hash": password_hash, "language": "en"},
            )
        cur = await conn.execute(q["user_by_email"], {"email": row["email"]})
        user = await cur.fetchone()
        if user is None:
            raise Conflict("The account was removed meanwhile; ask for a new invitation.")
        await conn.execute(
            q["upsert_membership"],
            {"user_id": user["id"], "property_id": row["property_id"], "role": row["role"]},
        )
    return str(row["email"])


async def other_owners(conn: Conn, property_id: int, email: str) -> int:
    """How many owners the property has besides ``email`` (one must stay)."""
    cur = await conn.execute(
        queries("console")["other_owners"], {"property_id": property_id, "email": email}
    )
    row = await cur.fetchone()
    return int(row["n"]) if row else 0
