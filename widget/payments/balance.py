"""The balance job: charges a deposit booking's balance on its day, the guest absent.

Safe with several workers: a worker claims one due charge with ``FOR UPDATE SKIP LOCKED``
and a lease in one statement, and calls the provider with no transaction open. Every
attempt is written before the call with its own idempotency key; a time-out (or a worker
that died mid-call, whose lease runs out) retries the *same* attempt under the same key, so
the provider answers the first call's outcome instead of charging again. A hard decline is
never retried; a soft one is retried a few times over days, then the booking is marked
"balance due" and the owner told; ``authentication_required`` e-mails the guest a link that
confirms that very payment. A charge taken when no longer wanted (its booking cancelled
meanwhile, or a change of dates dropped it) is refunded: noted as ``refunding`` with what
it took before the provider is asked, so a refund the provider does not answer is asked
again by the next run (the same key and amount: never twice), and the accountant's payments
file lists both.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID, uuid4

from widget.db import Conn, Pool
from widget.errors import Conflict, Invalid, NotFound
from widget.links import site_url
from widget.mail.balance_mail import (
    balance_charged,
    balance_failed_guest,
    balance_needs_guest,
    balance_reminder,
)
from widget.mail.compose import balance_due_owner
from widget.mail.outbox import booking_for_mail, enqueue
from widget.payments.keys import attempt_key, charge_refund_key, stray_refund_key
from widget.payments.pay_links import check_charge_key, open_link
from widget.payments.provider import (
    ChargeRefused,
    Payment,
    PaymentProvider,
    PaymentUnavailable,
)
from widget.rows import NoShowTarget, decoded, stay_money
from widget.settings import Settings
from widget.sql import queries

log = logging.getLogger(__name__)

#: How long a worker owns a claimed charge while it talks to the provider.
LEASE_SECONDS = 300
#: A time-out is retried (same key) this much later.
UNANSWERED_RETRY_SECONDS = 600
#: A soft decline is tried again after these waits (one day, then two, then three); after
#: the last the balance is due from the guest some other way.
SOFT_RETRY_SECONDS = (86400, 2 * 86400, 3 * 86400)
BATCH = 20
#: A late charge's refund still not made after this many runs is logged as an error.
LATE_REFUND_TRIES = 5
_WHAT = {"balance": "Balance", "no_show": "No-show fee", "change": "Change of dates"}


async def charge_due_balances(
    conn: Conn, provider: PaymentProvider, site: str, limit: int = BATCH
) -> dict[str, str]:
    """Take up to ``limit`` due charges, one at a time; ``{charge id: outcome}``."""
    outcomes: dict[str, str] = {}
    for _ in range(limit):
        cur = await conn.execute(
            queries("payments")["claim_due_charge"], {"lease_seconds": LEASE_SECONDS}
        )
        charge = await cur.fetchone()
        if charge is None:
            break
        outcomes[str(charge["id"])] = await take(conn, provider, charge, site)
    return outcomes


async def take(conn: Conn, provider: PaymentProvider, charge: dict[str, Any], site: str) -> str:
    """One attempt at one claimed charge; returns what happened."""
    q = queries("payments")
    if charge["booking_status"] != "confirmed":
        await conn.execute(q["cancel_charges"], {"id": charge["reservation_id"]})
        return "canceled"
    attempt = int(charge["tries"]) + 1
    key = attempt_key(charge["id"], attempt)
    # Written before the call: the key is on record whatever happens next.
    await conn.execute(
        q["open_attempt"], {"charge_id": charge["id"], "attempt": attempt, "key": key}
    )
    try:
        payment = await provider.charge_saved(
            customer=charge["customer_ref"],
            payment_method=charge["payment_method_ref"],
            amount=int(charge["amount"]),
            currency=charge["currency"],
            idempotency_key=key,
            description=f"{_WHAT[charge['kind']]} of booking {charge['reference']}",
            metadata={"booking": charge["reference"], "charge_id": str(charge["id"])},
        )
    except PaymentUnavailable as exc:
        await _later(conn, charge["id"], UNANSWERED_RETRY_SECONDS, str(exc), finished=False)
        return "unanswered"
    except ChargeRefused as refusal:
        await _attempt(conn, charge["id"], attempt, "refused", refusal.payment_id, refusal.code)
        return await _refused(conn, charge, refusal, site)
    await _attempt(conn, charge["id"], attempt, "succeeded", payment.id, None)
    return await record_success(conn, provider, charge["id"], charge["reservation_id"], payment)


async def _attempt(
    conn: Conn, charge_id: UUID, attempt: int, status: str, ref: str | None, code: str | None
) -> None:
    await conn.execute(
        queries("payments")["attempt_done"],
        {
            "charge_id": charge_id,
            "attempt": attempt,
            "status": status,
            "payment_ref": ref,
            "error_code": code,
        },
    )


async def _later(conn: Conn, charge_id: UUID, seconds: int, error: str, *, finished: bool) -> None:
    await conn.execute(
        queries("payments")["charge_later"],
        {"id": charge_id, "after_seconds": seconds, "error": error, "finished": finished},
    )


async def record_success(
    conn: Conn, provider: PaymentProvider, charge_id: UUID, booking_id: UUID, payment: Payment
) -> str:
    """Note a charge taken; refund it at once if the booking was cancelled meanwhile (no
    payment kept without a booking). The guest gets a receipt for a balance, once."""
    q = queries("payments")
    async with conn.transaction():
        cur = await conn.execute(
            q["charge_succeeded"], {"id": charge_id, "payment_ref": payment.id}
        )
        taken = await cur.fetchone()
        if taken is not None:
            await conn.execute(
                q["booking_payment_status"], {"id": booking_id, "payment_status": "paid"}
            )
            if taken["first"] and taken["kind"] == "balance":
                mail = await booking_for_mail(conn, booking_id)
                await enqueue(conn, booking_id, balance_charged(mail, int(taken["amount"])))
    if taken is None:
        return await _give_back(conn, provider, charge_id, payment)
    return "succeeded"


async def _give_back(
    conn: Conn, provider: PaymentProvider, charge_id: UUID, payment: Payment
) -> str:
    """A charge the provider took for a booking cancelled meanwhile (no payment kept
    without a booking): written down with its payment first, then refunded."""
    q = queries("payments")
    cur = await conn.execute(
        q["charge_taken_late"],
        {"id": charge_id, "payment_ref": payment.id, "amount": payment.amount},
    )
    if await cur.fetchone() is not None:
        log.warning("charge %s taken when no longer wanted: refunding", charge_id)
        return await _refund_late(conn, provider, charge_id, payment.id, payment.amount)
    found = await (await conn.execute(q["charge_by_id"], {"id": charge_id})).fetchone()
    if found is not None and found["payment_ref"] != payment.id:
        # Not the payment the charge keeps (none should be: every attempt has its key):
        # a second one is given back under a key of its own.
        await provider.refund(
            payment.id, payment.amount, idempotency_key=stray_refund_key(payment.id)
        )
        log.warning("charge %s: second payment %s refunded", charge_id, payment.id)
    return "refunded"  # else a replay of the payment being given back


async def _refund_late(
    conn: Conn, provider: PaymentProvider, charge_id: UUID, payment_ref: str, amount: int
) -> str:
    try:
        refund = await provider.refund(
            payment_ref, amount, idempotency_key=charge_refund_key(charge_id)
        )
    except PaymentUnavailable as exc:
        cur = await conn.execute(
            queries("payments")["charge_not_given_back"], {"id": charge_id, "error": str(exc)}
        )
        tried = await cur.fetchone()
        # Asked again every run; loud once it keeps failing (the provider may refuse it
        # for good: a disputed payment, say), for whoever runs the service to settle it.
        many = tried is not None and int(tried["refund_tries"]) >= LATE_REFUND_TRIES
        report = log.error if many else log.warning
        report("refund of charge %s not made yet (%s): asked again next run", charge_id, exc)
        return "refund_pending"
    await conn.execute(
        queries("payments")["charge_given_back"], {"id": charge_id, "refund_ref": refund.id}
    )
    return "refunded"


async def refund_late_charges(
    conn: Conn, provider: PaymentProvider, limit: int = BATCH
) -> dict[str, str]:
    """Ask again for the refunds of charges taken after their booking was cancelled that
    the provider did not answer (``refunding`` for a minute, so not one being asked now;
    two workers asking at once send the same key, and the provider refunds once)."""
    cur = await conn.execute(queries("payments")["charges_to_give_back"], {"limit": limit})
    return {
        str(row["id"]): await _refund_late(
            conn, provider, row["id"], row["payment_ref"], int(row["amount"])
        )
        for row in await cur.fetchall()
    }


async def _refused(conn: Conn, charge: dict[str, Any], refusal: ChargeRefused, site: str) -> str:
    """A decline or a request to authenticate: retry later, ask the guest, or give up."""
    charge_id, tries = charge["id"], int(charge["tries"])
    if refusal.soft and tries < len(SOFT_RETRY_SECONDS):
        await _later(conn, charge_id, SOFT_RETRY_SECONDS[tries], refusal.code, finished=True)
        return "retry_later"
    q = queries("payments")
    status = "requires_action" if refusal.needs_guest else "balance_due"
    async with conn.transaction():
        cur = await conn.execute(
            q["charge_stopped"],
            {
                "id": charge_id,
                "status": status,
                "payment_ref": refusal.payment_id,
                "error": refusal.code,
            },
        )
        if await cur.fetchone() is None:
            return "canceled"
        booking_id, amount = charge["reservation_id"], int(charge["amount"])
        mail = await booking_for_mail(conn, booking_id)
        if refusal.needs_guest:
            link = await open_link(
                conn,
                site,
                reservation_id=booking_id,
                charge_id=charge_id,
                purpose="authenticate",
            )
            await enqueue(conn, booking_id, balance_needs_guest(mail, amount, link))
            return status
        await conn.execute(
            q["booking_payment_status"], {"id": booking_id, "payment_status": "balance_due"}
        )
        await enqueue(conn, booking_id, balance_due_owner(mail, amount, refusal.code))
        if refusal.payment_id and charge["kind"] == "balance":
            # The guest may pay that same payment with another card, on their link.
            link = await open_link(
                conn,
                site,
                reservation_id=booking_id,
                charge_id=charge_id,
                purpose="pay_balance",
            )
            await enqueue(conn, booking_id, balance_failed_guest(mail, amount, link))
    return status


async def charge_for_guest(conn: Conn, charge_id: UUID, key: str | None) -> dict[str, Any]:
    """The charge ``charge_id`` if ``key`` is the key of a live link for paying it;
    `NotFound` otherwise."""
    await check_charge_key(conn, charge_id, key)
    cur = await conn.execute(queries("payments")["charge_by_id"], {"id": charge_id})
    row = await cur.fetchone()
    if row is None:
        raise NotFound("No such payment, or the link's key does not match it.")
    return dict(row)


#: A charge the guest may still pay on their link: the bank wants them to confirm it, or
#: the saved card failed and another card may pay it.
GUEST_MAY_PAY = ("requires_action", "balance_due")


async def settle_guest_action(conn: Conn, provider: PaymentProvider, charge: dict[str, Any]) -> str:
    """After the guest confirmed the payment on the link (Stripe.js, or the demo's button):
    read THAT PaymentIntent and record it if it went through."""
    if charge["status"] == "succeeded":
        return "succeeded"
    waiting = charge["status"] in GUEST_MAY_PAY
    if charge["payment_ref"] and charge["status"] in (*GUEST_MAY_PAY, "canceled"):
        payment = await provider.retrieve(charge["payment_ref"])
        if payment.captured:
            # Taken after all: recorded, or refunded at once if the booking is gone.
            outcome = await record_success(
                conn, provider, charge["id"], charge["reservation_id"], payment
            )
            if outcome == "succeeded":
                return outcome
        elif waiting:
            return payment.status
    raise Conflict("This payment is not waiting for you.", code="not_awaiting_payment")


async def remind_balances(conn: Conn, site: str, limit: int = BATCH) -> int:
    """A week before a balance's day, e-mail its guest what will be charged and when, with
    the private link to the payment (once per balance: marked in the same transaction)."""
    async with conn.transaction():
        cur = await conn.execute(queries("payments")["balances_to_remind"], {"limit": limit})
        due = await cur.fetchall()
        for charge in due:
            link = await open_link(
                conn,
                site,
                reservation_id=charge["reservation_id"],
                charge_id=charge["id"],
                purpose="update_card",
            )
            mail = await booking_for_mail(conn, charge["reservation_id"])
            message = balance_reminder(mail, int(charge["amount"]), charge["due_on"], link)
            await enqueue(conn, charge["reservation_id"], message)
    return len(due)


async def balance_job(pool: Pool, provider: PaymentProvider, settings: Settings) -> dict[str, str]:
    """The background job: remind guests a week ahead, charge the balances that are due,
    then record payments guests confirmed on their link (in case their page did not)."""
    async with pool.connection() as conn:
        await remind_balances(conn, site_url(settings))
        outcomes = await charge_due_balances(conn, provider, site_url(settings))
        outcomes |= await refund_late_charges(conn, provider)
        cur = await conn.execute(
            queries("payments")["charges_awaiting_guest"], {"quiet_seconds": 60, "limit": BATCH}
        )
        for row in await cur.fetchall():
            found = await conn.execute(queries("payments")["charge_by_id"], {"id": row["id"]})
            charge = await found.fetchone()
            if charge is None:
                continue
            try:
                outcomes[str(row["id"])] = await settle_guest_action(conn, provider, charge)
            except PaymentUnavailable as exc:
                log.warning("balance job: charge %s not checked: %s", row["id"], exc)
        return outcomes


def no_show_limit(row: NoShowTarget) -> int:
    """The most a no-show fee may be: what the booking's cancellation policy keeps of the
    stay's total once free cancellation is over."""
    total = stay_money(row.quote, row.group_quotes).total  # a group: every room's
    return total * (100 - row.cancellation_policy.refund_percent) // 100


def _check_no_show(found: dict[str, Any] | None, reference: str, amount: int) -> NoShowTarget:
    """The booking a no-show fee may be charged to, or `Invalid` / `NotFound` saying why."""
    if found is None:
        raise NotFound(f"No booking {reference}.")
    row = decoded(found, NoShowTarget)
    guarantee = row.payment_terms is not None and row.payment_terms.card_guarantee
    if row.status != "confirmed":
        raise Invalid(f"Booking {reference} is {row.status}.", field="reference")
    if not (guarantee and row.payment_method_ref):
        raise Invalid(f"Booking {reference} has no card kept as a guarantee.", field="reference")
    if row.today < row.check_in:
        raise Invalid(
            f"Booking {reference} arrives on {row.check_in}; a no-show fee can "
            "be charged from that day.",
            field="reference",
        )
    limit = no_show_limit(row)
    if not 0 < amount <= limit:
        raise Invalid(
            f"The fee must be more than 0 and at most {limit} (minor units), what "
            "the booking's cancellation policy keeps.",
            field="amount",
        )
    return row


async def charge_no_show(
    conn: Conn, provider: PaymentProvider, reference: str, amount: int, reason: str, site: str
) -> str:
    """Charge a no-show fee of ``amount`` to the card a pay-at-property booking keeps as a
    guarantee, within its cancellation policy; once per booking (a second call reports the
    first charge's outcome, or retries its unanswered attempt under the same key)."""
    cur = await conn.execute(queries("payments")["no_show_target"], {"reference": reference})
    row = _check_no_show(await cur.fetchone(), reference, amount)
    await conn.execute(
        queries("payments")["open_no_show"],
        {
            "charge_id": uuid4(),
            "id": row.id,
            "amount": amount,
            "reason": reason,
            "lease_seconds": LEASE_SECONDS,
        },
    )
    cur = await conn.execute(
        queries("payments")["charge_to_take"], {"id": row.id, "kind": "no_show"}
    )
    charge = await cur.fetchone()
    assert charge is not None  # just written, or written before
    if charge["status"] != "scheduled":
        return str(charge["status"])
    return await take(conn, provider, charge, site)


async def charge_balance_now(
    conn: Conn, provider: PaymentProvider, reference: str, site: str
) -> str:
    """Charge a deposit booking's balance now rather than on its day (the guest asked to
    settle), through the job's own lease, attempt and key: never twice, whoever runs first.
    The outcome (``succeeded`` again for a balance already paid); `NotFound` or `Invalid`
    when the booking has no balance to charge."""
    q = queries("payments")
    cur = await conn.execute(
        q["claim_balance_now"], {"reference": reference, "lease_seconds": LEASE_SECONDS}
    )
    charge = await cur.fetchone()
    if charge is not None:
        return await take(conn, provider, charge, site)
    cur = await conn.execute(q["no_show_target"], {"reference": reference})
    booking = await cur.fetchone()
    if booking is None:
        raise NotFound(f"No booking {reference}.")
    cur = await conn.execute(q["charge_to_take"], {"id": booking["id"], "kind": "balance"})
    balance = await cur.fetchone()
    if balance is None:
        raise Invalid(f"Booking {reference} has no balance to charge.", field="reference")
    if balance["status"] == "scheduled":  # leased: a worker is charging it this moment
        return "unanswered"
    return str(balance["status"])
