"""Passwords: Argon2id hashes (argon2-cffi's RFC 9106 low-memory profile) checked off the
event loop, and generated passwords for ``innkeep user add`` without ``--password-stdin``."""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from widget.errors import Invalid

_HASHER = PasswordHasher()  # Argon2id, t=3, m=64 MiB, p=4: argon2-cffi's defaults
#: Checked against when no account has the e-mail given, so that an unknown address takes
#: as long to refuse as a wrong password (no account enumeration by timing).
_DECOY = _HASHER.hash(secrets.token_urlsafe(16))

MIN_LENGTH = 10
MAX_LENGTH = 256


def checked_password(password: str) -> str:
    """``password`` if it is long enough (and not absurdly long), else `Invalid`."""
    if len(password) < MIN_LENGTH:
        raise Invalid(f"a password needs at least {MIN_LENGTH} characters", field="password")
    if len(password) > MAX_LENGTH:
        raise Invalid(f"a password has at most {MAX_LENGTH} characters", field="password")
    return password


def generated_password() -> str:
    """A password to print once: 16 URL-safe characters (96 bits)."""
    return secrets.token_urlsafe(12)


async def hashed(password: str) -> str:
    """The Argon2id hash of ``password`` (computed in a thread: it takes ~50 ms of CPU)."""
    return await asyncio.to_thread(_HASHER.hash, checked_password(password))


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DECOY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


async def verified(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the ``stored`` hash; None (no such account) is checked
    against a decoy so that it costs the same time, and is never a match."""
    if len(password) > MAX_LENGTH:
        return False
    return await asyncio.to_thread(_verify, stored, password)


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(stored)
