"""Holds ready for checkout, the service with the demo provider or with Stripe (the local
stand-in), and the invariant every payment test ends with."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import msgspec
import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.helpers import add_reservation, stored_quote
from tests.payments.stripe_standin import StripeStandIn, start
from widget.app import create_app
from widget.settings import Settings
from widget.tokens import new_token, token_hash

WEBHOOK_SECRET = "whsec_standin_secret"
#: Three nights at €140 paid now, and a city tax of €12 payable at the property.
DUE_NOW = 42000
TOTAL = 43200


@dataclass
class HeldRoom:
    id: uuid.UUID
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Hold-Token": self.token}


def quote(
    check_in: str, check_out: str, due_now: int = DUE_NOW, total: int = TOTAL
) -> dict[str, Any]:
    return stored_quote(check_in, check_out, due_now=due_now, total=total)


def hold_room(
    conn: psycopg.Connection[Any],
    unit: str = "Room 1",
    check_in: str = "2027-06-01",
    check_out: str = "2027-06-04",
    minutes: int = 10,
) -> HeldRoom:
    """A hold as the holds API leaves it: held for ``minutes`` by the database's clock."""
    token = new_token()
    hold = add_reservation(
        conn,
        unit=unit,
        check_in=check_in,
        check_out=check_out,
        status="held",
        hold_for=timedelta(minutes=minutes),
        hold_token_hash=token_hash(token),
        adults=2,
        quote=quote(check_in, check_out),
        quote_hash="q-" + check_in,
    )
    return HeldRoom(hold, token)


@pytest.fixture
def held(demo_property: psycopg.Connection[Any]) -> HeldRoom:
    return hold_room(demo_property)


@pytest.fixture
async def demo_api(
    quiet_settings: Settings, demo_property: psycopg.Connection[Any]
) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(app=create_app(quiet_settings)) as client:
        yield client


@pytest.fixture
def standin() -> Iterator[StripeStandIn]:
    stand_in = StripeStandIn()
    server = start(stand_in)
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def stripe_settings(quiet_settings: Settings, standin: StripeStandIn) -> Settings:
    return msgspec.structs.replace(
        quiet_settings,
        payment_provider="stripe",
        stripe_secret_key="sk_test_standin",
        stripe_publishable_key="pk_test_standin",
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=standin.url,
    )


@pytest.fixture
async def stripe_api(
    stripe_settings: Settings, demo_property: psycopg.Connection[Any]
) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(app=create_app(stripe_settings)) as client:
        yield client


GUEST = {
    "guest": {
        "name": "Anna Schmidt",
        "email": "anna@example.com",
        "phone": "+49 30 1234567",
        "language": "de",
        "note": "Wir kommen mit der späten Fähre.",
    },
    "accept_cancellation_policy": True,
}


def assert_settled(conn: psycopg.Connection[Any], captured: dict[str, str]) -> None:
    """The invariant: no captured payment without a confirmed booking, no confirmed booking
    without a captured payment, no hold left behind.

    ``captured`` maps each payment id the provider knows to its status there."""
    rows = conn.execute(
        """SELECT payment_ref, status::text, hold_expires_at > innkeep_now() AS active
           FROM reservation WHERE status <> 'blocked'"""
    ).fetchall()
    booked = {ref for ref, status, _ in rows if status == "confirmed"}
    taken = {ref for ref, status in captured.items() if status == "succeeded"}
    assert taken == booked, f"captured {taken} but booked {booked}"
    left = [ref for ref, status in captured.items() if status == "requires_capture"]
    assert not left, f"authorisations left hanging: {left}"
    assert not [r for r in rows if r[1] == "held" and r[2]], "a hold was left behind"


def demo_payments(conn: psycopg.Connection[Any]) -> dict[str, str]:
    return dict(conn.execute("SELECT id, status FROM demo_payment").fetchall())  # type: ignore[arg-type]


def stripe_payments(standin: StripeStandIn) -> dict[str, str]:
    return {i: p["status"] for i, p in standin.intents.items()}
