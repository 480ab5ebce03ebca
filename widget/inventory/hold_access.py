"""Loading a guest's hold by its id and secret token (``X-Hold-Token``)."""

from __future__ import annotations

from uuid import UUID

from widget.db import Conn
from widget.errors import NotFound
from widget.rows import Hold, decoded
from widget.sql import queries
from widget.tokens import token_matches

__all__ = ["Hold", "load_hold"]


async def load_hold(conn: Conn, hold_id: UUID, token: str | None) -> Hold:
    """The hold ``hold_id`` if ``token`` is its secret; `NotFound` otherwise, so a wrong
    token reveals nothing about which holds exist."""
    cur = await conn.execute(queries("inventory")["hold_by_id"], {"id": hold_id})
    row = await cur.fetchone()
    if row is None or not token_matches(token, row.pop("hold_token_hash")):
        raise NotFound("No such hold, or the X-Hold-Token header does not match it.")
    return decoded(row, Hold)
