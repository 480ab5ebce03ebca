"""A captured payment that no booking kept is given back in full, once, and the owner told.

It happens when a payment was captured outside Innkeep for a hold that could not be booked,
or when a Postgres failover lost a booking after its payment was captured and the nights went
to another guest since. The refund is written ahead on the hold (``refunding``), so nothing
books the hold on that payment afterwards, even if a worker dies between the two; the
owner's e-mail and console line are written once, with the note that it is refunded.
"""

from __future__ import annotations

from widget.db import Conn
from widget.mail.compose import payment_refunded_owner
from widget.mail.formats import money
from widget.mail.outbox import enqueue
from widget.payments.keys import refund_taken_key
from widget.payments.provider import Payment, PaymentProvider
from widget.rows import Reservation
from widget.sql import queries


async def refund_unbooked(
    conn: Conn, provider: PaymentProvider, row: Reservation, payment: Payment, why: str
) -> bool:
    """Refund ``payment``, captured for the hold ``row``, unless that hold is booked; True
    when this call refunded it or finished a refund begun before. ``why`` tells the owner
    why no booking was kept. Raises `PaymentUnavailable` when the provider does not answer
    (the hold stays ``refunding``, and the reconciler finishes it)."""
    q = queries("payments")
    ids = {"id": row.id, "payment_ref": payment.id}
    cur = await conn.execute(q["payment_refunding"], ids)
    if await cur.fetchone() is None:
        return False  # booked, or refunded already: nothing to give back
    await provider.refund(
        payment.id, payment.amount_received, idempotency_key=refund_taken_key(row.id)
    )
    detail = f"{money(payment.amount_received, payment.currency, 'en')} refunded: {why}"
    async with conn.transaction():
        cur = await conn.execute(q["payment_refunded"], {**ids, "detail": detail[:500]})
        done = await cur.fetchone()
        if done is not None:
            guest = ", ".join(v for v in (done["guest_name"], done["guest_email"]) if v)
            notice = payment_refunded_owner(
                done["contact_email"],
                payment.amount_received,
                payment.currency,
                (done["check_in"], done["check_out"]),
                guest,
                why,
            )
            await enqueue(conn, row.id, [notice])
    return True
