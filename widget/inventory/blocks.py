"""Owners block unit dates (maintenance, a booking taken elsewhere) and lift them again.

A block is a ``blocked`` reservation under the same exclusion constraint as bookings, so it
can never overlap one; refusals say what is in the way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import psycopg
from psycopg import errors as pg_errors

from widget.sql import queries


class BlockRefused(ValueError):
    """The block cannot be placed or lifted; the message says why, for the owner."""


@dataclass(frozen=True)
class Block:
    id: UUID
    unit: str
    first_night: date
    last_night: date
    reason: str


def add_block(
    conn: psycopg.Connection[Any],
    slug: str,
    unit: str,
    first_night: date,
    last_night: date,
    reason: str,
) -> UUID:
    """Block ``unit`` from ``first_night`` to ``last_night`` (both included)."""
    if last_night < first_night:
        raise BlockRefused(f"the last night ({last_night}) is before the first ({first_night})")
    if not reason.strip():
        raise BlockRefused("say why the unit is blocked (--reason), so the next person knows")
    q = queries("blocks")
    end = last_night + timedelta(days=1)
    with conn.transaction():
        found = conn.execute(q["unit_of_property"], {"slug": slug, "unit": unit}).fetchone()
        if found is None:
            names = [r[0] for r in conn.execute(q["units_of_property"], {"slug": slug})]
            if not names:
                raise BlockRefused(f"no property is called {slug!r}")
            raise BlockRefused(f"{slug} has no unit {unit!r}; its units are: {', '.join(names)}")
        unit_id, property_id = found[0], found[1]
        params = {"unit_id": unit_id, "first": first_night, "end": end}
        conn.execute(q["expire_lapsed_holds"], params)
        try:
            with conn.transaction():
                row = conn.execute(
                    q["insert_block"],
                    {**params, "property_id": property_id, "reason": reason.strip()},
                ).fetchone()
        except pg_errors.ExclusionViolation:
            raise BlockRefused(_in_the_way(conn, unit, params)) from None
    assert row is not None
    return UUID(str(row[0]))


def _in_the_way(conn: psycopg.Connection[Any], unit: str, params: dict[str, Any]) -> str:
    reasons = []
    for status, reference, first, last, expires, why in conn.execute(
        queries("blocks")["in_the_way"], params
    ):
        if status == "confirmed":
            reasons.append(f"booking {reference} ({first} to {last})")
        elif status == "held":
            reasons.append(f"a guest's hold until {expires:%H:%M} UTC ({first} to {last})")
        else:
            reasons.append(f"an earlier block ({first} to {last}: {why})")
    return f"{unit} is not free on those nights: " + "; ".join(reasons or ["another reservation"])


def lift_block(conn: psycopg.Connection[Any], slug: str, block_id: UUID) -> None:
    with conn.transaction():
        row = conn.execute(
            queries("blocks")["lift_block"], {"id": block_id, "slug": slug}
        ).fetchone()
    if row is None:
        raise BlockRefused(f"{slug} has no block {block_id}")


def list_blocks(conn: psycopg.Connection[Any], slug: str) -> list[Block]:
    return [
        Block(UUID(str(r[0])), r[1], r[2], r[3], r[4] or "")
        for r in conn.execute(queries("blocks")["list_blocks"], {"slug": slug})
    ]
