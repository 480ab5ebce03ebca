"""Changing a confirmed booking's dates from the console: priced again as the widget would
price the new stay (same room type, party, rate plan, extras and promo code), shown first,
then done in one transaction fenced by the booking's version, where the exclusion
constraint decides whether the unit has the new nights (a refusal names what is in the
way). What is paid online changes by the difference: a scheduled balance absorbs it; else
a smaller amount is refunded through the provider from the payment taken at booking, a
larger one charged to the card the rate plan saved, or, without one, left "balance due"
with a payment link e-mailed to the guest. A stay paid at the property only changes what
is due there. Every provider call has a key derived from the change, so nothing is paid or
refunded twice.

A booking of several rooms changes the dates of every room still booked at once: each room
is priced again under its own plan, the difference is the rooms' together (settled as for
one room, on the group's one payment and balance), and every row moves in the one
transaction, so the constraint refuses them all or none; a refusal names each clash."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import msgspec
from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb

from engine import Quote, quote_to_builtins
from widget.db import Conn
from widget.errors import Amount, Conflict, Invalid, NotFound, Said
from widget.inventory.catalogue import Catalogue, party
from widget.inventory.quoting import Choices, quote
from widget.mail.compose import dates_changed
from widget.mail.outbox import booking_for_mail, enqueue
from widget.payments.balance import LEASE_SECONDS, take
from widget.payments.booking_file import UnitTaken, clash_named, clashes_said
from widget.payments.keys import date_change_refund_key
from widget.payments.provider import PaymentProvider, PaymentUnavailable, RefundRefused
from widget.payments.room_money import RoomMoney, rooms_after_change
from widget.sql import queries
from widget.tokens import new_token, token_hash

log = logging.getLogger(__name__)


class RoomTarget(msgspec.Struct, frozen=True):
    """One room of a group still booked, as a date change reads it."""

    id: UUID
    position: int
    unit_id: int
    unit: str
    room_type: str
    room_type_name: str
    adults: int | None
    children: list[int] | None
    quote: Quote
    #: What was actually taken for the room so far (``room_paid``).
    paid: int = 0


class ChangeTarget(msgspec.Struct, frozen=True):
    """The booking as a date change reads it (``console.sql`` ``date_change_target``)."""

    id: UUID
    property_id: int
    reference: str
    version: int
    status: str
    unit_id: int
    #: A booking of several rooms (its rooms' dates change together).
    in_group: bool
    unit: str
    check_in: date
    check_out: date
    adults: int | None
    children: list[int]
    quote: Quote
    promo_code: str | None
    payment_provider: str | None
    payment_ref: str | None
    customer_ref: str | None
    payment_method_ref: str | None
    room_type: str
    currency: str
    first_payment: int
    balance_id: UUID | None
    balance_amount: int | None
    #: What an earlier change still waits to be paid (by the guest's link).
    change_owed: int
    today: date
    #: What rooms of a group cancelled alone got back from the payment at booking.
    given_back: int = 0
    #: A group's rooms still booked, the first included, in the guest's order.
    rooms: list[RoomTarget] | None = None

    @property
    def old_quotes(self) -> list[Quote]:
        """The quotes whose stay changes: every room still booked (one for most bookings)."""
        return [room.quote for room in self.rooms] if self.rooms else [self.quote]

    @property
    def saved_card(self) -> bool:
        return bool(self.customer_ref and self.payment_method_ref)


@dataclass(frozen=True)
class DateChange:
    """What changing the dates would do: the new quote and how the difference is settled."""

    target: ChangeTarget
    #: The first (or only) room's new quote.
    quote: Quote
    #: What is paid online changes by this much (> 0 the guest owes it, < 0 given back).
    difference: int
    #: none, refund, saved_card, link, balance, at_property
    settlement: str
    #: What moves through the provider or the link now (the refund or the charge).
    amount: int
    #: What the scheduled balance becomes (settlement "balance", or 0 when it is dropped).
    balance: int | None
    #: What is in the way on the booking's unit, if anything (the change would be refused).
    clash: str | None
    #: Every room's new quote, in the order of ``target.rooms`` (one for most bookings).
    quotes: list[Quote]
    #: ``clash`` as data, to be said in the owner's language.
    clash_said: list[Said] = field(default_factory=list)

    @property
    def old_total(self) -> int:
        return sum(q.total for q in self.target.old_quotes)

    @property
    def balance_dropped(self) -> int | None:
        """The scheduled balance the change cancels (None: it keeps one, or had none)."""
        if self.balance == 0 and self.target.balance_id is not None:
            return self.target.balance_amount
        return None

    @property
    def new_total(self) -> int:
        return sum(q.total for q in self.quotes)

    @property
    def price_key(self) -> str:
        """What the preview's form carries back: the quote hash of every room's new price,
        so a price that moved since is shown again rather than charged."""
        if len(self.quotes) == 1:
            return self.quotes[0].quote_hash
        joined = ",".join(q.quote_hash for q in self.quotes)
        return hashlib.sha256(joined.encode()).hexdigest()

    @property
    def check_in(self) -> date:
        return self.quote.check_in

    @property
    def check_out(self) -> date:
        return self.quote.check_out


async def change_target(conn: Conn, property_id: int, reference: str) -> ChangeTarget:
    """Booking ``reference`` of ``property_id`` (`NotFound` for another property's)."""
    cur = await conn.execute(
        queries("console")["date_change_target"],
        {"reference": reference, "property_id": property_id},
    )
    row = await cur.fetchone()
    if row is None:
        raise NotFound("There is no such booking.")
    return msgspec.convert(row, ChangeTarget)


def _settlement(target: ChangeTarget, difference: int) -> tuple[str, int, int | None]:
    """How ``difference`` is settled: (settlement, amount moved now, new balance)."""
    if target.payment_provider == "property":
        return "at_property", 0, None
    if difference == 0:
        return "none", 0, None
    if target.balance_id is not None and target.balance_amount is not None:
        balance = target.balance_amount + difference
        if balance > 0:
            return "balance", 0, balance
        difference, left = balance, 0  # the balance is dropped; the rest comes back
        if difference == 0:
            return "balance", 0, left
    if difference > 0:
        return ("saved_card" if target.saved_card else "link"), difference, None
    if not target.payment_ref or -difference > target.first_payment - target.given_back:
        raise Invalid(
            "the new dates give back more than the payment taken at booking still holds; "
            "cancel the booking with a chosen refund instead",
            field="check_in",
            said=Said("dates_refund_too_large"),
        )
    balance_left = 0 if target.balance_id is not None else None
    return "refund", -difference, balance_left


async def plan_date_change(
    conn: Conn, catalogue: Catalogue, target: ChangeTarget, check_in: date, check_out: date
) -> DateChange:
    """Price the new stay and say what changing to it would do; nothing is changed."""
    if target.status != "confirmed":
        raise Conflict("Only a confirmed booking can change its dates.", code="not_changeable")
    if target.change_owed:
        raise Conflict(
            f"The last change of dates is still due from the guest ({target.change_owed} "
            f"{target.currency} minor units); change the dates again once it is paid, or "
            "cancel the booking.",
            code="change_unpaid",
            said=Said("change_still_due", {"amount": Amount(target.change_owed, target.currency)}),
        )
    rooms = _rooms(target)
    quotes = [
        await _quote_again(conn, catalogue, target, room, check_in, check_out) for room in rooms
    ]
    difference = sum(q.online_total for q in quotes) - sum(
        q.online_total for q in target.old_quotes
    )
    settlement, amount, balance = _settlement(target, difference)
    clashes = [
        (room, await _in_the_way_rows(conn, target, check_in, check_out, room)) for room in rooms
    ]
    # A group's clashes say whose unit each is on.
    clash = (
        "; ".join(
            f"{room.unit}: {_named(rows)}" if room else _named(rows)
            for room, rows in clashes
            if rows
        )
        or None
    )
    said: list[Said] = []
    for room, rows in clashes:
        if rows and room:
            said.append(Said("unit_clashes", {"unit": room.unit, "clashes": clashes_said(rows)}))
        elif rows:
            said.extend(clashes_said(rows))
    return DateChange(
        target,
        quotes[0],
        difference,
        settlement,
        amount,
        balance,
        clash,
        quotes,
        said,
    )


def _named(rows: list[dict[str, Any]]) -> str:
    return "; ".join(clash_named(row) for row in rows)


def _rooms(target: ChangeTarget) -> list[RoomTarget | None]:
    """The rooms whose dates change: a group's rooms still booked, else the one (None)."""
    return list(target.rooms) if target.rooms else [None]


async def _quote_again(
    conn: Conn,
    catalogue: Catalogue,
    target: ChangeTarget,
    room: RoomTarget | None,
    check_in: date,
    check_out: date,
) -> Quote:
    """The room (a group's ``room``, else the booking's one) priced for the new stay as it
    is sold today: the same room type, party, plan, extras, inputs and promo code."""
    old = room.quote if room else target.quote
    choices = Choices(rate_plan=old.rate_plan, extras=dict(old.extras), inputs=dict(old.inputs))
    room_type = room.room_type if room else target.room_type
    adults = room.adults if room else target.adults
    children = list((room.children if room else target.children) or [])
    return await quote(
        conn,
        catalogue,
        room_type,
        check_in,
        check_out,
        party(adults or 1, children),
        target.promo_code,
        target.today,
        choices,
    )


async def _in_the_way_rows(
    conn: Conn,
    target: ChangeTarget,
    check_in: date,
    check_out: date,
    room: RoomTarget | None = None,
) -> list[dict[str, Any]]:
    """What is in the way of the new nights on the unit of ``room`` (else the booking's)."""
    unit_id, own = (room.unit_id, room.id) if room else (target.unit_id, target.id)
    cur = await conn.execute(
        queries("console")["in_the_way_of_move"],
        {"unit_id": unit_id, "id": own, "check_in": check_in, "check_out": check_out},
    )
    return list(await cur.fetchall())


def _not_free(unit: str, rows: list[dict[str, Any]]) -> Said:
    return Said("unit_not_free", {"unit": unit, "clashes": clashes_said(rows)})


async def change_dates(
    conn: Conn,
    provider: PaymentProvider,
    change: DateChange,
    *,
    actor: str,
    site: str,
) -> str:
    """Change the booking's dates as ``change`` showed; returns how the difference was
    settled (``refunded``, ``charged``, ``link_sent``, …). `UnitTaken` names the clash."""
    change_id = uuid4()
    target = change.target
    try:
        async with conn.transaction():
            await _write_change(conn, change, change_id, actor, site)
    except pg_errors.ExclusionViolation:
        if not target.rooms:
            rows = await _in_the_way_rows(conn, target, change.check_in, change.check_out)
            raise UnitTaken(
                f"{target.unit} is not free for these dates: "
                f"{_named(rows) or 'another reservation'}.",
                field="check_in",
                said=Said("dates_taken", {"rooms": [_not_free(target.unit, rows)]}),
            ) from None
        in_the_way = [
            (room.unit, rows)
            for room in target.rooms
            if (
                rows := await _in_the_way_rows(
                    conn, target, change.check_in, change.check_out, room
                )
            )
        ]
        named = [f"{unit} is not free for these dates: {_named(rows)}" for unit, rows in in_the_way]
        said = [_not_free(unit, rows) for unit, rows in in_the_way] or [Said("a_room_not_free")]
        raise UnitTaken(
            ("; ".join(named) or "a room is not free for these dates") + ".",
            field="check_in",
            said=Said("dates_taken", {"rooms": said}),
        ) from None
    return await _settle(conn, provider, change, change_id, site)


async def _write_change(
    conn: Conn, change: DateChange, change_id: UUID, actor: str, site: str
) -> None:
    """The new stay and quote, the change's record, the balance or charge that follows and
    the guest's e-mail, all in the caller's transaction."""
    q, target, new = queries("console"), change.target, change.quote
    for unit_id in [room.unit_id for room in target.rooms or []] or [target.unit_id]:
        await conn.execute(
            q["expire_lapsed_holds_of_unit"],
            {"unit_id": unit_id, "check_in": new.check_in, "check_out": new.check_out},
        )
    refund = change.amount if change.settlement == "refund" else 0
    # A group's rooms: what each has paid and owes at the new prices (migration 0036).
    money: list[RoomMoney | None] = [None]
    if target.rooms:
        money = list(
            rooms_after_change(
                [room.paid for room in target.rooms],
                [q.online_total for q in change.quotes],
                refund,
            )
        )
    cur = await conn.execute(
        q["change_stay"],
        {
            "id": target.id,
            "version": target.version,
            "property_id": target.property_id,
            "check_in": new.check_in,
            "check_out": new.check_out,
            "quote": Jsonb(quote_to_builtins(new)),
            "quote_hash": new.quote_hash,
            "first_payment": target.first_payment - refund,
            "first_payment_before": target.first_payment,
            "room_taken": money[0].taken if money[0] else None,
            "room_owed": money[0].owed if money[0] else None,
        },
    )
    if await cur.fetchone() is None:
        raise Conflict("The booking changed meanwhile; please reload.", code="stale")
    for room, room_quote, room_money in list(
        zip(target.rooms or [], change.quotes, money, strict=False)
    )[1:]:
        assert room_money is not None  # a group's rooms each have theirs
        cur = await conn.execute(
            q["change_group_room_stay"],
            {
                "id": room.id,
                "group_id": target.id,
                "check_in": room_quote.check_in,
                "check_out": room_quote.check_out,
                "quote": Jsonb(quote_to_builtins(room_quote)),
                "quote_hash": room_quote.quote_hash,
                "room_taken": room_money.taken,
                "room_owed": room_money.owed,
            },
        )
        if await cur.fetchone() is None:  # fenced by the first room's version, above
            raise Conflict("The booking changed meanwhile; please reload.", code="stale")
    await conn.execute(
        q["record_date_change"],
        {
            "id": change_id,
            "reservation_id": target.id,
            "from_version": target.version,
            "old_check_in": target.check_in,
            "old_check_out": target.check_out,
            "check_in": new.check_in,
            "check_out": new.check_out,
            "old_total": change.old_total,
            "new_total": change.new_total,
            "difference": change.difference,
            "settlement": change.settlement,
            "status": "pending" if change.amount else "done",
            "actor": actor,
            # What moves (not the price difference: a dropped balance took part of it).
            "amount": change.amount,
            "balance_dropped": change.balance_dropped,
        },
    )
    if change.balance is not None and target.balance_id is not None:
        cur = await conn.execute(
            q["balance_follows_change"], {"id": target.balance_id, "amount": change.balance}
        )
        if await cur.fetchone() is None:
            # A worker is taking the balance this moment: its amount cannot change under it
            # (the whole change rolls back).
            raise Conflict(
                "The balance is being taken just now; please try again in a few minutes.",
                code="balance_busy",
            )
    link = await _open_charge(conn, change, change_id, site)
    mail = await booking_for_mail(conn, target.id)
    await enqueue(
        conn,
        target.id,
        dates_changed(
            mail,
            target.check_in,
            target.check_out,
            change.settlement,
            change.amount,
            link,
            total=change.new_total,
        ),
    )


async def _open_charge(conn: Conn, change: DateChange, change_id: UUID, site: str) -> str | None:
    """The charge for what the change costs more; the guest's payment link, if they are
    to pay it themselves."""
    if change.settlement not in ("saved_card", "link"):
        return None
    by_link = change.settlement == "link"
    await conn.execute(
        queries("console")["open_change_charge"],
        {
            "id": change_id,
            "reservation_id": change.target.id,
            "amount": change.amount,
            "status": "balance_due" if by_link else "scheduled",
            "reason": f"dates changed to {change.check_in} – {change.check_out}",
            "lease_seconds": LEASE_SECONDS,
        },
    )
    if not by_link:
        return None
    await conn.execute(
        queries("payments")["booking_payment_status"],
        {"id": change.target.id, "payment_status": "balance_due"},
    )
    key = new_token()
    await conn.execute(
        queries("payments")["keep_link_token"], {"id": change_id, "token_hash": token_hash(key)}
    )
    # The guest's payment page (/pay/{charge}) reads the charge through /api/v1/charges.
    return f"{site.rstrip('/')}/pay/{change_id}?key={key}"


async def _settle(
    conn: Conn, provider: PaymentProvider, change: DateChange, change_id: UUID, site: str
) -> str:
    """After the commit: move the money the change showed (never twice: keyed by it)."""
    q = queries("console")
    target = change.target
    if change.settlement == "refund":
        assert target.payment_ref is not None  # `_settlement` refuses a refund without one
        return await _refund(conn, provider, change_id, target.payment_ref, change.amount)
    if change.settlement == "saved_card":
        cur = await conn.execute(q["change_charge_to_take"], {"id": change_id})
        charge: dict[str, Any] | None = await cur.fetchone()
        assert charge is not None  # written in the change's transaction
        outcome = await take(conn, provider, charge, site)
        status = "done" if outcome == "succeeded" else "failed"
        await conn.execute(
            q["date_change_settled"], {"id": change_id, "status": status, "payment_ref": None}
        )
        return "charged" if outcome == "succeeded" else f"charge_{outcome}"
    return {"link": "link_sent"}.get(change.settlement, change.settlement)


async def _refund(
    conn: Conn, provider: PaymentProvider, change_id: UUID, payment_ref: str, amount: int
) -> str:
    """Give back a change's refund under its key. A refusal is final (``failed``: the
    payment still holds it, and the console says so); no answer (a time-out, which may have
    been made) leaves it ``pending`` for the reconciler to ask again, same key and amount."""
    q = queries("console")
    try:
        made = await provider.refund(
            payment_ref, amount, idempotency_key=date_change_refund_key(change_id)
        )
    except RefundRefused as exc:
        log.warning("date change %s: refund refused: %s", change_id, exc)
        await conn.execute(
            q["date_change_settled"], {"id": change_id, "status": "failed", "payment_ref": None}
        )
        return "refund_failed"
    except PaymentUnavailable as exc:
        log.warning("date change %s: refund not answered, asked again later: %s", change_id, exc)
        await conn.execute(q["change_refund_unanswered"], {"id": change_id, "error": str(exc)})
        return "refund_pending"
    await conn.execute(
        q["date_change_settled"], {"id": change_id, "status": "done", "payment_ref": made.id}
    )
    return "refunded"


async def refund_pending_changes(
    conn: Conn, provider: PaymentProvider, limit: int = 20
) -> dict[str, str]:
    """The reconciler's pass: ask again for the changes' refunds still ``pending`` (not
    answered, or the worker stopped before asking), under their keys; one still pending a
    day on is no longer asked (the provider has forgotten the key) and is logged as an
    error, for whoever runs the service to check at the provider."""
    q = queries("console")
    cur = await conn.execute(q["change_refunds_too_old"])
    for row in await cur.fetchall():
        log.error(
            "date change %s of booking %s: refund not answered within a day; "
            "check the payment at the provider and settle it by hand",
            row["id"],
            row["reservation_id"],
        )
    cur = await conn.execute(
        q["claim_change_refunds"], {"limit": limit, "lease_seconds": LEASE_SECONDS}
    )
    return {
        str(row["id"]): await _refund(
            conn, provider, row["id"], row["payment_ref"], int(row["amount"])
        )
        for row in await cur.fetchall()
    }
