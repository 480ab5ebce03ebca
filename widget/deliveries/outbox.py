"""The webhook outbox: one row per endpoint that wants an event, written in the event's own
transaction, so a committed booking always has its deliveries and a rolled-back one none.

`enqueue` is the one way in, for any event (bookings here, the importer's sync events).
"""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb

from widget.db import Conn
from widget.properties.webhooks import EVENT_TYPES
from widget.sql import queries

#: A delivery is retried (with growing pauses) for this long, then given up.
RETRY_FOR_SECONDS = 24 * 3600


async def enqueue(
    conn: Conn,
    property_id: int,
    event_type: str,
    data: dict[str, Any],
    *,
    booking_ref: str | None = None,
) -> int:
    """Write ``event_type`` with ``data`` (the payload's ``data`` object, JSON-ready) for
    every endpoint of ``property_id`` subscribed to it, in ``conn``'s current transaction;
    returns how many deliveries were written.

    Call it inside the transaction that makes the change, so the deliveries commit (or roll
    back) with it. Personal data of a guest goes under the ``guest`` key of ``data`` only:
    that key is dropped for endpoints without ``include_guest``. ``booking_ref`` keeps one
    booking's events in order per endpoint.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event {event_type!r}")
    cur = await conn.execute(
        queries("webhooks")["enqueue_delivery"],
        {
            "property_id": property_id,
            "event_type": event_type,
            "booking_ref": booking_ref,
            "data": Jsonb(data),
            "retry_for": RETRY_FOR_SECONDS,
        },
    )
    return len(await cur.fetchall())
