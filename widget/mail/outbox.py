"""The transactional outbox: e-mails written with the booking, sent afterwards with retries.

A message is written in the same transaction as the change it tells of, so a booking never
lacks its e-mail and a rolled-back booking never sends one. The sender (a background job on
every worker) locks the due messages with ``SKIP LOCKED``, so each is sent by one worker.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from widget.db import Conn, Pool
from widget.email_address import InvalidEmail
from widget.mail.compose import Message
from widget.mail.transport import Transport, transport_for
from widget.rows import BookingMail, decoded
from widget.settings import Settings
from widget.sql import queries

log = logging.getLogger(__name__)

#: After this many failed attempts a message is given up (and stays visible in the table).
MAX_ATTEMPTS = 8
BATCH = 20


def retry_delay(attempts: int) -> int:
    """Seconds before the next try after ``attempts`` failures: 30 s, doubling, at most 1 h."""
    return int(min(30 * 2 ** max(attempts - 1, 0), 3600))


async def booking_for_mail(conn: Conn, reservation_id: UUID) -> BookingMail:
    """What the e-mails of the booking ``reservation_id`` say (the caller holds its row)."""
    cur = await conn.execute(queries("payments")["booking_for_mail"], {"id": reservation_id})
    row = await cur.fetchone()
    assert row is not None  # the caller has just written this booking, in this transaction
    return decoded(row, BookingMail)


async def enqueue(conn: Conn, reservation_id: UUID | None, messages: Iterable[Message]) -> None:
    """Write ``messages`` to the outbox in ``conn``'s current transaction (about a
    reservation, or about none: a channel feed's health)."""
    for message in messages:
        await conn.execute(
            queries("payments")["enqueue_message"],
            {
                "reservation_id": reservation_id,
                "kind": message.kind,
                "recipient": message.recipient,
                "subject": message.subject,
                "text": message.text,
                "html": message.html,
            },
        )


async def send_due(conn: Conn, transport: Transport, sender: str) -> int:
    """Send the messages that are due; returns how many went out."""
    q = queries("payments")
    sent = 0
    async with conn.transaction():
        cur = await conn.execute(q["due_messages"], {"limit": BATCH})
        rows: list[dict[str, Any]] = await cur.fetchall()
        for row in rows:
            message = Message(
                row["kind"], row["recipient"], row["subject"], row["body_text"], row["body_html"]
            )
            try:
                await transport.send(message, sender)
            except Exception as exc:
                attempts = row["attempts"] + 1
                # An address that can never be written into a header is not retried.
                give_up_after = attempts if isinstance(exc, InvalidEmail) else MAX_ATTEMPTS
                # The message's id, not its recipient: logs carry no guest data.
                log.warning(
                    "e-mail %s (%s) failed (try %d): %s", row["id"], row["kind"], attempts, exc
                )
                await conn.execute(
                    q["message_failed"],
                    {
                        "id": row["id"],
                        "error": str(exc)[:500],
                        "retry_in": retry_delay(attempts),
                        "max_attempts": give_up_after,
                    },
                )
                continue
            await conn.execute(q["message_sent"], {"id": row["id"]})
            sent += 1
    return sent


async def send_outbox(pool: Pool, settings: Settings) -> int:
    """The background job: send what is due with the configured transport."""
    async with pool.connection() as conn:
        return await send_due(conn, transport_for(settings), settings.mail_from)
