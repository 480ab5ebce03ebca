"""Sending the webhook outbox: claim due deliveries with a lease, POST each one signed by
the Standard Webhooks rules, and write back what happened, fenced by the lease.

No transaction (and no pooled connection) is held during the HTTP calls: a slow endpoint
cannot stall the database, and a crashed worker's lease simply lapses. One booking's
deliveries to one endpoint go out in order (`claim_deliveries` holds back a later one
until the earlier one was delivered or given up).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID, uuid4

import msgspec
from standardwebhooks import Webhook

from widget.db import Pool
from widget.deliveries.transport import TIMEOUT_SECONDS, Answer, DeliveryRefused, post
from widget.outbound import Network, networks
from widget.properties.webhooks import shown_url
from widget.settings import Settings
from widget.sql import queries

log = logging.getLogger(__name__)

BATCH = 20
#: Longer than any one call may take (`TIMEOUT_SECONDS`), so a live sender keeps its claim.
LEASE_SECONDS = 60
USER_AGENT = "Innkeep-Webhooks/1"


class Send(Protocol):
    """The HTTP call (`widget.deliveries.transport.post` or a stand-in)."""

    def __call__(
        self,
        url: str,
        body: bytes,
        headers: dict[str, str],
        *,
        allow_networks: Sequence[Network],
        seconds: float,
    ) -> Awaitable[Answer]: ...


class Claimed(msgspec.Struct, frozen=True):
    """A delivery this worker holds the lease of (``claim_deliveries``)."""

    id: int
    message_id: str
    event_type: str
    occurred_at: datetime
    data: dict[str, Any]
    attempts: int
    url: str
    secret: str


def retry_delay(attempts: int) -> int:
    """Seconds before the next try after ``attempts`` failures: a minute, doubling, at most
    four hours (about a dozen tries in the day a delivery is retried)."""
    return int(min(60 * 2 ** max(attempts - 1, 0), 4 * 3600))


def body_of(delivery: Claimed) -> bytes:
    """The JSON body: ``{"type", "timestamp", "data"}`` (the Standard Webhooks shape)."""
    occurred = delivery.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return msgspec.json.encode(
        {"type": delivery.event_type, "timestamp": occurred, "data": delivery.data}
    )


def signed_headers(delivery: Claimed, body: bytes, now: datetime) -> dict[str, str]:
    """The Standard Webhooks headers for ``body`` sent at ``now`` (real time: receivers
    compare it with their own clock)."""
    signature = Webhook(delivery.secret).sign(delivery.message_id, now, body.decode())
    return {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


async def send_webhooks(
    pool: Pool, settings: Settings, *, send: Send = post, seconds: float = TIMEOUT_SECONDS
) -> int:
    """The background job: deliver what is due; returns how many endpoints took theirs."""
    token = uuid4()
    async with pool.connection() as conn:
        cur = await conn.execute(
            queries("webhooks")["claim_deliveries"],
            {"limit": BATCH, "token": token, "lease_seconds": LEASE_SECONDS},
        )
        claimed = [msgspec.convert(row, Claimed) for row in await cur.fetchall()]
    if not claimed:
        return 0
    attempt = _attempt_with(send, networks(settings.sync_allow_private_networks), seconds)
    outcomes = await asyncio.gather(*(attempt(delivery) for delivery in claimed))
    async with pool.connection() as conn:
        for delivery, (status, error) in zip(claimed, outcomes, strict=True):
            await _record(conn, delivery, token, status, error)
    return sum(1 for _, error in outcomes if error is None)


Outcome = tuple[int | None, str | None]


def _attempt_with(
    send: Send, allow_networks: Sequence[Network], seconds: float
) -> Callable[[Claimed], Awaitable[Outcome]]:
    async def attempt(delivery: Claimed) -> Outcome:
        """One try: the endpoint's status, and why it failed (None when it took it)."""
        try:
            body = body_of(delivery)
            headers = signed_headers(delivery, body, datetime.now(UTC))
            answer = await send(
                delivery.url, body, headers, allow_networks=allow_networks, seconds=seconds
            )
        except DeliveryRefused as refused:
            return None, str(refused)
        except Exception as exc:
            # Recorded as a failed try like any other: an exception escaping here would
            # leave the whole batch unrecorded, and sent again once the leases lapse.
            log.exception("webhook %s could not be sent", delivery.id)
            return None, f"could not be sent ({type(exc).__name__})"
        if 200 <= answer.status < 300:
            return answer.status, None
        return answer.status, f"the endpoint answered {answer.status}"

    return attempt


async def _record(
    conn: Any, delivery: Claimed, token: UUID, status: int | None, error: str | None
) -> None:
    q = queries("webhooks")
    if error is None:
        await conn.execute(
            q["delivery_succeeded"], {"id": delivery.id, "token": token, "status": status}
        )
        return
    attempts = delivery.attempts + 1
    cur = await conn.execute(
        q["delivery_failed"],
        {
            "id": delivery.id,
            "token": token,
            "status": status,
            "error": error[:500],
            "retry_in": retry_delay(attempts),
        },
    )
    row = await cur.fetchone()
    gave_up = row is not None and row["state"] == "failed"
    # The host only: a webhook URL's path is often its credential. Never the secret.
    log.warning(
        "webhook %s (%s) to %s failed (try %d)%s: %s",
        delivery.id,
        delivery.event_type,
        shown_url(delivery.url),
        attempts,
        ", given up" if gave_up else "",
        error,
    )
