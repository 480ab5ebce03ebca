"""The reconciler: settles payments that were left half-way, one way or the other.

It finds payments not captured on reservations that have been quiet for a while: authorised
but never confirmed (the guest closed the tab, a worker died between authorisation and
confirmation), or booked but not captured (a worker died between commit and capture). Each is
settled with the same confirmation the guest and the webhook use. Safe with several workers:
each reservation is settled under a lease row in Postgres (``payment_settling``; not a
session-level lock, which PgBouncer in transaction mode cannot keep), released when the
settling ends or the worker stops, lapsing by itself if the worker dies; every step is
idempotent.

It also walks the provider's list of this deployment's payments, each once, from a cursor in
Postgres (`check_listing`): an authorisation no reservation points to (a worker died between
the authorisation and storing it) is cancelled once its hold has ended, so no guest's card
keeps money reserved for nothing; a captured payment no reservation points to (a Postgres
failover lost the booking after the capture) goes back on its hold to be booked again or
refunded.
Only payments carrying this deployment's own mark are looked at: a Stripe account may be
shared with other software.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from uuid import UUID, uuid4

from widget.db import Conn, Pool
from widget.deliveries.bookings import enqueue_booking_event
from widget.errors import InnkeepError
from widget.links import site_url
from widget.mail.compose import booking_cancelled_unpaid
from widget.mail.outbox import booking_for_mail, enqueue
from widget.payments.cancellation import refund
from widget.payments.confirmation import (
    cancel_authorisation,
    capture,
    confirm_payment,
    reservation,
)
from widget.payments.date_change import refund_pending_changes
from widget.payments.keys import orphan_cancel_key, stray_refund_key
from widget.payments.provider import Payment, PaymentProvider, PaymentUnavailable
from widget.payments.unbooked import refund_unbooked
from widget.rows import Reservation
from widget.settings import Settings
from widget.sql import queries

log = logging.getLogger(__name__)

#: Leave a payment alone this long after its last change: the guest may be confirming now.
QUIET_SECONDS = 120
#: A payment never authorised is cancelled this long after its hold ended (a late 3-D Secure
#: may still book the stay if the nights are free until then).
ABANDONED_SECONDS = 3600
BATCH = 50
#: A reconciler's claim on one reservation's payment lapses after this long (a worker that
#: died mid-settling); far longer than one settling with the provider's time-outs takes.
LEASE_SECONDS = 300
#: How far back the first walk through the provider's payments starts (later walks go on
#: from where the last one stopped, however long ago).
ORPHAN_LOOKBACK_SECONDS = 86400
#: The walk reads pages of this many payments (Stripe's largest page), at most
#: `PAGES_PER_ROUND` of them per round, so no round runs unbounded: 2,000 payments a round,
#: 33 a second with a round a minute; a backlog is caught up over the next rounds.
PAGE_SIZE = 100
PAGES_PER_ROUND = 20
#: A payment put aside until settled is read again each round for at most this long (a
#: phone hold lasts a day by default; Stripe releases an authorisation after seven).
WAIT_SECONDS = 2 * 86400
#: The cursor's row: one listing serves the orphan and the capture checks.
LISTING = "payments"


async def settle(conn: Conn, provider: PaymentProvider, hold_id: UUID, site: str) -> str:
    """Settle one reservation's payment; returns what happened (for logs and tests)."""
    q = queries("payments")
    row = await reservation(conn, hold_id)
    if row is None or not row.payment_ref:
        return "nothing"
    payment = await provider.retrieve(row.payment_ref)
    if row.status == "confirmed":
        return await _settle_booked(conn, provider, row, payment)
    if payment.captured and row.guest is None:
        # The checkout's write was lost with the booking: no guest to book the stay for.
        why = "the booking and its guest's details were lost (a database failover)"
        await refund_unbooked(conn, provider, row, payment, why)
        return "refunded"
    if payment.authorised or payment.captured:
        try:
            await confirm_payment(conn, provider, hold_id, site=site)
        except InnkeepError as exc:
            return exc.code  # refused: the authorisation was cancelled (or the refund made)
        return "confirmed"
    if payment.status == "canceled":
        await conn.execute(
            q["payment_status"],
            {"id": hold_id, "payment_ref": payment.id, "payment_status": payment.status},
        )
        return "canceled"
    ended = row.status == "cancelled" or (row.lapsed and await _ended_long_ago(conn, hold_id))
    if ended:
        await cancel_authorisation(conn, provider, hold_id, payment.id)
        return "abandoned"
    return "waiting"


async def _settle_booked(
    conn: Conn, provider: PaymentProvider, row: Reservation, payment: Payment
) -> str:
    """A booking whose payment is not noted as captured: capture it (or note the capture),
    or cancel the booking when its payment was cancelled."""
    if payment.authorised:
        await capture(conn, provider, row.id, payment.id)
        return "captured"
    if payment.captured:
        await conn.execute(queries("payments")["payment_captured"], {"id": row.id})
        return "captured"
    if payment.status == "canceled":
        await _cancel_unpaid(conn, provider, row.id, payment.status)
        log.error("booking %s cancelled: its payment was cancelled", row.reference)
        return "booking_cancelled"
    return "waiting"


async def _cancel_unpaid(
    conn: Conn, provider: PaymentProvider, hold_id: UUID, payment_status: str
) -> None:
    """No booking without a captured payment: cancel it, and tell the guest and the owner
    in the same transaction (the outbox sends it)."""
    q = queries("payments")
    async with conn.transaction():
        cur = await conn.execute(
            q["cancel_unpaid_booking"], {"id": hold_id, "payment_status": payment_status}
        )
        if await cur.fetchone() is None:
            return
        # A group's other rooms go with its first, which carries the payment.
        await conn.execute(queries("inventory")["cancel_group_members"], {"id": hold_id})
        mail = await booking_for_mail(conn, hold_id)
        await enqueue(conn, hold_id, booking_cancelled_unpaid(mail, provider.name == "demo"))
        await enqueue_booking_event(conn, hold_id, "booking.cancelled")


async def _ended_long_ago(conn: Conn, hold_id: UUID) -> bool:
    cur = await conn.execute(
        queries("payments")["hold_ended_before"], {"id": hold_id, "seconds": ABANDONED_SECONDS}
    )
    row = await cur.fetchone()
    return bool(row and row["old"])


async def check_listing(
    conn: Conn, provider: PaymentProvider, site: str, quiet_seconds: int = QUIET_SECONDS
) -> dict[str, str]:
    """Walk the provider's list of this deployment's payments from where the last walk
    stopped (`payment_listing`), at most `PAGES_PER_ROUND` pages, checking each payment once
    (`_check_listed`): an authorisation no reservation points to is cancelled, a captured
    payment no reservation points to goes back on its hold or is refunded. One listing
    serves both checks. The walk goes window by window, ``(checked_until, now - quiet]``,
    each newest first (as Stripe lists) from the last payment checked in it; the cursor
    moves past a page only once its payments are checked, and the next round starts where
    this one stopped. A payment not settled yet (its hold is still open) is put aside in
    `payment_listing_wait` and read again each round until it is. One worker walks at a
    time, under the lease on the cursor's row. Returns ``{payment id: outcome}`` for the
    payments it acted on."""
    q = queries("payments")
    cur = await conn.execute(q["clock_seconds"])
    clock = await cur.fetchone()
    assert clock is not None
    now = int(clock["now"])
    key = {"provider": provider.name, "listing": LISTING, "holder": uuid4()}
    outcomes: dict[str, str] = {}
    try:
        cur = await conn.execute(
            q["claim_listing"],
            {**key, "start": now - ORPHAN_LOOKBACK_SECONDS, "seconds": LEASE_SECONDS},
        )
        row = await cur.fetchone()
        if row is None:
            return outcomes  # another worker is walking the list
        await _check_waiting(conn, provider, site, outcomes)
        cursor = _Cursor(int(row["checked_until"]), row["window_until"], row["after_ref"])
        for _ in range(PAGES_PER_ROUND):
            if cursor.window_until is None:
                if now - quiet_seconds <= cursor.checked_until:
                    break  # nothing quiet long enough yet
                cursor.window_until, cursor.after = now - quiet_seconds, None
            await _walk_page(conn, provider, cursor, site, outcomes)
            cur = await conn.execute(
                q["advance_listing"],
                {
                    **key,
                    "checked_until": cursor.checked_until,
                    "window_until": cursor.window_until,
                    "after_ref": cursor.after,
                    "seconds": LEASE_SECONDS,
                },
            )
            if await cur.fetchone() is None:
                break  # the lease lapsed and another worker took the walk on
    except PaymentUnavailable as exc:
        log.warning("reconciler: could not look for orphan or unbooked payments: %s", exc)
    finally:
        await conn.execute(q["release_listing"], key)
    return outcomes


@dataclass
class _Cursor:
    """Where the walk stands (a row of `payment_listing`)."""

    checked_until: int
    window_until: int | None
    after: str | None


async def _walk_page(
    conn: Conn, provider: PaymentProvider, cursor: _Cursor, site: str, outcomes: dict[str, str]
) -> None:
    """Check the next page of the cursor's window and move the cursor past it."""
    assert cursor.window_until is not None
    page = await provider.payments_page(
        created_after=cursor.checked_until,
        created_until=cursor.window_until,
        starting_after=cursor.after,
        limit=PAGE_SIZE,
    )
    for payment in page.payments:
        outcome = await _check_listed(conn, provider, payment, site)
        if outcome is None:
            await conn.execute(
                queries("payments")["wait_for_payment"],
                {"provider": provider.name, "payment_ref": payment.id},
            )
        elif outcome:
            outcomes[payment.id] = outcome
    if page.has_more:
        cursor.after = page.last_ref
    else:  # the window is done: every payment created up to its top is checked
        cursor.checked_until, cursor.window_until, cursor.after = cursor.window_until, None, None


async def _check_waiting(
    conn: Conn, provider: PaymentProvider, site: str, outcomes: dict[str, str]
) -> None:
    """Check again the payments the walk passed before they were settled. One the provider
    cannot give back now is tried next round, and forgotten after `WAIT_SECONDS` (logged)."""
    q = queries("payments")
    cur = await conn.execute(
        q["forget_waiting"], {"provider": provider.name, "seconds": WAIT_SECONDS}
    )
    for row in await cur.fetchall():
        log.error("reconciler: gave up on payment %s, unsettled for days", row["payment_ref"])
    cur = await conn.execute(q["payments_waiting"], {"provider": provider.name, "limit": BATCH})
    for row in await cur.fetchall():
        try:
            payment = await provider.retrieve(row["payment_ref"])
        except PaymentUnavailable as exc:
            log.warning("reconciler: payment %s not read again yet: %s", row["payment_ref"], exc)
            continue
        outcome = await _check_listed(conn, provider, payment, site)
        if outcome is None:
            continue
        if outcome:
            outcomes[payment.id] = outcome
        await conn.execute(
            q["payment_settled"], {"provider": provider.name, "payment_ref": payment.id}
        )


async def _check_listed(
    conn: Conn, provider: PaymentProvider, payment: Payment, site: str
) -> str | None:
    """Check one listed payment; returns what was done (``""``: nothing was needed), or None
    when it is not settled yet and must be checked again."""
    hold_id = _uuid(payment.hold_id)
    if hold_id is None:
        return ""  # a later charge or a payment link: its charge row settles it, not this
    cur = await conn.execute(
        queries("payments")["payment_claims"], {"payment_ref": payment.id, "hold_id": hold_id}
    )
    claims = await cur.fetchone()
    assert claims is not None
    if payment.captured:
        if not await _unaccounted(conn, [payment.id]):
            return ""
        return await _check_claimed(conn, provider, payment, hold_id, site)
    if claims["pointed"] or payment.status == "canceled":
        return ""  # its reservation's settling sees it through
    if claims["open"] or payment.status == "processing":
        return None  # its checkout may still store it, its guest still authorise it
    if not payment.authorised:
        return ""  # never authorised, its hold ended: nothing is reserved on the card
    try:
        await provider.cancel(payment.id, idempotency_key=orphan_cancel_key(payment.id))
    except PaymentUnavailable as exc:
        log.warning("reconciler: orphan payment %s not cancelled yet: %s", payment.id, exc)
        return None
    log.warning("reconciler: cancelled payment %s, which no reservation points to", payment.id)
    return "orphan_cancelled"


async def _unaccounted(conn: Conn, refs: list[str]) -> list[str]:
    """Those of ``refs`` no reservation points to (a booking, or a row `reconcile`
    settles) and not dealt with before."""
    if not refs:
        return []
    cur = await conn.execute(queries("payments")["captures_unaccounted"], {"refs": refs})
    return [row["payment_ref"] for row in await cur.fetchall()]


async def _check_claimed(
    conn: Conn, provider: PaymentProvider, payment: Payment, hold_id: UUID, site: str
) -> str | None:
    """Under a lease on the payment (so two workers never decide it both ways): put it back
    on its hold and settle that, or refund it when the hold is gone (no stored quote to book
    it with) or holds another payment. None when another worker has it, or the provider is
    away (the next round tries again)."""
    q = queries("payments")
    holder = uuid4()
    lease = {"payment_ref": payment.id, "hold_id": hold_id, "holder": holder}
    try:
        cur = await conn.execute(q["claim_capture_check"], {**lease, "seconds": LEASE_SECONDS})
        if await cur.fetchone() is None:
            return None  # another worker has it: checked again next round
        if not await _unaccounted(conn, [payment.id]):
            return ""  # dealt with since the listing
        cur = await conn.execute(
            q["attach_payment"],
            {"id": hold_id, "payment_ref": payment.id, "provider": provider.name},
        )
        if await cur.fetchone() is not None:
            log.error(
                "reconciler: payment %s was captured for hold %s, whose row had lost it "
                "(a database failover?); settling it now",
                payment.id,
                hold_id,
            )
            await conn.execute(q["capture_checked"], {**lease, "outcome": "attached"})
            return await _settle_claimed(conn, provider, hold_id, site)
        await provider.refund(
            payment.id, payment.amount_received, idempotency_key=stray_refund_key(payment.id)
        )
        await conn.execute(q["capture_checked"], {**lease, "outcome": "refunded"})
    except PaymentUnavailable as exc:
        log.warning("reconciler: captured payment %s not settled yet: %s", payment.id, exc)
        return None
    finally:
        await conn.execute(q["release_capture_check"], lease)
    log.error(
        "reconciler: refunded payment %s, captured for hold %s, which no longer exists "
        "or holds another payment",
        payment.id,
        hold_id,
    )
    return "stray_refunded"


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


async def _settle_claimed(
    conn: Conn, provider: PaymentProvider, hold_id: UUID, site: str
) -> str | None:
    """Settle one payment under this reconciler's lease; None when another worker holds
    it or the provider is away. The lease is given back however the settling ends (a
    worker stopped by SIGTERM included: its job is cancelled, and this still runs)."""
    q = queries("payments")
    holder = uuid4()
    lease = {"id": hold_id, "holder": holder, "seconds": LEASE_SECONDS}
    # The claim is inside the try: a job cancelled while the claim's answer is on its way
    # (committed, not yet read) still gives the lease back. Releasing is keyed by this
    # holder, so it changes nothing when the claim went to another worker.
    try:
        cur = await conn.execute(q["claim_settling"], lease)
        if await cur.fetchone() is None:
            return None  # another worker is settling it
        return await settle(conn, provider, hold_id, site)
    except PaymentUnavailable as exc:
        log.warning("reconciler: payment of %s not settled yet: %s", hold_id, exc)
        return None
    finally:
        await conn.execute(q["release_settling"], lease)


async def reconcile(
    conn: Conn,
    provider: PaymentProvider,
    site: str,
    quiet_seconds: int = QUIET_SECONDS,
) -> dict[str, str]:
    """Settle every quiet, unsettled payment (``{hold id: outcome}``), cancel orphan
    authorisations (``{payment id: "orphan_cancelled"}``) and check captures against
    bookings (``{payment id: outcome}``). ``site`` is the service's
    address, for the links of the e-mails a late booking sends."""
    q = queries("payments")
    cur = await conn.execute(
        q["unsettled_payments"], {"quiet_seconds": quiet_seconds, "limit": BATCH}
    )
    ids = [r["id"] for r in await cur.fetchall()]
    outcomes: dict[str, str] = {}
    cur = await conn.execute(q["refunds_due"], {"limit": BATCH})
    for row in await cur.fetchall():
        await refund(conn, provider, row["id"])  # keyed per booking: never paid twice
        outcomes[str(row["id"])] = "refund"
    outcomes.update(await refund_pending_changes(conn, provider, BATCH))  # keyed per change
    for hold_id in ids:
        outcome = await _settle_claimed(conn, provider, hold_id, site)
        if outcome is not None:
            outcomes[str(hold_id)] = outcome
    outcomes.update(await check_listing(conn, provider, site, quiet_seconds))
    return outcomes


async def reconcile_payments(
    pool: Pool, provider: PaymentProvider, settings: Settings
) -> dict[str, str]:
    """The background job."""
    async with pool.connection() as conn:
        return await reconcile(conn, provider, site_url(settings))
