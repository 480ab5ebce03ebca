"""Loading a guest's hold by its id and secret token (``X-Hold-Token``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from widget.db import Conn
from widget.errors import NotFound
from widget.sql import queries
from widget.tokens import token_matches


@dataclass(frozen=True)
class Hold:
    """A reservation as its guest may see it: a hold, or the booking it became."""

    id: UUID
    property_id: int
    property_slug: str
    currency: str
    time_zone: str
    unit_id: int
    room_type: str
    check_in: date
    check_out: date
    status: str
    version: int
    hold_expires_at: datetime | None
    #: The hold's time is up by the database's clock (it may not be swept yet).
    lapsed: bool
    adults: int | None
    children: list[int]
    #: The stored quote (DESIGN's quote shape) and its hash: what the guest is charged.
    quote: dict[str, Any] | None
    quote_hash: str | None
    promo_code: str | None
    guest: dict[str, Any] | None
    reference: str | None
    payment_provider: str | None
    payment_ref: str | None
    payment_status: str | None
    client_key: str | None


async def load_hold(conn: Conn, hold_id: UUID, token: str | None) -> Hold:
    """The hold ``hold_id`` if ``token`` is its secret; `NotFound` otherwise, so a wrong
    token reveals nothing about which holds exist."""
    cur = await conn.execute(queries("inventory")["hold_by_id"], {"id": hold_id})
    row = await cur.fetchone()
    if row is None or not token_matches(token, row.pop("hold_token_hash")):
        raise NotFound("No such hold, or the X-Hold-Token header does not match it.")
    row["children"] = list(row["children"] or [])
    return Hold(**row)
