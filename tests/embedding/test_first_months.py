"""The widget page carries the priced months it shows first (decision 17): the widget draws
them without a calendar request, and they are as fresh as the calendar API's own answer."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.helpers import DEMO_TOML, add_reservation
from widget.inventory.blocks import add_block
from widget.properties.apply import apply_property
from widget.properties.file import parse_property

Client = AsyncTestClient  # type: ignore[type-arg]
SITE = "http://127.0.0.1:8001"  # listed in properties/demo.toml


@pytest.fixture
def demo(database_url: str, clean: None) -> None:
    with psycopg.connect(database_url) as conn:
        apply_property(conn, parse_property(DEMO_TOML))


async def _config(client: Client, query: str = "") -> dict[str, Any]:
    page = await client.get(f"/embed/demo?origin={SITE}{query}")
    assert page.status_code == 200
    found = re.search(r'<script type="application/json" id="innkeep-config">(.*?)<', page.text)
    assert found
    return json.loads(found[1])  # type: ignore[no-any-return]


def _month_after(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _night(config: dict[str, Any], slug: str, day: date) -> dict[str, Any]:
    month = config["first_months"]["months"][day.replace(day=1).isoformat()]
    room = next(r for r in month["room_types"] if r["slug"] == slug)
    return next(n for n in room["nights"] if n["date"] == day.isoformat())  # type: ignore[no-any-return]


async def test_the_page_carries_this_month_and_the_next_as_the_api_answers_them(
    client: Client, demo: None
) -> None:
    config = await _config(client)
    today = date.fromisoformat(config["property"]["today"])
    first, second = today.replace(day=1), _month_after(today.replace(day=1))
    carried = config["first_months"]
    # The party a fresh widget starts with: two adults, no children.
    assert (carried["adults"], carried["children"]) == (2, [])
    assert list(carried["months"]) == [first.isoformat(), second.isoformat()]
    for start in (first, second):
        asked = await client.get(
            "/api/v1/properties/demo/calendar",
            params={"start": str(start), "end": str(_month_after(start)), "adults": 2},
        )
        assert carried["months"][start.isoformat()] == asked.json()
    assert _night(config, "double-sea-view", today)["price"]["amount"] > 0


async def test_the_months_are_for_the_party_the_host_page_asked_for(
    client: Client, demo: None
) -> None:
    config = await _config(client, "&adults=1&children=4,9&room=family-suite")
    carried = config["first_months"]
    assert (carried["adults"], carried["children"]) == (1, [4, 9])
    month = next(iter(carried["months"].values()))
    # Only the suite sleeps three; the page shows the room type asked for from these.
    assert [r["slug"] for r in month["room_types"]] == ["family-suite"]


async def test_a_night_booked_or_blocked_is_taken_on_the_next_page(
    client: Client, demo: None, database_url: str
) -> None:
    before = await _config(client)  # the months are now in the calendar's caches
    today = date.fromisoformat(before["property"]["today"])
    assert _night(before, "double-sea-view", today)["units_free"] == 3
    with psycopg.connect(database_url) as conn:
        add_block(conn, "demo", "Room 1", today, today, "painting")
        add_reservation(conn, unit="Room 2", check_in=today, check_out=today + timedelta(days=1))
    # Postgres tells every worker at commit; the next page must not show the old months.
    deadline = asyncio.get_running_loop().time() + 3
    after = await _config(client)
    while _night(after, "double-sea-view", today)["units_free"] != 1:
        assert asyncio.get_running_loop().time() < deadline, "the page still shows the nights free"
        await asyncio.sleep(0.02)
        after = await _config(client)
    assert _night(after, "double-sea-view", today + timedelta(days=1))["units_free"] == 3
