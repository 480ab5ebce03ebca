"""`innkeep booking balance REF`: the owner charges a deposit booking's balance before its
day, through the balance job's own lease, attempt and key: once, whoever runs first."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.helpers import set_clock
from tests.payments.test_manage_booking import manage_link
from tests.payments.test_payment_terms import (
    BALANCE_DAY,
    DOUBLE,
    NOW,
    QUOTES,
    SITE,
    book,
    online_of,
    paid_in_all,
    run_job,
)
from tests.payments.test_stripe_checkout import worker_connection
from widget.errors import Invalid, NotFound
from widget.payments.balance import charge_balance_now
from widget.payments.demo_provider import DemoProvider


@pytest.fixture(autouse=True)
def clock(demo_property: psycopg.Connection[Any]) -> None:
    set_clock(demo_property, NOW)


async def settle(db: psycopg.Connection[Any], settings: Any, reference: str) -> str:
    async with worker_connection(db) as conn:
        return await charge_balance_now(conn, DemoProvider(settings.database_url), reference, SITE)


async def test_the_balance_charged_before_its_day_once_and_the_job_leaves_it(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    quote = (await demo_api.post(QUOTES, json=DOUBLE)).json()
    booked = await book(demo_api, DOUBLE)
    assert paid_in_all(demo_property) == quote["due_now"] < online_of(quote)
    assert await settle(demo_property, quiet_settings, booked["reference"]) == "succeeded"
    # Again, and the job on the day: nothing more is taken.
    assert await settle(demo_property, quiet_settings, booked["reference"]) == "succeeded"
    set_clock(demo_property, BALANCE_DAY)
    assert await run_job(demo_property, quiet_settings) == {}
    assert paid_in_all(demo_property) == online_of(quote)
    _path, secret = manage_link(demo_property)
    answer = (
        await demo_api.get(
            f"/api/v1/bookings/{booked['reference']}", headers={"X-Booking-Secret": secret}
        )
    ).json()
    assert answer["paid"]["amount"] == online_of(quote)
    assert answer["payment_status"] == "paid"


async def test_a_booking_without_a_balance_is_refused_by_name(
    demo_api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Any
) -> None:
    booked = await book(demo_api, {**DOUBLE, "rate_plan": "non-refundable"})
    with pytest.raises(Invalid, match="no balance"):
        await settle(demo_property, quiet_settings, booked["reference"])
    with pytest.raises(NotFound):
        await settle(demo_property, quiet_settings, "NOT-THERE")
