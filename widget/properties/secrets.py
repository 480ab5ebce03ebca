"""Secrets in a property file (a feed's URL, a webhook's signing secret): written out, named
by reference, or left out.

``innkeep property export`` never prints a secret. It writes a reference instead,
``{ kept = "sha256:1a2b3c4d" }``: "the secret stored now, whose fingerprint is this". An
``apply`` keeps the stored secret for a reference that matches it and for a key left out;
``{ env = "NAME" }`` takes the secret from the environment of the command; a plain string
sets it. A reference to a secret that has changed since the export is refused, so an old
file cannot quietly claim a secret it never saw.
"""

from __future__ import annotations

import hashlib
import os
from typing import Annotated

import msgspec
from msgspec import Meta

_FINGERPRINT_CHARS = 8


class SecretRef(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A secret named rather than written: ``kept`` (its fingerprint) or ``env`` (a name)."""

    kept: Annotated[str, Meta(pattern=r"^sha256:[0-9a-f]{8}$")] | None = None
    env: Annotated[str, Meta(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] | None = None

    def __post_init__(self) -> None:
        if (self.kept is None) == (self.env is None):
            raise ValueError('write either kept = "sha256:…" or env = "NAME", not both')


#: What a secret field of the property file accepts.
Secret = str | SecretRef


class SecretProblem(ValueError):
    """A reference that cannot be honoured; the message says what to write instead."""


def fingerprint(secret: str) -> str:
    """``sha256:`` and the first hex digits of the secret's SHA-256: enough to tell two
    secrets apart in a file, too little to learn anything about either."""
    digest = hashlib.sha256(secret.encode()).hexdigest()
    return f"sha256:{digest[:_FINGERPRINT_CHARS]}"


def reference(secret: str) -> dict[str, str]:
    """What the export writes for ``secret``: its reference, never the secret."""
    return {"kept": fingerprint(secret)}


def resolve(written: Secret | None, stored: str | None) -> str | None:
    """The secret an apply sets: ``stored`` when the file leaves it out or names it by
    reference, the file's own value otherwise. `SecretProblem` for a reference to another
    secret, or to an environment variable that is not set."""
    if written is None:
        return stored
    if isinstance(written, str):
        return written
    if written.env is not None:
        value = os.environ.get(written.env)
        if not value:
            raise SecretProblem(f"environment variable {written.env} is not set")
        return value
    if stored is None or fingerprint(stored) != written.kept:
        raise SecretProblem(
            f"refers to a stored secret ({written.kept}) that is not the one stored now; "
            "write the secret itself, or leave the key out to keep the stored one"
        )
    return stored
