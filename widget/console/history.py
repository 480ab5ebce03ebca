"""Who did what in the console, when: one line per action, shown in a booking's history."""

from __future__ import annotations

from uuid import UUID

from widget.accounts.sessions import Member
from widget.db import Conn
from widget.sql import queries


async def record(
    conn: Conn, member: Member, action: str, *, reservation_id: UUID | None = None, detail: str = ""
) -> None:
    """Note that ``member`` did ``action`` (to ``reservation_id``)."""
    await conn.execute(
        queries("console")["record_event"],
        {
            "property_id": member.property_id,
            "reservation_id": reservation_id,
            "actor": member.viewer.email,
            "action": action,
            "detail": detail[:500],
        },
    )
