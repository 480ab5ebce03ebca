"""The private links to the guest's payment page, ``/pay/{id}?key=…``.

A link is for one purpose only (confirm the balance the bank wants authenticated, pay a
balance that failed with another card, or replace the card the booking keeps), is
unguessable (a 256-bit key of which only the hash is kept) and ends after a few days by the
property's clock. A link of one purpose can never be used for another.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID, uuid4

import msgspec

from widget.db import Conn
from widget.errors import LinkExpired, NotFound
from widget.sql import queries
from widget.tokens import new_token, token_hash, token_matches

Purpose = Literal["authenticate", "pay_balance", "update_card"]

#: How long a link e-mailed about a balance works; the manage page's card link is shorter,
#: as the guest asked for it a moment ago.
LINK_DAYS = 14
CARD_LINK_DAYS = 1


class PayLink(msgspec.Struct, frozen=True, kw_only=True):
    """A link, with the booking and the charge its page is about."""

    id: UUID
    reservation_id: UUID
    charge_id: UUID | None
    purpose: Purpose
    setup_ref: str | None
    done_at: datetime | None
    expires_at: datetime
    reference: str
    booking_status: str
    customer_ref: str | None
    payment_method_ref: str | None
    language: str | None
    property_name: str
    currency: str
    #: The charge's amount, day, status and payment (None for a card update).
    amount: int | None = None
    due_on: date | None = None
    charge_status: str | None = None
    payment_ref: str | None = None
    #: The link's time is over (`find_link` refuses it unless asked to keep it).
    expired: bool = False


def link_url(site: str, link_id: UUID, key: str) -> str:
    """The page's address as e-mailed: the key travels in the query, never stored."""
    return f"{site.rstrip('/')}/pay/{link_id}?key={key}"


async def open_link(
    conn: Conn,
    site: str,
    *,
    reservation_id: UUID,
    purpose: Purpose,
    charge_id: UUID | None = None,
    days: int = LINK_DAYS,
) -> str:
    """A fresh link for ``purpose``; returns its address (the key exists only in it)."""
    link_id, key = uuid4(), new_token()
    await conn.execute(
        queries("payments")["open_payment_link"],
        {
            "id": link_id,
            "reservation_id": reservation_id,
            "charge_id": charge_id,
            "purpose": purpose,
            "token_hash": token_hash(key),
            "days": days,
        },
    )
    return link_url(site, link_id, key)


async def find_link(
    conn: Conn, link_id: UUID, key: str | None, *, keep_expired: bool = False
) -> PayLink:
    """The link ``link_id`` if ``key`` is its key: `NotFound` if not (the same answer for
    a wrong key and no link, so nothing is learnt by guessing), `LinkExpired` once over
    (unless ``keep_expired``: the page then says so in the guest's words)."""
    cur = await conn.execute(queries("payments")["payment_link"], {"id": link_id})
    row = await cur.fetchone()
    if row is None or not token_matches(key, row.pop("token_hash")):
        raise NotFound("No such payment link, or its key does not match.")
    link = msgspec.convert(row, PayLink)
    if link.expired and not keep_expired:
        raise LinkExpired("This payment link has expired; please ask the property for a new one.")
    return link


async def check_charge_key(conn: Conn, charge_id: UUID, key: str | None) -> None:
    """`NotFound` unless ``key`` is the key of a live link for paying charge ``charge_id``
    (the JSON API of the page: a card-update link cannot pay)."""
    cur = await conn.execute(
        queries("payments")["charge_link"],
        {"charge_id": charge_id, "token_hash": token_hash(key or "")},
    )
    row = await cur.fetchone()
    if row is None or not key:
        raise NotFound("No such payment, or the link's key does not match it.")
    if row["expired"]:
        raise NotFound("This payment link has expired; please ask the property for a new one.")
