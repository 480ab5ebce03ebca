"""What the guesthouse holds about a guest, found, exported and erased (GDPR articles 15
and 17): personal fields anonymised, amounts and dates kept for the books."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from widget.db import Conn
from widget.errors import Invalid, NotFound, Said, StayNotEnded, shown
from widget.rows import GuestReservation, decoded
from widget.sql import queries

#: Reservations whose stay is still to come or under way while in these states.
_ACTIVE = ("held", "confirmed")


@dataclass(frozen=True)
class GuestProperty:
    id: int
    slug: str
    today: date
    retention_years: int | None


@dataclass(frozen=True)
class GuestStay:
    """One of the guest's reservations, as the Guests page lists it."""

    reference: str | None
    status: str
    check_in: date
    check_out: date
    room_type: str
    unit: str
    name: str
    erased: bool
    #: The stay is over by the property's today (its own clock): a past guest.
    ended: bool


async def guest_property(conn: Conn, slug: str) -> GuestProperty:
    cur = await conn.execute(queries("guests")["guest_property"], {"slug": slug})
    row = await cur.fetchone()
    if row is None:
        raise NotFound(f"No property is called {shown(slug)}.")
    return GuestProperty(row["id"], row["slug"], row["today"], row["guest_retention_years"])


def _email(email: str) -> str:
    text = email.strip()
    if "@" not in text or len(text) > 320:
        raise Invalid("enter the guest's e-mail address", field="email")
    return text


async def _reservations(conn: Conn, place: GuestProperty, email: str) -> list[dict[str, Any]]:
    cur = await conn.execute(
        queries("guests")["guest_reservations"], {"property_id": place.id, "email": _email(email)}
    )
    return list(await cur.fetchall())


async def find_guest(conn: Conn, place: GuestProperty, email: str) -> list[GuestStay]:
    """The guest's reservations at ``place`` (any status), by arrival."""
    found = [decoded(row, GuestReservation) for row in await _reservations(conn, place, email)]
    return [
        GuestStay(
            r.reference,
            r.status,
            r.check_in,
            r.check_out,
            r.room_type,
            r.unit,
            r.guest.name if r.guest else "",
            r.guest_erased_at is not None,
            r.check_out <= place.today,
        )
        for r in found
    ]


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key == "id":
            continue
        out[key] = value.isoformat() if isinstance(value, date | datetime) else value
    return out


async def guest_record(conn: Conn, place: GuestProperty, email: str) -> dict[str, Any]:
    """Everything held about the guest at ``place``, as JSON-ready data: each reservation
    (guest details, stay, quote, payment references, address seen at checkout) and each
    e-mail written to them."""
    rows = await _reservations(conn, place, email)
    cur = await conn.execute(queries("guests")["guest_messages"], {"ids": [r["id"] for r in rows]})
    messages = [_jsonable(m) for m in await cur.fetchall()]
    return {
        "property": place.slug,
        "email": _email(email),
        "reservations": [_jsonable(r) for r in rows],
        "emails": messages,
    }


async def erase_guest(conn: Conn, place: GuestProperty, email: str) -> int:
    """Anonymise every reservation of the guest at ``place`` and the e-mails sent to them;
    how many reservations. `StayNotEnded` (nothing changed) while a stay of theirs is held,
    booked or under way: the booking still needs who is coming."""
    rows = [decoded(row, GuestReservation) for row in await _reservations(conn, place, email)]
    ongoing = [
        r
        for r in rows
        if r.check_out > place.today
        # A lapsed hold whose payment is under way may still become the booking.
        and (r.status in _ACTIVE or (r.status == "expired" and r.payment_ref))
    ]
    if ongoing:
        raise StayNotEnded(
            "This guest's stay has not ended yet ("
            + ", ".join(r.reference or "a hold" for r in ongoing)
            + "); a guest can be erased once they have left.",
            field="email",
            said=Said(
                "stay_not_ended", {"stays": [r.reference or Said("a_hold") for r in ongoing]}
            ),
        )
    ids = [r.id for r in rows if r.guest_erased_at is None]
    await _anonymise(conn, ids)
    return len(ids)


async def _anonymise(conn: Conn, ids: list[Any]) -> None:
    q = queries("guests")
    async with conn.transaction():
        await conn.execute(q["erase_reservations"], {"ids": ids})
        await conn.execute(q["erase_messages"], {"ids": ids})


async def erase_departed_guests(conn: Conn, batch: int = 500) -> int:
    """The retention job: anonymise the guests of every property whose stay ended its
    ``guest_retention_years`` ago; how many reservations. Safe to run in several workers at
    once (rows taken with SKIP LOCKED)."""
    erased = 0
    while True:
        async with conn.transaction():
            cur = await conn.execute(
                queries("guests")["departed_beyond_retention"], {"limit": batch}
            )
            ids = [r["id"] for r in await cur.fetchall()]
            if ids:
                await _anonymise(conn, ids)
        erased += len(ids)
        if len(ids) < batch:
            return erased


async def set_retention(conn: Conn, property_id: int, years: int | None) -> None:
    """Set how many years after departure guests are anonymised (None: until erased)."""
    if years is not None and not 1 <= years <= 30:
        raise Invalid("years is a whole number from 1 to 30, or empty", field="years")
    await conn.execute(queries("guests")["set_retention"], {"id": property_id, "years": years})
