"""Bookings the front desk takes (phone, walk-in, e-mail) through the same holds and the
same confirmation as the widget's: a held row under the exclusion constraint, turned into
a booking by `confirm_hold`, with the guest's confirmation and the owner's notice written
in the same transaction. Paid at the property (nothing is charged online), or by the guest
through a payment link: the hold is kept for the phone hold's time and the link's key is
the hold's token, so the guest's page pays it through the widget's own checkout."""

from __future__ import annotations

from uuid import UUID

import msgspec
from psycopg.types.json import Jsonb

from widget.db import Conn
from widget.errors import Conflict, HoldLost, NotFound, Said
from widget.inventory.confirm import confirm_hold
from widget.links import manage_url
from widget.mail.compose import booking_confirmed, payment_link
from widget.mail.outbox import booking_for_mail, enqueue
from widget.payments.checkout import CheckoutIn, GuestIn, checked_guest
from widget.rows import Hold
from widget.sql import queries
from widget.tokens import new_token, token_hash


async def desk_hold(conn: Conn, property_id: int, hold_id: UUID) -> Hold:
    """The hold ``hold_id`` of ``property_id`` (`NotFound` for another property's)."""
    cur = await conn.execute(queries("inventory")["hold_by_id"], {"id": hold_id})
    row = await cur.fetchone()
    if row is None or row["property_id"] != property_id:
        raise NotFound("There is no such hold.")
    return msgspec.convert(row, Hold)


def payment_ref(hold_id: UUID) -> str:
    """The booking's payment reference: none was taken, it is paid at the property."""
    return f"at-property-{hold_id}"


async def book_at_property(
    conn: Conn, hold: Hold, guest: GuestIn, *, site: str, test_payment: bool
) -> str:
    """Confirm ``hold`` as a booking paid at the property for ``guest``; its reference.
    The same request again answers the same booking (`confirm_hold` is idempotent)."""
    details = checked_guest(CheckoutIn(guest=guest, accept_cancellation_policy=True))
    if hold.status == "confirmed" and hold.payment_ref == payment_ref(hold.id):
        assert hold.reference is not None
        return hold.reference
    if hold.status != "held" or hold.lapsed:
        raise HoldLost("The hold has ended; please choose the dates again.")
    q = queries("console")
    async with conn.transaction():
        await conn.execute(
            queries("payments")["store_guest"], {"id": hold.id, "guest": Jsonb(details)}
        )
        if await (await conn.execute(q["pay_at_property"], {"id": hold.id})).fetchone() is None:
            raise HoldLost("The hold has ended; please choose the dates again.")

    async def write(conn: Conn, reference: str) -> None:
        secret = new_token()
        await conn.execute(
            q["replace_booking_secret"], {"id": hold.id, "secret_hash": token_hash(secret)}
        )
        mail = await booking_for_mail(conn, hold.id)
        await enqueue(
            conn,
            hold.id,
            booking_confirmed(mail, manage_url(site, reference, secret), test_payment),
        )

    done = await confirm_hold(conn, hold.id, hold.version, payment_ref(hold.id), write)
    if not done.confirmed or done.reference is None:
        raise Conflict(
            f"The room could not be booked ({done.reason}).",
            code="not_booked",
            said=Said("not_booked", {"reason": done.reason}),
        )
    return done.reference


async def send_payment_link(
    conn: Conn, hold: Hold, guest: GuestIn, *, site: str, minutes: int
) -> bool:
    """E-mail ``guest`` a link to pay for ``hold`` themselves, and keep the room held for
    ``minutes`` meanwhile. Once per hold: the same click again sends nothing (False)."""
    details = checked_guest(CheckoutIn(guest=guest, accept_cancellation_policy=True))
    if hold.status != "held" or hold.lapsed or hold.quote is None:
        raise HoldLost("The hold has ended; please choose the dates again.")
    q = queries("console")
    key = new_token()
    async with conn.transaction():
        sent = await (await conn.execute(q["payment_links_sent"], {"id": hold.id})).fetchone()
        if sent is not None and sent["n"]:
            return False
        await conn.execute(
            queries("payments")["store_guest"], {"id": hold.id, "guest": Jsonb(details)}
        )
        cur = await conn.execute(
            q["hold_for_payment_link"],
            {"id": hold.id, "token_hash": token_hash(key), "minutes": minutes},
        )
        row = await cur.fetchone()
        if row is None:
            raise HoldLost("The hold has ended; please choose the dates again.")
        # The guest's payment page (/pay/{hold}) checks out the hold with the key as its token.
        link = f"{site.rstrip('/')}/pay/{hold.id}?key={key}"
        message = payment_link(
            (guest.name, guest.email, guest.language),
            hold.property_name,
            hold.quote.due_now,
            hold.quote.currency,
            (hold.check_in, hold.check_out),
            row["hold_expires_at"],
            link,
        )
        await enqueue(conn, hold.id, [message])
    return True
