"""Two-factor login: a TOTP (RFC 6238) authenticator app, and ten single-use recovery
codes for a lost phone. Only the codes' hashes are kept."""

from __future__ import annotations

import hmac
import secrets
import time

import pyotp
import segno

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


def setup_qr(uri: str, title: str) -> str:
    """``uri`` as a QR code an authenticator app scans: an inline SVG drawn here (no image
    service, no script; the console's CSP allows it as it is), black on a white quiet zone
    so it scans on any background, named ``title`` for screen readers."""
    svg = segno.make_qr(uri, error="m").svg_inline(
        scale=4, title=title, svgclass="qr", lineclass=None, light="#fff"
    )
    return svg.replace("<svg ", '<svg role="img" ', 1)


def code_matches(secret: str, code: str) -> bool:
    """Whether ``code`` is the authenticator's code now (or 30 s either side: clocks drift).
    Says nothing of whether it was used before: signing in uses `matching_step`."""
    return matching_step(secret, code) is not None


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The TOTP time step (30 s) whose code ``code`` is, now or one step either side."""
    digits = "".join(code.split())
    if len(digits) != 6 or not digits.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    step = int(time.time() if now is None else now) // totp.interval
    for candidate in (step - 1, step, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), digits):
            return candidate
    return None


async def use_code(conn: Conn, user_id: int, secret: str, code: str) -> bool:
    """Whether ``code`` is the authenticator's code and was not used before: a code that
    worked once works never again (RFC 6238, 5.2), even within its 30 seconds, so one seen
    over a shoulder or in a proxy's log opens nothing. Only a later step is taken."""
    step = matching_step(secret, code)
    if step is None:
        return False
    cur = await conn.execute(
        queries("console")["use_totp_step"], {"user_id": user_id, "step": step}
    )
    return await cur.fetchone() is not None


def _recovery_code() -> str:
    raw = secrets.token_hex(5)  # 40 bits, shown as xxxxx-xxxxx
    return f"{raw[:5]}-{raw[5:]}"


def _normal(code: str) -> str:
    return "".join(code.split()).lower()


async def enable(conn: Conn, user_id: int, secret: str, code: str) -> list[str]:
    """Turn two-factor login on with ``secret`` once ``code`` shows the app has it; returns
    the new recovery codes (to show once). ``code`` is then used: it cannot sign in."""
    step = matching_step(secret, code)
    if step is None:
        raise Invalid("That code does not match; check the app's time and try again.", field="code")
    q = queries("console")
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    async with conn.transaction():
        await conn.execute(q["set_totp_secret"], {"user_id": user_id, "secret": secret})
        await conn.execute(q["restart_totp_steps"], {"user_id": user_id, "step": step})
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
    """Whether ``code`` is the authenticator's current code, not used before, or an unused
    recovery code (either is then used up)."""
    if matching_step(secret, code) is not None:
        return await use_code(conn, user_id, secret, code)
    cur = await conn.execute(
        queries("console")["use_recovery_code"],
        {"user_id": user_id, "code_hash": token_hash(_normal(code))},
    )
    return await cur.fetchone() is not None
