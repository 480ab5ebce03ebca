"""The one small interface every payment provider offers, in Stripe's words.

A provider authorises an amount for a hold (money reserved on the guest's card, not taken),
and later captures it, cancels the authorisation or refunds a captured payment. Statuses
are Stripe's PaymentIntent statuses, so the confirmation reads every provider alike.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol
from uuid import UUID

import msgspec

from widget.schemas import MoneyOut

PaymentStatus = Literal[
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "processing",
    "requires_capture",
    "canceled",
    "succeeded",
]


#: The metadata key that marks a payment as this deployment's: a Stripe account may be shared
#: with other software, whose payments the reconciler must never touch.
DEPLOYMENT_KEY = "innkeep_deployment"


def deployment_marker(secret_key: str) -> str:
    """This deployment's mark on its payments (``metadata.innkeep_deployment``): derived from
    its secret key, so two deployments on one Stripe account differ, and the key stays secret."""
    digest = hmac.new(secret_key.encode(), b"innkeep payment deployment", hashlib.sha256)
    return digest.hexdigest()[:24]


class Started(msgspec.Struct, frozen=True):
    """A checkout whose payment was stored on the hold: the part of its answer every
    provider shares."""

    hold_id: UUID
    #: The hold's new end: the payment grace period gives 3-D Secure its time.
    expires_at: datetime
    #: What is charged now (the stored quote's ``due_now``).
    amount: MoneyOut


class StripeCheckoutOut(msgspec.Struct, frozen=True, tag_field="provider", tag="stripe"):
    """Collect the payment with Stripe.js: ``client_secret`` confirms the PaymentIntent."""

    hold_id: UUID
    expires_at: datetime
    amount: MoneyOut
    client_secret: str | None
    publishable_key: str


class DemoCheckoutOut(msgspec.Struct, frozen=True, tag_field="provider", tag="demo"):
    """The demo provider authorised the payment already (``authorised``), or its test card
    asks the guest to confirm with their bank first (``requires_action``: the widget shows
    the demo bank's step, ``POST /api/v1/holds/{id}/demo-bank``)."""

    hold_id: UUID
    expires_at: datetime
    amount: MoneyOut
    status: Literal["authorised", "requires_action"] = "authorised"
    test_payment: bool = True
    notice: str = "Demo mode: this is a test payment and no money is taken."


#: The answer of ``POST /api/v1/holds/{id}/checkout``, told apart by ``provider``.
CheckoutOut = StripeCheckoutOut | DemoCheckoutOut


class PaymentUnavailable(Exception):
    """The provider could not be reached or refused the call; nothing about the hold changed."""


class RefundRefused(PaymentUnavailable):
    """The provider answered a refund with a refusal (more than is left to give back, a
    disputed payment): asking again under the same key changes nothing. Any other
    `PaymentUnavailable` from a refund (a time-out) may have been made: ask again."""


@dataclass(frozen=True)
class Payment:
    """A payment as the provider reports it (never as a browser reports it)."""

    id: str
    status: str
    #: Minor units of ``currency`` (upper-case ISO 4217 code).
    amount: int
    currency: str
    #: The hold this payment was created for (``metadata.hold_id``).
    hold_id: str | None
    amount_received: int = 0
    #: What the browser needs to collect the card (Stripe's Payment Element); None for demo.
    client_secret: str | None = None
    #: The provider's customer and the card used, once known (saved for later charges).
    customer: str | None = None
    payment_method: str | None = None

    @property
    def authorised(self) -> bool:
        """Money is reserved on the card and waits for our capture."""
        return self.status == "requires_capture"

    @property
    def captured(self) -> bool:
        return self.status == "succeeded"


@dataclass(frozen=True)
class PaymentsPage:
    """A page of the provider's list of payments (`PaymentProvider.payments_page`)."""

    #: This deployment's payments on the page, newest first.
    payments: list[Payment]
    #: The last item of the page as the provider listed it, ours or not (the next page
    #: starts after it); None for an empty page.
    last_ref: str | None
    #: The provider has more after this page.
    has_more: bool


#: Decline codes worth trying again days later (the card may work then); any other
#: decline is hard and never retried (Stripe, "Decline codes").
SOFT_DECLINES = frozenset(
    {
        "insufficient_funds",
        "try_again_later",
        "processing_error",
        "issuer_not_available",
        "reenter_transaction",
        "card_velocity_exceeded",
        "withdrawal_count_limit_exceeded",
    }
)


#: The demo provider's test cards, named after Stripe's (what each does when charged).
TEST_CARDS = ("success", "decline", "insufficient_funds", "authentication_required")


class ChargeRefused(Exception):
    """The provider answered a charge of a saved card with a refusal: a decline (``code``
    being its decline code) or ``authentication_required`` (the guest must confirm the
    payment ``payment_id`` themselves)."""

    def __init__(self, code: str, payment_id: str | None, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code
        self.payment_id = payment_id

    @property
    def needs_guest(self) -> bool:
        return self.code == "authentication_required"

    @property
    def soft(self) -> bool:
        """Worth another try on a later day."""
        return self.code in SOFT_DECLINES


@dataclass(frozen=True)
class Refund:
    id: str
    amount: int
    status: str


class PaymentProvider(Protocol):
    """What checkout, confirmation, the webhook, the reconciler and cancellations call."""

    #: ``"stripe"`` or ``"demo"``: stored on the hold with the payment's id.
    name: str

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
        """Create a payment of ``amount`` to be captured later (manual capture). With a
        ``customer``, the card is also saved for charges without the guest
        (``setup_future_usage=off_session``). ``test_card`` (the demo provider only; with
        Stripe the card itself decides) may decline it (`ChargeRefused`) or leave it
        waiting for the bank's check (``requires_action``)."""
        ...

    async def customer(
        self, *, name: str, email: str, idempotency_key: str, test_card: str | None = None
    ) -> str:
        """A customer for the booking's guest, to keep their card on; returns its id.
        ``test_card`` (the demo provider only) names the test card the guest chose."""
        ...

    async def setup_card(self, *, hold_id: UUID, customer: str, idempotency_key: str) -> Payment:
        """Save the guest's card on ``customer`` without charging it (a SetupIntent), as a
        guarantee; the answer's ``client_secret`` lets the browser collect the card."""
        ...

    async def retrieve_setup(self, setup_id: str) -> Payment:
        """The SetupIntent as the provider knows it now (``succeeded``: the card is saved,
        its id in ``payment_method``)."""
        ...

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
        """Charge the customer's saved card now, the guest absent (``off_session``).
        Raises `ChargeRefused` for a decline or when the bank wants the guest to
        authenticate; `PaymentUnavailable` when the answer did not come (retry, same key)."""
        ...

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
        """A payment the guest makes on their link with a card of their choice (taken when
        they confirm it; not captured by us later): its ``client_secret`` lets the browser
        confirm it. Made once per key."""
        ...

    async def retrieve(self, payment_id: str) -> Payment:
        """The payment as the provider knows it now."""
        ...

    async def capture(self, payment_id: str, *, idempotency_key: str) -> Payment:
        """Take the authorised money; safe to repeat with the same key."""
        ...

    async def cancel(self, payment_id: str, *, idempotency_key: str) -> Payment:
        """Release an authorisation; the guest is never charged."""
        ...

    async def refund(self, payment_id: str, amount: int, *, idempotency_key: str) -> Refund:
        """Give back ``amount`` of a captured payment."""
        ...

    async def payments_page(
        self, *, created_after: int, created_until: int, starting_after: str | None, limit: int
    ) -> PaymentsPage:
        """One page of this deployment's payments created in ``(created_after,
        created_until]`` (Unix seconds), in any status, newest first: at most ``limit`` of
        the provider's list read after the one ``starting_after`` names (None: from the
        newest). For the reconciler, which walks the list a page at a time to find the
        authorisations and captures no reservation points to. Never another application's
        payments."""
        ...

    def checkout_answer(self, payment: Payment, started: Started) -> CheckoutOut:
        """What the widget needs to collect this payment, for the checkout ``started``."""
        ...
