"""Checkout and confirmation of a hold: ``POST /api/v1/holds/{id}/checkout`` and ``/confirm``."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, post
from litestar.params import HeaderParameter, JSONBody

from widget.api.params import HoldId
from widget.api.responses import WRITE_REFUSALS, errors
from widget.headers import HOLD_TOKEN
from widget.idempotency import idempotent
from widget.inventory.groups import rooms_of
from widget.inventory.hold_access import load_hold
from widget.links import manage_url, site_url
from widget.payments.bank_check import BankCheckIn, BankCheckOut, demo_bank_check
from widget.payments.checkout import CheckoutIn, start_checkout
from widget.payments.confirmation import ConfirmOut, confirm_payment
from widget.payments.provider import CheckoutOut
from widget.sql import queries
from widget.state import DbDep, ServicesDep
from widget.tokens import guest_key, token_hash

HoldToken = Annotated[
    str | None,
    HeaderParameter(name=HOLD_TOKEN, description="The hold's secret token.", required=False),
]


class CheckoutController(Controller):
    path = "/api/v1/holds"
    tags = ("checkout",)

    @post(
        "/{hold_id:uuid}/checkout",
        operation_id="checkoutHold",
        status_code=200,
        responses=errors(400, 402, 404, 409, 422, 503, *WRITE_REFUSALS),
    )
    async def checkout(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        services: ServicesDep,
        hold_id: HoldId,
        data: JSONBody[CheckoutIn],
        x_hold_token: HoldToken = None,
    ) -> CheckoutOut:
        """Store the guest's details and start a payment for the hold's stored quote (its
        amount due now); the hold is extended so 3-D Secure has time. Answers what the
        widget needs to collect the payment: `{"provider": "stripe", "client_secret",
        "publishable_key"}`, or `{"provider": "demo", "status": "authorised"}` (with a test
        card asking for the bank's check, `"requires_action"`: see `demoBankCheck`); 402
        `card_declined` when the demo's test card declines (the hold is kept)."""

        async def work() -> CheckoutOut:
            hold = await load_hold(db, hold_id, x_hold_token)
            return await start_checkout(
                db,
                services.payments,
                hold,
                data,
                grace_seconds=services.settings.payment_grace_seconds,
            )

        return await idempotent(request, db, work, services.settings)

    @post(
        "/{hold_id:uuid}/confirm",
        operation_id="confirmHold",
        status_code=200,
        # 500: a taken room's free alternatives are priced with the property's rules.
        responses=errors(404, 409, 422, 500, 503, *WRITE_REFUSALS),
    )
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        services: ServicesDep,
        hold_id: HoldId,
        x_hold_token: HoldToken = None,
    ) -> ConfirmOut:
        """Book the hold once its stored payment is authorised for exactly its amount; the
        payment is captured after the booking commits. Answers `{"status": "confirmed",
        "reference", …}`, the same booking on every later call; 409 when the payment is not
        authorised (nothing changes) or the room went to someone else (the payment is
        cancelled, `free_room_types` says what is free instead)."""

        async def work() -> ConfirmOut:
            await load_hold(db, hold_id, x_hold_token)  # the token is the guest's proof
            assert x_hold_token is not None  # load_hold refuses a missing token
            site = site_url(services.settings)
            booked = await confirm_payment(db, services.payments, hold_id, site=site)
            # The guest's own proof (the hold token) earns a manage link at once, on every
            # call, whoever booked (this call, the webhook, the reconciler); the e-mail
            # carries another key, random, of which nothing but its hash is kept.
            key = guest_key(x_hold_token)
            await db.execute(
                queries("payments")["keep_guest_key"], {"id": hold_id, "key_hash": token_hash(key)}
            )
            answer = booked.answer(manage_url(site, booked.reference, key))
            return msgspec.structs.replace(answer, rooms=await rooms_of(db, hold_id))

        return await idempotent(request, db, work, services.settings)

    @post(
        "/{hold_id:uuid}/demo-bank",
        operation_id="demoBankCheck",
        status_code=200,
        responses=errors(404, 409, 422, *WRITE_REFUSALS),
    )
    async def demo_bank(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        services: ServicesDep,
        hold_id: HoldId,
        data: JSONBody[BankCheckIn],
        x_hold_token: HoldToken = None,
    ) -> BankCheckOut:
        """The demo provider only (404 otherwise): the guest's answer to the demo bank's
        check that a test card asked for at checkout (`{"provider": "demo", "status":
        "requires_action"}`). `{"passed": true}` authorises the payment (then confirm the
        hold); `{"passed": false}` leaves it unpaid and the hold kept, for another card."""

        async def work() -> BankCheckOut:
            hold = await load_hold(db, hold_id, x_hold_token)
            return await demo_bank_check(services.payments, hold, data.passed)

        return await idempotent(request, db, work, services.settings)
