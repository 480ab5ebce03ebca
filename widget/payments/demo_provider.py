"""The demo provider: no network, no keys, no money. It authorises at checkout (unless the
guest's test card declines or asks for the bank's check), so the demo and the end-to-end
tests complete a booking offline; its ledger is a table in Postgres,
shared by every worker. Refused at start-up in production and beside a live Stripe key."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import dict_row

from widget.payments.provider import (
    TEST_CARDS,
    ChargeRefused,
    DemoCheckoutOut,
    Payment,
    PaymentsPage,
    PaymentUnavailable,
    Refund,
    RefundRefused,
    Started,
)
from widget.sql import queries
from widget.tokens import new_token


def _payment(row: dict[str, Any]) -> Payment:
    customer = row.get("customer")
    return Payment(
        id=row["id"],
        status=row["status"],
        amount=int(row["amount"]),
        currency=row["currency"],
        hold_id=None if row["hold_id"] is None else str(row["hold_id"]),
        amount_received=int(row["amount_received"]),
        customer=customer,
        # The demo keeps one test card per customer: the card is named after it.
        payment_method=None if customer is None else f"demo_pm_{customer}",
    )


#: What charging each test card does: the payment's status and the decline code.
_OUTCOMES: dict[str, tuple[str, str | None]] = {
    "success": ("succeeded", None),
    "decline": ("requires_payment_method", "card_declined"),
    "insufficient_funds": ("requires_payment_method", "insufficient_funds"),
    "authentication_required": ("requires_action", "authentication_required"),
}


#: What authorising with each test card does while the guest is there (on session).
_AUTHORISED: dict[str, tuple[str, str | None]] = {
    "success": ("requires_capture", None),
    "decline": ("requires_payment_method", "card_declined"),
    "insufficient_funds": ("requires_payment_method", "insufficient_funds"),
    "authentication_required": ("requires_action", None),
}


class DemoProvider:
    """`PaymentProvider` whose payments are rows of ``demo_payment``; plainly a test payment."""

    name = "demo"

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    async def _one(self, query: str, params: dict[str, Any]) -> Payment:
        # Its own short connection, as a card network is outside the service: never a second
        # connection from the pool while the request holds one (that can deadlock the pool).
        async with await psycopg.AsyncConnection.connect(
            self.database_url, autocommit=True, row_factory=dict_row, prepare_threshold=None
        ) as conn:
            cur = await conn.execute(queries("payments")[query], params)
            row = await cur.fetchone()
        if row is None:
            raise PaymentUnavailable(f"demo payment {params.get('id')!r} not found")
        return _payment(row)

    async def _row(self, query: str, params: dict[str, Any]) -> dict[str, Any] | None:
        async with await psycopg.AsyncConnection.connect(
            self.database_url, autocommit=True, row_factory=dict_row, prepare_threshold=None
        ) as conn:
            cur = await conn.execute(queries("payments")[query], params)
            return await cur.fetchone()

    async def authorise(
        self,
        *,
        hold_id: UUID,
        amount: int,
        currency: str,
        idempotency_key: str,
        description: str,
        customer: str | None = None,
        test_card: str | None = None,
    ) -> Payment:
        # The guest is there: a declining card is refused now, one that asks for the
        # bank's check waits for it (`bank_check`); tried again, the same payment is.
        status, code = _AUTHORISED.get(test_card or "success", _AUTHORISED["success"])
        payment = await self._one(
            "demo_authorise",
            {
                "id": "demo_pi_" + new_token()[:24],
                "key": idempotency_key,
                "hold_id": hold_id,
                "amount": amount,
                "currency": currency,
                "status": status,
                "error_code": code,
            },
        )
        if customer is not None:  # the card is saved on the customer for later charges
            payment = await self._one("demo_set_customer", {"id": payment.id, "customer": customer})
        if payment.status == "requires_payment_method":
            row = await self._row("demo_payment", {"id": payment.id})
            raise ChargeRefused(str(row and row["error_code"]), payment.id)
        return payment

    async def bank_check(self, payment_id: str, *, passed: bool) -> Payment:
        """The demo bank's check of an authorisation waiting for it (Stripe's 3-D Secure):
        passed, the money is reserved; cancelled, the payment waits for another card."""
        await self._row("demo_bank_check", {"id": payment_id, "passed": passed})
        return await self.retrieve(payment_id)

    async def customer(
        self, *, name: str, email: str, idempotency_key: str, test_card: str | None = None
    ) -> str:
        row = await self._row(
            "demo_customer",
            {
                "id": "demo_cus_" + new_token()[:20],
                "key": idempotency_key,
                "scenario": test_card if test_card in TEST_CARDS else "success",
            },
        )
        assert row is not None  # an upsert returns its row
        return str(row["id"])

    async def setup_card(self, *, hold_id: UUID, customer: str, idempotency_key: str) -> Payment:
        # The demo's card is saved at once; the SetupIntent is named after its customer.
        return await self.retrieve_setup(f"demo_seti_{customer}_{hold_id}")

    async def retrieve_setup(self, setup_id: str) -> Payment:
        customer, _, hold_id = setup_id.removeprefix("demo_seti_").rpartition("_")
        return Payment(
            id=setup_id,
            status="succeeded",
            amount=0,
            currency="",
            hold_id=hold_id,
            customer=customer,
            payment_method=f"demo_pm_{customer}",
        )

    async def charge_saved(
        self,
        *,
        customer: str,
        payment_method: str | None,
        amount: int,
        currency: str,
        idempotency_key: str,
        description: str,
        metadata: dict[str, str],
    ) -> Payment:
        found = await self._row("demo_scenario", {"customer": customer})
        status, code = _OUTCOMES[found["scenario"] if found else "decline"]
        payment = await self._one(
            "demo_charge_saved",
            {
                "id": "demo_pi_" + new_token()[:24],
                "key": idempotency_key,
                "amount": amount,
                "currency": currency,
                "status": status,
                "customer": customer,
                "error_code": code,
            },
        )
        if payment.status != "succeeded":
            row = await self._row("demo_payment", {"id": payment.id})
            raise ChargeRefused(str(row and row["error_code"]), payment.id)
        return payment

    async def start_payment(
        self,
        *,
        customer: str | None,
        amount: int,
        currency: str,
        idempotency_key: str,
        description: str,
        metadata: dict[str, str],
    ) -> Payment:
        return await self._one(
            "demo_start_payment",
            {
                "id": "demo_pi_" + new_token()[:24],
                "key": idempotency_key,
                "amount": amount,
                "currency": currency,
                "customer": customer,
            },
        )

    async def authenticate(self, payment_id: str) -> Payment:
        """The demo's stand-in for the bank's check the guest passes on the payment link."""
        await self._row("demo_authenticate", {"id": payment_id})
        return await self.retrieve(payment_id)

    async def pay_with_card(self, payment_id: str, test_card: str) -> Payment:
        """The guest pays a waiting payment on their link with another test card: it goes
        through (once; a second call changes nothing) unless the card declines."""
        status, _code = _OUTCOMES.get(test_card, _OUTCOMES["decline"])
        if status != "requires_payment_method":  # on-session, the bank's check is passed
            await self._row("demo_pay_with_card", {"id": payment_id})
        return await self.retrieve(payment_id)

    async def save_card(self, customer: str, test_card: str) -> str:
        """The guest replaces the card kept on ``customer`` by ``test_card``; returns the
        saved card's id (the demo names it after its customer)."""
        scenario = test_card if test_card in TEST_CARDS else "success"
        if await self._row("demo_save_card", {"customer": customer, "scenario": scenario}) is None:
            raise PaymentUnavailable(f"demo customer {customer!r} not found")
        return f"demo_pm_{customer}"

    async def retrieve(self, payment_id: str) -> Payment:
        return await self._one("demo_payment", {"id": payment_id})

    async def capture(self, payment_id: str, *, idempotency_key: str) -> Payment:
        await self._one("demo_capture", {"id": payment_id})
        return await self.retrieve(payment_id)

    async def cancel(self, payment_id: str, *, idempotency_key: str) -> Payment:
        await self._one("demo_cancel", {"id": payment_id})
        return await self.retrieve(payment_id)

    async def refund(self, payment_id: str, amount: int, *, idempotency_key: str) -> Refund:
        try:
            payment = await self._one(
                "demo_refund", {"id": payment_id, "amount": amount, "key": idempotency_key}
            )
        except PaymentUnavailable as exc:  # the ledger is local: it answered, and will not
            raise RefundRefused(str(exc)) from exc
        return Refund(f"demo_re_{payment.id}", amount, "succeeded")

    async def payments_page(
        self, *, created_after: int, created_until: int, starting_after: str | None, limit: int
    ) -> PaymentsPage:
        # The ledger is this deployment's own database: every row is ours.
        async with await psycopg.AsyncConnection.connect(
            self.database_url, autocommit=True, row_factory=dict_row, prepare_threshold=None
        ) as conn:
            cur = await conn.execute(
                queries("payments")["demo_payments_page"],
                {
                    "created_after": created_after,
                    "created_until": created_until,
                    "starting_after": starting_after,
                    "limit": limit,
                },
            )
            rows = await cur.fetchall()
        page = [_payment(row) for row in rows[:limit]]
        return PaymentsPage(page, page[-1].id if page else None, len(rows) > limit)

    def checkout_answer(self, payment: Payment, started: Started) -> DemoCheckoutOut:
        if payment.status == "requires_action":
            return DemoCheckoutOut(
                started.hold_id, started.expires_at, started.amount, status="requires_action"
            )
        return DemoCheckoutOut(started.hold_id, started.expires_at, started.amount)
