"""The units' secret export URLs: made, listed and rotated by the owner.

A URL's token is the only credential a feed has. It is derived, not stored: an HMAC of a
random per-export salt under the server's secret key. The database keeps the salt and the
token's SHA-256 (for the lookup, like hold tokens), so a database reader cannot turn a row
into a working URL, while `innkeep sync urls` can print the URLs again whenever the owner
asks. Changing ``INNKEEP_SECRET_KEY`` therefore changes every export URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

import psycopg

from widget.sql import queries
from widget.tokens import token_hash


class NoSuchExport(LookupError):
    """The property, unit or channel named has no export."""


def feed_token(secret_key: str, salt: bytes) -> str:
    """The URL token of the export whose salt is ``salt``."""
    digest = hmac.new(secret_key.encode(), b"ical-export:" + salt, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def feed_url(base_url: str, token: str) -> str:
    """The export's URL, under the service's public address (never a request's Host)."""
    return f"{base_url.rstrip('/')}/ical/{token}.ics"


@dataclass(frozen=True)
class ExportUrl:
    unit: str
    #: None for the full feed; else the channel whose own stays this feed leaves out.
    channel: str | None
    url: str
    #: Made by this call (the owner has not been shown it before).
    new: bool = False


def _new_secret(secret_key: str) -> tuple[bytes, bytes]:
    salt = secrets.token_bytes(16)
    return salt, token_hash(feed_token(secret_key, salt))


def export_urls(
    conn: psycopg.Connection[Any], slug: str, secret_key: str, base_url: str
) -> list[ExportUrl]:
    """Every export URL of the property's units, making the missing exports first (so a
    unit added by `property apply` or a newly connected channel gets its URL here too)."""
    q = queries("sync")
    with conn.transaction():
        rows = conn.execute(q["units_with_feeds"], {"slug": slug}).fetchall()
        if not rows:
            raise NoSuchExport(f"no property {slug!r} with units")
        urls = []
        for unit_id, unit, property_id, channel_id, channel, salt in rows:
            new = salt is None
            if salt is None:
                salt, hashed = _new_secret(secret_key)
                conn.execute(
                    q["add_feed"],
                    {
                        "property_id": property_id,
                        "unit_id": unit_id,
                        "channel_id": channel_id,
                        "salt": salt,
                        "token_hash": hashed,
                    },
                )
            url = feed_url(base_url, feed_token(secret_key, salt))
            urls.append(ExportUrl(unit, channel, url, new))
    return urls


def rotate_export(
    conn: psycopg.Connection[Any],
    slug: str,
    unit: str,
    secret_key: str,
    base_url: str,
    channel: str | None = None,
) -> str:
    """Give one export of ``unit`` (the full feed, or ``channel``'s) a new token and return
    its new URL. The old URL answers 404 as soon as this commits, on every worker: the
    property's version moves, and workers re-read a token whenever it does."""
    q = queries("sync")
    export_urls(conn, slug, secret_key, base_url)
    salt, hashed = _new_secret(secret_key)
    params = {"slug": slug, "unit": unit, "channel": channel, "salt": salt, "token_hash": hashed}
    with conn.transaction():
        row = conn.execute(q["rotate_feed"], params).fetchone()
        if row is None:
            which = f"channel {channel!r} of " if channel else ""
            raise NoSuchExport(f"no export for {which}unit {unit!r} of property {slug!r}")
        conn.execute(q["forget_tokens"], {"property_id": row[0]})
    return feed_url(base_url, feed_token(secret_key, salt))
