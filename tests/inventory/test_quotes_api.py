"""``POST /api/v1/properties/{slug}/quotes``: the price a guest sees, and why."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import psycopg
from litestar.testing import AsyncTestClient

from tests.conftest import TABLES
from tests.helpers import property_toml
from widget.app import create_app
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings

Client = AsyncTestClient  # type: ignore[type-arg]
URL = "/api/v1/properties/demo/quotes"


def next_weekday(weekday: int, after_days: int = 20) -> date:
    """The first date ``after_days`` or more from today falling on ``weekday`` (Mon=0)."""
    day = date.today() + timedelta(days=after_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def stay(**changes: Any) -> dict[str, Any]:
    check_in = next_weekday(0)  # a Monday, outside the weekend surcharge
    body: dict[str, Any] = {
        "room_type": "double-sea-view",
        "check_in": str(check_in),
        "check_out": str(check_in + timedelta(days=3)),
        "adults": 2,
        "children": [],
    }
    body.update(changes)
    return body


async def test_a_quote_explains_every_night_and_adds_up(api: Client) -> None:
    response = await api.post(URL, json=stay())
    assert response.status_code == 200
    quote = response.json()
    assert quote["currency"] == "EUR"
    assert len(quote["nights"]) == 3
    for night in quote["nights"]:
        assert night["lines"][0]["rule"] == "base_rate"
        assert night["amount"] > 0
    rooms = sum(n["amount"] for n in quote["nights"])
    added = sum(line["amount"] for line in quote["stay_lines"] if not line["included"])
    assert quote["total"] == rooms + added
    at_property = sum(
        line["amount"]
        for line in quote["stay_lines"]
        if not line["included"] and line["payable"] == "at_property"
    )
    # The city tax is shown but paid at the property: 2 adults × 3 nights × €2.50.
    assert at_property == 1500
    # Paid online: all of the rest now, or (the demo's flexible plan, far enough ahead) a
    # deposit now and the balance later, adding up to the same.
    schedule = quote.get("payment_schedule") or [{"amount": quote["due_now"]}]
    assert sum(part["amount"] for part in schedule) == quote["total"] - 1500
    assert quote["due_now"] == schedule[0]["amount"]
    again = (await api.post(URL, json=stay())).json()
    assert again["quote_hash"] == quote["quote_hash"]


async def test_a_promo_code_lowers_the_price_and_changes_the_hash(api: Client) -> None:
    plain = (await api.post(URL, json=stay())).json()
    promo = (await api.post(URL, json=stay(promo_code="WELCOME10"))).json()
    assert promo["total"] < plain["total"]
    assert promo["quote_hash"] != plain["quote_hash"]
    assert any(line["rule"] == "welcome-back" for line in promo["stay_lines"])


async def test_bad_requests_name_their_field(api: Client) -> None:
    today = date.today()
    saturday = next_weekday(5)
    cases = [
        (stay(room_type="penthouse"), "room_type", "invalid"),
        (stay(check_out=stay()["check_in"]), "check_out", "invalid"),
        (
            stay(check_out=str(date.fromisoformat(stay()["check_in"]) + timedelta(days=366))),
            "check_out",
            "invalid",
        ),
        (
            stay(check_in=str(today - timedelta(days=2)), check_out=str(today + timedelta(days=1))),
            "check_in",
            "invalid",
        ),
        (stay(adults=3), "adults", "invalid_party"),
        (stay(children=[25]), "children", "invalid"),
        (stay(promo_code="FREEROOM"), "promo_code", "unknown_promo_code"),
        (stay(check_in="2027-02-30"), "check_in", "invalid"),
        (
            stay(check_in=str(saturday), check_out=str(saturday + timedelta(days=1))),
            "check_in",
            "min_stay",
        ),
    ]
    for body, field, code in cases:
        response = await api.post(URL, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["field"] == field, response.text
        assert response.json()["error"] == code, response.text
    missing = await api.post(URL, json={"check_in": "2027-05-01"})
    assert missing.status_code == 422
    assert missing.json()["field"] == "room_type"


async def test_a_new_service_prices_with_the_rules_it_finds_not_an_earlier_services(
    quiet_settings: Settings, demo: psycopg.Connection[Any]
) -> None:
    async with AsyncTestClient(app=create_app(quiet_settings)) as first:
        before = (await first.post(URL, json=stay())).json()
    # The database starts again, as between two tests: the same ids and versions come back,
    # now with every night at twice the price. Nothing of the first service may linger.
    demo.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
    demo.commit()
    doubled = '\n[[rules]]\ntype = "base_rate"\n\n[[rules]]\ntype = "day_of_week"\n'
    doubled += 'days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\npercent = 100\n'
    apply_property(demo, parse_property(property_toml(rules=doubled)))
    async with AsyncTestClient(app=create_app(quiet_settings)) as second:
        after = (await second.post(URL, json=stay())).json()
    assert [n["amount"] for n in before["nights"]] != [28000] * 3
    assert [n["amount"] for n in after["nights"]] == [28000] * 3  # twice the 140.00 base
