"""The owner's view of the webhook outbox: recent deliveries, and sending one again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
import psycopg
from psycopg.rows import dict_row

from widget.deliveries.outbox import RETRY_FOR_SECONDS
from widget.properties.webhooks import shown_url
from widget.sql import queries


class UnknownProperty(LookupError):
    """No property has that slug."""


class CannotResend(LookupError):
    """The delivery does not exist, or cannot be sent again now (the message says why)."""


class DeliveryLine(msgspec.Struct, frozen=True):
    """One delivery as ``innkeep webhooks list`` shows it (the endpoint as scheme://host/…)."""

    id: int
    event: str
    booking_reference: str | None
    state: str
    attempts: int
    #: When it will be tried next; None once delivered or given up.
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    endpoint: str
    occurred_at: datetime
    delivered_at: datetime | None
    failed_at: datetime | None


def recent_deliveries(
    conn: psycopg.Connection[Any], slug: str, limit: int = 50
) -> list[DeliveryLine]:
    """The property's latest ``limit`` deliveries, newest first."""
    cur = conn.cursor(row_factory=dict_row)
    if cur.execute(queries("webhooks")["property_exists"], {"slug": slug}).fetchone() is None:
        raise UnknownProperty(f"no property is called {slug!r}")
    rows = cur.execute(
        queries("webhooks")["recent_deliveries"], {"slug": slug, "limit": limit}
    ).fetchall()
    return [_line(row) for row in rows]


def _line(row: dict[str, Any]) -> DeliveryLine:
    return DeliveryLine(
        id=row["id"],
        event=row["event_type"],
        booking_reference=row["booking_ref"],
        state=row["state"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"] if row["state"] == "pending" else None,
        last_status=row["last_status"],
        last_error=row["last_error"],
        endpoint=shown_url(row["url"]),
        occurred_at=row["occurred_at"],
        delivered_at=row["delivered_at"],
        failed_at=row["failed_at"],
    )


def resend(conn: psycopg.Connection[Any], slug: str, delivery_id: int) -> DeliveryLine:
    """Queue delivery ``delivery_id`` of property ``slug`` again from now (same message id,
    another day of retries); its line as it is afterwards. `UnknownProperty` for a slug no
    property has; `CannotResend` says why not (another property's delivery among them)."""
    q = queries("webhooks")
    cur = conn.cursor(row_factory=dict_row)
    with conn.transaction():
        owner = cur.execute(q["property_exists"], {"slug": slug}).fetchone()
        if owner is None:
            raise UnknownProperty(f"no property is called {slug!r}")
        found = cur.execute(
            q["delivery_for_resend"], {"id": delivery_id, "property_id": owner["id"]}
        ).fetchone()
        if found is None:
            raise CannotResend(f"no webhook delivery has the id {delivery_id}")
        if not found["ours"]:
            raise CannotResend(
                f"delivery {delivery_id} is not one of {slug}'s deliveries "
                f"(see innkeep webhooks list --property {slug})"
            )
        if found["removed"]:
            raise CannotResend(
                f"delivery {delivery_id}'s endpoint is no longer in the property file"
            )
        if found["sending"]:
            raise CannotResend(f"delivery {delivery_id} is being sent right now; try again soon")
        cur.execute(q["resend_delivery"], {"id": delivery_id, "retry_for": RETRY_FOR_SECONDS})
        row = cur.execute(q["delivery_by_id"], {"id": delivery_id}).fetchone()
    assert row is not None
    return _line(row)
