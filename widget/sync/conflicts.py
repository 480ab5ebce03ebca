"""Conflicts the owner resolves by hand: "I have dealt with it" (cancelled the OTA's
booking, moved the guest). The clash may still be there; the conflict stops being shown
and is not reopened by later fetches while the same two sides clash on the same nights.
Each resolution is noted in the console's history, on the Innkeep side's reservation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from widget.db import Conn
from widget.sql import queries

#: Who resolved a conflict from `innkeep sync resolve`, in the console's history.
COMMAND_LINE = "command line"


class NoOpenConflict(LookupError):
    """The property has no open conflict with that number."""


@dataclass(frozen=True)
class ResolvedConflict:
    id: int
    channel: str
    unit: str
    check_in: date
    check_out: date

    def words(self) -> str:
        """The resolution as the owner reads it."""
        return (
            f"conflict #{self.id} with {self.channel} on {self.unit} "
            f"({self.check_in} to {self.check_out}) is resolved"
        )


async def resolve_conflict(conn: Conn, slug: str, conflict_id: int, actor: str) -> ResolvedConflict:
    """Mark open conflict ``conflict_id`` of property ``slug`` resolved by ``actor``;
    `NoOpenConflict` if there is none (another property's conflicts included)."""
    cur = await conn.execute(
        queries("imports")["resolve_conflict"],
        {"id": conflict_id, "slug": slug, "actor": actor},
    )
    row = await cur.fetchone()
    if row is None:
        raise NoOpenConflict(f"{slug} has no open conflict #{conflict_id}")
    return ResolvedConflict(
        row["id"], row["channel"], row["unit"], row["check_in"], row["check_out"]
    )
