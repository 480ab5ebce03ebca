"""Pay at the property: nothing charged online. With a card guarantee the card is saved
(a SetupIntent) and the owner may charge a no-show fee within the policy
(`innkeep booking charge`); without one the booking stands on the guest's details."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest

from tests.helpers import property_toml, set_clock
from tests.payments.conftest import GUEST
from tests.payments.test_payment_terms import DOUBLE, NOW, SITE, paid_in_all
from tests.payments.test_stripe_checkout import worker_connection
from widget.cli import main
from widget.payments.balance import charge_no_show
from widget.payments.demo_provider import DemoProvider
from widget.properties.apply import apply_property
from widget.properties.file import parse_property

FLEXIBLE_TERMS = "payment = { deposit_percent = 30, balance_days_before = 14 }"


def at_property(conn: psycopg.Connection[Any], guarantee: bool) -> None:
    """The demo guesthouse whose `flexible` plan is paid at the property."""
    terms = f'payment = {{ mode = "at_property", card_guarantee = {str(guarantee).lower()} }}'
    text = property_toml()
    assert FLEXIBLE_TERMS in text
    apply_property(conn, parse_property(text.replace(FLEXIBLE_TERMS, terms)))


async def book(api: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    hold = (await api.post("/api/v1/properties/demo/holds", json=DOUBLE)).json()
    assert hold["quote"]["due_now"] == 0 and hold["quote"]["pay_at_property"] is True
    headers = {"X-Hold-Token": hold["token"]}
    out = await api.post(f"/api/v1/holds/{hold['id']}/checkout", json=GUEST, headers=headers)
    assert out.status_code == 200, out.text
    assert out.json()["amount"]["amount"] == 0
    done = await api.post(f"/api/v1/holds/{hold['id']}/confirm", headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["payment_status"] == "at_property"
    assert done.json()["paid"]["amount"] == 0
    return hold, done.json()


async def innkeep(*args: str) -> int:
    """The command line, as the owner runs it (its own event loop, in a thread)."""
    return await asyncio.to_thread(main, ["booking", "charge", *args])


@pytest.fixture(autouse=True)
def clock(demo_property: psycopg.Connection[Any]) -> None:
    set_clock(demo_property, NOW)


async def test_without_a_guarantee_the_guests_details_book_and_nothing_is_charged(
    demo_api: Any, demo_property: psycopg.Connection[Any]
) -> None:
    at_property(demo_property, guarantee=False)
    _, done = await book(demo_api)
    assert paid_in_all(demo_property) == 0
    assert demo_property.execute("SELECT count(*) FROM demo_payment").fetchone() == (0,)
    row = demo_property.execute(
        "SELECT status::text, payment_ref, customer_ref, payment_status FROM reservation"
    ).fetchone()
    assert row == ("confirmed", None, None, "at_property")
    async with worker_connection(demo_property) as conn:
        refused = charge_no_show(
            conn, DemoProvider(demo_property.info.dsn), done["reference"], 1000, "no-show", SITE
        )
        with pytest.raises(Exception, match="no card kept"):
            await refused


async def test_a_guarantee_saves_the_card_and_a_no_show_fee_is_charged_once_within_policy(
    demo_api: Any,
    demo_property: psycopg.Connection[Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
) -> None:
    at_property(demo_property, guarantee=True)
    hold, done = await book(demo_api)
    assert paid_in_all(demo_property) == 0
    row = demo_property.execute(
        "SELECT payment_method_ref, payment_consent FROM reservation"
    ).fetchone()
    assert row is not None and row[0].startswith("demo_pm_") and "no-show fee" in row[1]
    monkeypatch.setenv("INNKEEP_DATABASE_URL", database_url)
    reference = done["reference"]
    # Before the arrival day, and above what the policy keeps: refused, nothing charged.
    assert await innkeep(reference, "80", "--reason", "no-show") == 2
    assert "can be charged from that day" in capsys.readouterr().err
    set_clock(demo_property, NOW.replace(month=3, day=15, hour=20))
    total = hold["quote"]["total"]
    too_much = f"{(total + 100) / 100:.2f}"
    assert await innkeep(reference, too_much, "--reason", "no-show") == 2
    assert "at most" in capsys.readouterr().err
    assert await innkeep(reference, "80", "--reason", "no-show") == 0
    assert "charged" in capsys.readouterr().out
    assert await innkeep(reference, "80", "--reason", "no-show") == 0
    assert paid_in_all(demo_property) == 8000  # once
    answer = demo_property.execute(
        "SELECT kind, amount, status, reason FROM booking_charge"
    ).fetchall()
    assert answer == [("no_show", 8000, "succeeded", "no-show")]
