"""Console accounts and their memberships: who may see which property, as owner or staff."""

from __future__ import annotations

from typing import Literal, get_args

import msgspec

from widget.accounts.passwords import hashed
from widget.db import Conn
from widget.email_address import InvalidEmail, email_address
from widget.errors import Conflict, Invalid, NotFound
from widget.i18n import LANGUAGES
from widget.sql import queries

Role = Literal["owner", "staff"]
ROLES: tuple[Role, ...] = get_args(Role)


class ListedUser(msgspec.Struct, frozen=True):
    """One line of ``innkeep user list``."""

    email: str
    role: Role
    language: str
    two_factor: bool
    slug: str


def account_email(raw: str) -> str:
    """The address an account is known by: validated, lower-cased (one account a mailbox)."""
    try:
        return email_address(raw.strip()).lower()
    except InvalidEmail as exc:
        raise Invalid(f"{raw!r} is not an e-mail address: {exc}", field="email") from None


async def property_id(conn: Conn, slug: str) -> int:
    """The id of the property ``slug``, or `NotFound`."""
    cur = await conn.execute(queries("console")["property_id_by_slug"], {"slug": slug})
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"no property is called {slug!r}", field="property")
    return int(row["id"])


async def add_user(
    conn: Conn, email: str, slug: str, role: Role, password: str, language: str = "en"
) -> bool:
    """Give ``email`` the ``role`` on property ``slug``, creating the account with
    ``password`` if it has none; True when the account is new. An existing account keeps
    its password (``innkeep user password`` changes it)."""
    if role not in ROLES:
        raise Invalid(f"the role is owner or staff, not {role!r}", field="role")
    if language not in LANGUAGES:
        raise Invalid(f"the language is one of {', '.join(LANGUAGES)}", field="language")
    email = account_email(email)
    q = queries("console")
    password_hash = await hashed(password)
    async with conn.transaction():
        prop = await property_id(conn, slug)
        cur = await conn.execute(
            q["insert_user"],
            {"email": email, "password_hash": password_hash, "language": language},
        )
        created = await cur.fetchone()
        user_id = created["id"] if created else (await _user_id(conn, email))
        await conn.execute(
            q["upsert_membership"], {"user_id": user_id, "property_id": prop, "role": role}
        )
    return created is not None


async def _user_id(conn: Conn, email: str) -> int:
    cur = await conn.execute(queries("console")["user_by_email"], {"email": email})
    row = await cur.fetchone()
    if row is None:
        raise Conflict(f"the account {email} was removed meanwhile", field="email")
    return int(row["id"])


async def list_users(conn: Conn, slug: str | None = None) -> list[ListedUser]:
    """The accounts of property ``slug`` (of every property when None), with their roles."""
    cur = await conn.execute(queries("console")["users_of_property"], {"slug": slug})
    return [msgspec.convert(row, ListedUser) for row in await cur.fetchall()]


async def remove_user(conn: Conn, email: str, slug: str | None = None) -> None:
    """Take ``email`` off property ``slug``; the account itself goes with its last property
    (or at once when ``slug`` is None), and its sessions with it."""
    email = account_email(email)
    q = queries("console")
    async with conn.transaction():
        if slug is None:
            cur = await conn.execute(q["remove_user"], {"email": email})
            if await cur.fetchone() is None:
                raise NotFound(f"no account {email}", field="email")
            return
        cur = await conn.execute(q["remove_membership"], {"email": email, "slug": slug})
        row = await cur.fetchone()
        if row is None:
            raise NotFound(f"{email} has no access to {slug!r}", field="email")
        await conn.execute(q["user_without_membership"], {"user_id": row["user_id"]})


async def set_password(conn: Conn, email: str, password: str) -> None:
    """Give ``email`` a new password and end every session it had (everywhere)."""
    email = account_email(email)
    q = queries("console")
    password_hash = await hashed(password)
    async with conn.transaction():
        cur = await conn.execute(
            q["set_password"], {"email": email, "password_hash": password_hash}
        )
        row = await cur.fetchone()
        if row is None:
            raise NotFound(f"no account {email}", field="email")
        await conn.execute(q["delete_sessions_of_user"], {"user_id": row["id"]})
