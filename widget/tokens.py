"""Secrets handed to guests (hold tokens, booking secrets) and how we keep only their hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def new_token() -> str:
    """An unguessable URL-safe secret (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    """What the database keeps instead of the secret itself."""
    return hashlib.sha256(token.encode()).digest()


def token_matches(token: str | None, stored: bytes | None) -> bool:
    """Constant-time check of a presented secret against its stored hash."""
    if not token or stored is None:
        return False
    return hmac.compare_digest(token_hash(token), bytes(stored))


def guest_key(hold_token: str) -> str:
    """The manage key of the guest's own browser, derived from its hold token.

    The token is random and stored only hashed, so this key is as unguessable as a new one,
    and a confirm call that presents the token can give the same link again (after the
    webhook booked first, say) without the key being kept anywhere. One-way: the link does
    not reveal the token."""
    digest = hmac.new(hold_token.encode(), b"innkeep manage key", hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


#: Booking references avoid look-alike characters (0/O, 1/I/L) so guests can read them out.
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    """A short human booking reference such as ``K7M-Q4P9``."""
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(7))
    return f"{chars[:3]}-{chars[3:]}"


class Sealed(NamedTuple):
    """What the database may keep of a secret-bearing answer: where to find it, a hash of the
    request it answered, and the answer sealed (AES-GCM) under a key it cannot derive."""

    lookup: bytes
    key: bytes


def sealing_keys(server_key: str, context: str, secret: str) -> Sealed:
    """Keys derived (HKDF-SHA256) from a secret only the client holds (an Idempotency-Key),
    salted with the server's key so that a weak client secret cannot be guessed from the
    database alone; ``context`` (the key's scope) makes each derivation its own."""
    material = HKDF(
        algorithm=SHA256(),
        length=64,
        salt=server_key.encode(),
        info=b"innkeep sealed answer\x00" + context.encode(),
    ).derive(secret.encode())
    return Sealed(lookup=material[:32], key=material[32:])


def seal(key: bytes, plaintext: bytes, bound_to: bytes) -> bytes:
    """``plaintext`` encrypted and authenticated; ``bound_to`` must be given again to open it."""
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, bound_to)


def unseal(key: bytes, sealed: bytes, bound_to: bytes) -> bytes | None:
    """The plaintext, or None if ``sealed`` was not made with this key for ``bound_to``."""
    try:
        return AESGCM(key).decrypt(sealed[:12], sealed[12:], bound_to)
    except InvalidTag:
        return None
