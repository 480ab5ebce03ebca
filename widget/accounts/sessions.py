"""Console sessions, kept server-side: the browser holds a random token, the database only
its SHA-256, so a session ends (logout, a password change, a removed account) the moment
its row goes. A login always opens a new session (rotation): a token planted in a browser
before the login never becomes a signed-in one."""

from __future__ import annotations

import msgspec

from widget.accounts.passwords import hashed, needs_rehash, verified
from widget.accounts.throttle import check_throttle, forget_failures, record_failure
from widget.accounts.users import Role, account_email
from widget.db import Conn
from widget.errors import Invalid, NotFound, Refused
from widget.sql import queries
from widget.tokens import new_token, token_hash

#: How long a console session lasts after its login.
SESSION_SECONDS = 7 * 24 * 3600


class LoginRefused(Refused):
    """The e-mail and password do not match an account (which of the two is not said)."""

    code = "login_failed"


class Membership(msgspec.Struct, frozen=True):
    slug: str
    name: str
    role: Role
    requires_two_factor: bool = False


class Viewer(msgspec.Struct, frozen=True):
    """Whoever holds a live session: their account and the properties they belong to."""

    user_id: int
    email: str
    language: str
    second_factor_pending: bool
    two_factor: bool
    memberships: list[Membership]


class Member(msgspec.Struct, frozen=True):
    """A viewer on one of their properties, with their role there."""

    viewer: Viewer
    property_id: int
    slug: str
    name: str
    time_zone: str
    currency: str
    locale: str
    role: Role
    #: The property asks everyone on it for a second factor.
    requires_two_factor: bool = False

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


def login_email(raw: str) -> str:
    """The account name a login attempt is counted under: the address as accounts store
    it, or (for something that is not one) the text as typed, lower-cased and clipped."""
    try:
        return account_email(raw)
    except Invalid:
        return raw.strip().lower()[:320]


class Account(msgspec.Struct, frozen=True):
    """Whose password was just checked; ``totp_secret`` is set when a code must follow."""

    id: int
    email: str
    totp_secret: str | None


async def checked_login(conn: Conn, email: str, password: str, address: str = "local") -> Account:
    """The account id for ``email`` and ``password``, or `LoginRefused`; `LoginThrottled`
    (before the password is checked) after too many failures for the account or from
    ``address``. A hash made with weaker parameters than today's is replaced."""
    email = login_email(email)
    await check_throttle(conn, email, address)
    cur = await conn.execute(queries("console")["user_by_email"], {"email": email})
    row = await cur.fetchone()
    stored = row["password_hash"] if row else None
    if not await verified(stored, password) or row is None:
        await record_failure(conn, email, address)
        raise LoginRefused("That e-mail and password do not match an account.")
    await forget_failures(conn, email)
    if needs_rehash(stored or ""):
        await conn.execute(
            queries("console")["rehash_password"],
            {"user_id": row["id"], "password_hash": await hashed(password)},
        )
    return Account(id=row["id"], email=row["email"], totp_secret=row["totp_secret"])


async def session_account(conn: Conn, token: str | None) -> tuple[Account, bool] | None:
    """The account of the live session ``token`` (pending or not) and whether its second
    factor is still to come; None without one."""
    if not token or len(token) > 100:
        return None
    cur = await conn.execute(queries("console")["session_user"], {"token_hash": token_hash(token)})
    row = await cur.fetchone()
    if row is None:
        return None
    account = Account(id=row["user_id"], email=row["email"], totp_secret=row["totp_secret"])
    return account, bool(row["second_factor_pending"])


async def open_session(
    conn: Conn, user_id: int, *, address: str | None = None, pending: bool = False
) -> str:
    """A new session for ``user_id``; returns the token for the browser's cookie.
    ``pending``: the second factor is still to be given."""
    token = new_token()
    await conn.execute(
        queries("console")["insert_session"],
        {
            "token_hash": token_hash(token),
            "user_id": user_id,
            "pending": pending,
            "seconds": SESSION_SECONDS,
            "address": address,
        },
    )
    return token


async def end_session(conn: Conn, token: str | None) -> None:
    """End the session of ``token`` (nothing if there is none)."""
    if token:
        await conn.execute(queries("console")["delete_session"], {"token_hash": token_hash(token)})


async def end_every_session(conn: Conn, user_id: int) -> None:
    """End every session of ``user_id``, in every browser."""
    await conn.execute(queries("console")["delete_sessions_of_user"], {"user_id": user_id})


async def viewer_of(conn: Conn, token: str | None) -> Viewer | None:
    """Who holds the live session ``token``, or None."""
    if not token or len(token) > 100:
        return None
    cur = await conn.execute(
        queries("console")["session_viewer"], {"token_hash": token_hash(token)}
    )
    row = await cur.fetchone()
    return msgspec.convert(row, Viewer) if row else None


async def member_of(conn: Conn, viewer: Viewer, slug: str) -> Member:
    """``viewer`` on property ``slug``; `NotFound` when they do not belong to it (whether
    or not it exists: another property's pages show nothing, not even that they exist)."""
    cur = await conn.execute(
        queries("console")["member_of_property"], {"user_id": viewer.user_id, "slug": slug}
    )
    row = await cur.fetchone()
    if row is None:
        raise NotFound("There is no such page.")
    return msgspec.convert({**row, "viewer": viewer}, Member)


def may(member: Member, needed: Role) -> bool:
    """Whether ``member``'s role allows what needs ``needed`` (an owner may do all)."""
    return needed == "staff" or member.is_owner
