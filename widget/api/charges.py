"""``/api/v1/charges/{id}``: a charge after booking (the balance) that waits for its guest,
read and confirmed through the private link e-mailed to them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import Parameter

from widget.api.responses import errors
from widget.errors import PaymentServiceDown
from widget.payments.balance import charge_for_guest, settle_guest_action
from widget.payments.demo_provider import DemoProvider
from widget.payments.provider import PaymentUnavailable
from widget.schemas import MoneyOut
from widget.state import DbDep, ServicesDep

LinkKey = Annotated[
    str | None,
    Parameter(
        query="key", description="The key of the link e-mailed to the guest.", required=False
    ),
]


class ChargeOut(msgspec.Struct, frozen=True, kw_only=True):
    """A charge after booking as its guest sees it on their link."""

    reference: str
    amount: MoneyOut
    due_on: date
    #: ``scheduled``, ``requires_action`` (confirm it), ``succeeded``, ``balance_due``,
    #: ``canceled``; ``refunding`` or ``refunded`` when it was taken after the booking was
    #: cancelled (it is given back).
    status: str
    #: The PaymentIntent to confirm (the very one the bank asked about).
    payment_id: str | None
    provider: str
    #: Stripe.js confirms the payment with these (Stripe only, while it waits).
    client_secret: str | None = None
    publishable_key: str | None = None


def _answer(charge: dict[str, Any], provider: Any, secret: str | None) -> ChargeOut:
    return ChargeOut(
        reference=charge["reference"],
        amount=MoneyOut(int(charge["amount"]), charge["currency"]),
        due_on=charge["due_on"],
        status=charge["status"],
        payment_id=charge["payment_ref"],
        provider=provider.name,
        client_secret=secret,
        publishable_key=getattr(provider, "publishable_key", None),
    )


class ChargeController(Controller):
    path = "/api/v1/charges"
    tags = ("bookings",)

    @get(
        "/{charge_id:uuid}", operation_id="getCharge", cache=False, responses=errors(404, 422, 503)
    )
    async def get_charge(
        self, db: DbDep, services: ServicesDep, charge_id: UUID, key: LinkKey = None
    ) -> ChargeOut:
        """The charge, if ``key`` is its link's key (404 otherwise)."""
        charge = await charge_for_guest(db, charge_id, key)
        secret = None
        if charge["status"] == "requires_action" and charge["payment_ref"]:
            try:
                secret = (await services.payments.retrieve(charge["payment_ref"])).client_secret
            except PaymentUnavailable as exc:
                raise PaymentServiceDown("The payment service did not answer.") from exc
        return _answer(charge, services.payments, secret)

    @post(
        "/{charge_id:uuid}/confirm",
        operation_id="confirmCharge",
        status_code=200,
        responses=errors(404, 409, 422, 503),
    )
    async def confirm_charge(
        self, db: DbDep, services: ServicesDep, charge_id: UUID, key: LinkKey = None
    ) -> ChargeOut:
        """Record the payment the guest confirmed (with Stripe.js, or the demo's button):
        reads that PaymentIntent; charges nothing a second time."""
        charge = await charge_for_guest(db, charge_id, key)
        provider = services.payments
        try:
            waiting = charge["status"] == "requires_action"
            if isinstance(provider, DemoProvider) and waiting and charge["payment_ref"]:
                await provider.authenticate(charge["payment_ref"])
            await settle_guest_action(db, provider, charge)
        except PaymentUnavailable as exc:
            raise PaymentServiceDown("The payment service did not answer.") from exc
        return _answer(await charge_for_guest(db, charge_id, key), provider, None)
