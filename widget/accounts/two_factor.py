"""Two-factor login: a TOTP (RFC 6238) authenticator app, and ten single-use recovery
codes for a lost phone. Only the codes' hashes are kept."""

from __future__ import annotations

import secrets

import pyotp

from widget.db import Conn
from widget.errors import Invalid
from widget.sql import queries
from widget.tokens import token_hash

RECOVERY_CODES = 10
ISSUER = "Innkeep"


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def setup_uri(secret: str, email: str) -> str:
    """The ``otpauth://`` address an authenticator app takes (typed or scanned)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def code_matches(secret: str, code: str) -> bool:
    """Whether ``code`` is the authenticator's code now (or 30 s either side: clocks drift)."""
    digits = "".join(code.split())
    return (
        len(digits) == 6 and digits.isdigit() and pyotp.TOTP(secret).verify(digits, valid_window=1)
    )


def _recovery_code() -> str:
    raw = secrets.token_hex(5)  # 40 bits, shown as xxxxx-xxxxx
    return f"{raw[:5]}-{raw[5:]}"


def _normal(code: str) -> str:
    return "".join(code.split()).lower()


async def enable(conn: Conn, user_id: int, secret: str, code: str) -> list[str]:
    """Turn two-factor login on with ``secret`` once ``code`` shows the app has it; returns
    the new recovery codes (to show once)."""
    if not code_matches(secret, code):
        raise Invalid("That code does not match; check the app's time and try again.", field="code")
    q = queries("console")
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    async with conn.transaction():
        await conn.execute(q["set_totp_secret"], {"user_id": user_id, "secret": secret})
        await conn.execute(q["delete_recovery_codes"], {"user_id": user_id})
        for one in codes:
            await conn.execute(
                q["insert_recovery_code"],
                {"user_id": user_id, "code_hash": token_hash(_normal(one))},
            )
    return codes


async def disable(conn: Conn, user_id: int) -> None:
    """Turn two-factor login off (the caller checked a code and that no property needs it)."""
    q = queries("console")
    async with conn.transaction():
        await conn.execute(q["set_totp_secret"], {"user_id": user_id, "secret": None})
        await conn.execute(q["delete_recovery_codes"], {"user_id": user_id})


async def second_factor_matches(conn: Conn, user_id: int, secret: str, code: str) -> bool:
    """Whether ``code`` is the authenticator's current code or an unused recovery code
    (which is then used up)."""
    if code_matches(secret, code):
        return True
    cur = await conn.execute(
        queries("console")["use_recovery_code"],
        {"user_id": user_id, "code_hash": token_hash(_normal(code))},
    )
    return await cur.fetchone() is not None
