"""Turning a hold into a booking: one row, one transaction, fenced by id and version."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from psycopg import errors as pg_errors

from widget.db import Conn
from widget.sql import queries
from widget.tokens import new_reference

Reason = Literal["not_found", "stale", "released", "taken", "other_payment"]


@dataclass(frozen=True)
class Confirmation:
    """What `confirm_hold` did: ``confirmed`` is True when the row is (now) a booking."""

    confirmed: bool
    reference: str | None = None
    version: int | None = None
    #: Why not, when not confirmed: the hold is unknown, was changed meanwhile (``stale``),
    #: was cancelled (``released``), its nights went to someone else (``taken``), or it was
    #: already confirmed with another payment (``other_payment``).
    reason: Reason | None = None
    #: True when this call did the confirming; False when it was already confirmed.
    changed: bool = False


#: Work that must commit with the booking or not at all (the booking secret, the e-mails).
InTransaction = Callable[[Conn, str], Awaitable[None]]


async def confirm_hold(
    conn: Conn,
    hold_id: UUID,
    version: int,
    payment_ref: str | None,
    in_transaction: InTransaction | None = None,
) -> Confirmation:
    """Move exactly one reservation to ``confirmed``: a ``held`` row, or an ``expired`` one
    whose nights are still free. Idempotent: confirming again with the same payment returns
    the same booking. Runs its own transaction on ``conn`` (an autocommit connection).

    ``in_transaction(conn, reference)`` runs inside that transaction right after the row is
    confirmed (only by the call that confirms it), so what it writes commits with the booking.
    """
    q = queries("inventory")
    async with conn.transaction():
        cur = await conn.execute(q["lock_reservation"], {"id": hold_id})
        row = await cur.fetchone()
        if row is None:
            return Confirmation(False, reason="not_found")
        if row["status"] == "confirmed":
            if row["payment_ref"] == payment_ref:
                return Confirmation(True, row["reference"], row["version"])
            return Confirmation(False, reason="other_payment")
        if row["status"] not in ("held", "expired"):
            return Confirmation(False, reason="released")
        if row["version"] != version:
            return Confirmation(False, reason="stale")
        try:
            # A savepoint, so a refused expired row leaves the transaction usable.
            async with conn.transaction():
                cur = await conn.execute(
                    q["confirm_reservation"],
                    {
                        "id": hold_id,
                        "version": version,
                        "reference": new_reference(),
                        "payment_ref": payment_ref,
                    },
                )
                updated = await cur.fetchone()
                await _confirm_rest_of_group(conn, hold_id)
        except pg_errors.ExclusionViolation:
            # An expired hold whose nights someone else holds or booked meanwhile.
            return Confirmation(False, reason="taken")
        except _GroupBroken:
            return Confirmation(False, reason="released")
        assert updated is not None  # the row is locked and its version checked above
        if in_transaction is not None:
            await in_transaction(conn, updated["reference"])
        return Confirmation(True, updated["reference"], updated["version"], changed=True)


class _GroupBroken(Exception):
    """A room of the group is no longer held: the group is booked whole or not at all."""


async def _confirm_rest_of_group(conn: Conn, hold_id: UUID) -> None:
    """Confirm the other rooms of a group with its first room, in the same transaction
    (the first room is locked already, so every path locks in the same order)."""
    q = queries("inventory")
    cur = await conn.execute(q["group_members"], {"id": hold_id})
    members = await cur.fetchall()
    if not members:
        return
    if any(member["status"] not in ("held", "expired") for member in members):
        raise _GroupBroken
    cur = await conn.execute(q["confirm_group_members"], {"id": hold_id})
    if len(await cur.fetchall()) != len(members):
        raise _GroupBroken
