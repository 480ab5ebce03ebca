"""Stays that fill a gap: a free run of at most `max_gap` nights between two reservations
may be booked exactly, whatever the minimum stay; the calendar, the quote and the hold agree
on it, and the hold lands on the unit whose gap it fills."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import psycopg
from litestar.testing import AsyncTestClient

from widget.inventory.blocks import add_block

Client = AsyncTestClient  # type: ignore[type-arg]
#: A Tuesday in next summer: the demo's summer minimum stay is 3 nights (July, August).
_JULY = date(date.today().year + 1, 7, 6)
MONDAY = _JULY + timedelta(days=(0 - _JULY.weekday()) % 7)
TUESDAY, THURSDAY = MONDAY + timedelta(days=1), MONDAY + timedelta(days=3)


def stay(room_type: str, check_in: date, check_out: date) -> dict[str, Any]:
    return {
        "room_type": room_type,
        "check_in": str(check_in),
        "check_out": str(check_out),
        "adults": 1,
    }


def two_night_gap(demo: psycopg.Connection[Any], unit: str) -> None:
    """``unit`` blocked on Monday and on Thursday: Tuesday and Wednesday are a 2-night gap."""
    add_block(demo, "demo", unit, MONDAY, MONDAY, "repairs")
    add_block(demo, "demo", unit, THURSDAY, THURSDAY, "repairs")


async def test_a_stay_exactly_filling_a_gap_is_sold_whatever_the_minimum_stay(
    api: Client, demo: psycopg.Connection[Any]
) -> None:
    two_night_gap(demo, "Room 6")  # the only garden single
    gap = stay("garden-single", TUESDAY, THURSDAY)
    quote = await api.post("/api/v1/properties/demo/quotes", json=gap)
    assert quote.status_code == 200, quote.text
    assert {line["rule"] for line in quote.json()["nights"][0]["lines"]} >= {"gap_night"}
    calendar = (
        await api.get(
            "/api/v1/properties/demo/calendar",
            params={"start": str(MONDAY), "end": str(THURSDAY), "adults": 1},
        )
    ).json()
    single = next(r for r in calendar["room_types"] if r["slug"] == "garden-single")
    double = next(r for r in calendar["room_types"] if r["slug"] == "double-sea-view")
    assert [n["min_stay"] for n in single["nights"]] == [3, 2, 3]  # the gap begins Tuesday
    assert [n["min_stay"] for n in double["nights"]] == [3, 3, 3]  # no gap: the summer rule
    # Shorter than the gap, or not in one: the summer minimum stands.
    for refused in (
        stay("garden-single", TUESDAY, TUESDAY + timedelta(days=1)),
        stay("double-sea-view", TUESDAY, THURSDAY),
    ):
        answer = await api.post("/api/v1/properties/demo/quotes", json=refused)
        assert answer.status_code == 422 and answer.json()["error"] == "min_stay"
    held = await api.post("/api/v1/properties/demo/holds", json=gap)
    assert held.status_code == 201, held.text
    assert held.json()["quote"] == quote.json()


async def test_a_hold_allowed_only_by_a_gap_takes_the_unit_with_the_gap(
    api: Client, demo: psycopg.Connection[Any]
) -> None:
    two_night_gap(demo, "Room 2")  # Room 1 and Room 3 are free all week
    gap = stay("double-sea-view", TUESDAY, THURSDAY)
    held = await api.post(
        "/api/v1/properties/demo/holds", json=gap, headers={"X-Innkeep-Session": "gap-guest-1"}
    )
    assert held.status_code == 201, held.text
    unit = demo.execute(
        "SELECT u.name FROM reservation r JOIN unit u ON u.id = r.unit_id WHERE r.status = 'held'"
    ).fetchone()
    assert unit == ("Room 2",)
    # The gap is gone: the same stay is now refused by the minimum stay, not sold elsewhere.
    again = await api.post(
        "/api/v1/properties/demo/holds", json=gap, headers={"X-Innkeep-Session": "gap-guest-2"}
    )
    assert again.status_code == 422 and again.json()["error"] == "min_stay"


async def test_a_group_room_allowed_only_by_a_gap_takes_the_unit_with_the_gap(
    api: Client, demo: psycopg.Connection[Any]
) -> None:
    two_night_gap(demo, "Room 2")  # Room 1 and Room 3 are free all week
    one = {
        "check_in": str(TUESDAY),
        "check_out": str(THURSDAY),
        "rooms": [{"room_type": "double-sea-view", "adults": 1}],
    }
    # Two such rooms: only one unit fills the gap, and the other may not break the minimum.
    two = {**one, "rooms": one["rooms"] * 2}
    refused = await api.post("/api/v1/properties/demo/holds", json=two)
    assert refused.status_code == 409, refused.text
    assert demo.execute("SELECT count(*) FROM reservation WHERE status = 'held'").fetchone() == (0,)
    held = await api.post("/api/v1/properties/demo/holds", json=one)
    assert held.status_code == 201, held.text
    unit = demo.execute(
        "SELECT u.name FROM reservation r JOIN unit u ON u.id = r.unit_id WHERE r.status = 'held'"
    ).fetchone()
    assert unit == ("Room 2",)
