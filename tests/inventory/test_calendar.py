"""The calendar as a guest's widget sees it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import free_port
from tests.helpers import add_reservation, property_toml, set_clock
from widget.app import create_app
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings

Client = AsyncTestClient  # type: ignore[type-arg]


def add_stay(db: psycopg.Connection[Any], unit: str, start: date, end: date, status: str) -> None:
    add_reservation(db, unit=unit, check_in=start, check_out=end, status=status)


async def eventually(ask: Any, done: Any, seconds: float = 3.0) -> Any:
    """Ask until ``done(answer)`` (or give up after ``seconds`` and return the last answer)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        answer = await ask()
        if done(answer) or asyncio.get_running_loop().time() > deadline:
            return answer
        await asyncio.sleep(0.02)


def nights(body: dict[str, Any], slug: str) -> dict[str, dict[str, Any]]:
    room = next(r for r in body["room_types"] if r["slug"] == slug)
    return {n["date"]: n for n in room["nights"]}


async def test_every_night_has_units_free_and_a_price(api: Client) -> None:
    start = date.today() + timedelta(days=30)
    response = await api.get(
        "/api/v1/properties/demo/calendar",
        params={"start": str(start), "end": str(start + timedelta(days=60)), "adults": 2},
    )
    assert response.status_code == 200
    body = response.json()
    assert [r["slug"] for r in body["room_types"]] == [
        "double-sea-view",
        "family-suite",  # the single room cannot sleep two
    ]
    doubles = nights(body, "double-sea-view")
    assert len(doubles) == 60
    first = doubles[str(start)]
    assert first["units_free"] == 3
    assert first["price"]["currency"] == "EUR" and first["price"]["amount"] >= 7000


async def test_bookings_blocks_and_live_holds_are_not_free_but_lapsed_holds_are(
    api: Client, demo: psycopg.Connection[Any]
) -> None:
    start = date.today() + timedelta(days=40)
    add_stay(demo, "Room 1", start, start + timedelta(days=2), "confirmed")
    add_stay(demo, "Room 2", start + timedelta(days=1), start + timedelta(days=3), "blocked")
    add_stay(demo, "Room 3", start, start + timedelta(days=1), "held")
    add_stay(demo, "Room 3", start + timedelta(days=2), start + timedelta(days=3), "cancelled")
    add_reservation(  # a hold that lapsed a second ago
        demo,
        unit="Room 3",
        check_in=start + timedelta(days=3),
        check_out=start + timedelta(days=4),
        status="held",
        hold_for=timedelta(seconds=-1),
    )
    response = await api.get(
        "/api/v1/properties/demo/calendar",
        params={"start": str(start), "end": str(start + timedelta(days=4))},
    )
    free = [n["units_free"] for n in nights(response.json(), "double-sea-view").values()]
    assert free == [1, 1, 2, 3]


async def test_the_etag_changes_when_a_stay_is_booked(
    api: Client, demo: psycopg.Connection[Any]
) -> None:
    start = date.today() + timedelta(days=50)
    params = {"start": str(start), "end": str(start + timedelta(days=7))}
    first = await api.get("/api/v1/properties/demo/calendar", params=params)
    etag = first.headers["etag"]
    again = await api.get(
        "/api/v1/properties/demo/calendar", params=params, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304
    add_stay(demo, "Room 1", start, start + timedelta(days=1), "confirmed")
    # Postgres tells every worker on commit; the answer changes within moments.
    changed = await eventually(
        lambda: api.get(
            "/api/v1/properties/demo/calendar", params=params, headers={"If-None-Match": etag}
        ),
        lambda response: response.status_code == 200,
    )
    assert changed.headers["etag"] != etag
    assert nights(changed.json(), "double-sea-view")[str(start)]["units_free"] == 2


async def test_owner_rule_changes_reach_the_cached_calendar(
    api: Client, demo: psycopg.Connection[Any]
) -> None:
    start = date.today() + timedelta(days=60)
    params = {"start": str(start), "end": str(start + timedelta(days=1)), "adults": 1}
    ask = lambda: api.get("/api/v1/properties/demo/calendar", params=params)  # noqa: E731

    def single(response: Any) -> int:
        return int(nights(response.json(), "garden-single")[str(start)]["price"]["amount"])

    before = single(await ask())
    doubled = '\n[[rules]]\ntype = "base_rate"\n\n[[rules]]\ntype = "day_of_week"\n'
    doubled += 'days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\npercent = 100\n'
    apply_property(demo, parse_property(property_toml(rules=doubled)))
    # €170 a night, shown at the demo's cheapest plan (non-refundable, -10 %).
    after = single(await eventually(ask, lambda response: single(response) == 15300))
    assert before != 15300 and after == 15300


async def test_party_and_range_errors_name_their_field(api: Client) -> None:
    start = date.today() + timedelta(days=5)
    cases = [
        ({"start": "2027-02-30", "end": "2027-03-02"}, "start"),
        ({"start": str(start), "end": str(start)}, "end"),
        ({"start": str(start), "end": str(start + timedelta(days=400))}, "end"),
        ({"start": str(start), "end": str(start + timedelta(days=3)), "adults": 0}, "adults"),
        (
            {"start": str(start), "end": str(start + timedelta(days=3)), "children": "4,x"},
            "children",
        ),
        (
            {"start": str(start), "end": str(start + timedelta(days=3)), "children": "4,30"},
            "children",
        ),
    ]
    for params, field in cases:
        response = await api.get("/api/v1/properties/demo/calendar", params=params)
        assert response.status_code == 422, params
        assert response.json()["field"] == field
    unknown = await api.get(
        "/api/v1/properties/nope/calendar",
        params={"start": str(start), "end": str(start + timedelta(days=1))},
    )
    assert unknown.status_code == 404


async def local_today(api: Client, slug: str) -> str:
    return (await api.get(f"/api/v1/properties/{slug}")).json()["today"]  # type: ignore[no-any-return]


async def test_today_is_the_propertys_date_on_both_sides_of_midnight_utc(
    api: Client, demo: psycopg.Connection[Any]
) -> None:
    apply_property(demo, parse_property(property_toml("kiwi", "Pacific/Auckland")))
    apply_property(demo, parse_property(property_toml("surf", "America/Los_Angeles")))
    # 23:30 UTC on 10 March 2027: already 11 March in Auckland (UTC+13), still 10 March in
    # Los Angeles (UTC-8).
    set_clock(demo, datetime(2027, 3, 10, 23, 30, tzinfo=UTC))
    assert await local_today(api, "kiwi") == "2027-03-11"
    assert await local_today(api, "surf") == "2027-03-10"
    # 00:30 UTC on 11 March: Los Angeles is still on the 10th (16:30).
    set_clock(demo, datetime(2027, 3, 11, 0, 30, tzinfo=UTC))
    assert await local_today(api, "surf") == "2027-03-10"
    params = {"start": "2027-03-10", "end": "2027-03-13"}
    kiwi = nights(
        (await api.get("/api/v1/properties/kiwi/calendar", params=params)).json(), "double-sea-view"
    )
    surf = nights(
        (await api.get("/api/v1/properties/surf/calendar", params=params)).json(), "double-sea-view"
    )
    # In Auckland the 10th is past: not bookable, no price; in Los Angeles it is tonight.
    assert kiwi["2027-03-10"]["units_free"] == 0 and kiwi["2027-03-10"]["price"] is None
    assert kiwi["2027-03-11"]["units_free"] == 3
    assert surf["2027-03-10"]["units_free"] == 3 and surf["2027-03-10"]["price"] is not None


async def test_the_etag_turns_at_the_propertys_midnight(
    api: Client, demo: psycopg.Connection[Any]
) -> None:
    apply_property(demo, parse_property(property_toml("kiwi", "Pacific/Auckland")))
    params = {"start": "2027-03-10", "end": "2027-03-20"}
    set_clock(demo, datetime(2027, 3, 10, 10, 59, tzinfo=UTC))  # 23:59 in Auckland
    before = await api.get("/api/v1/properties/kiwi/calendar", params=params)
    set_clock(demo, datetime(2027, 3, 10, 11, 1, tzinfo=UTC))  # 00:01 on the 11th
    after = await eventually(
        lambda: api.get(
            "/api/v1/properties/kiwi/calendar",
            params=params,
            headers={"If-None-Match": before.headers["etag"]},
        ),
        lambda response: response.status_code == 200,
    )
    assert after.status_code == 200
    assert nights(after.json(), "double-sea-view")["2027-03-10"]["units_free"] == 0
    assert nights(before.json(), "double-sea-view")["2027-03-10"]["units_free"] == 3


async def test_a_browser_gets_the_calendar_compressed(api: Client) -> None:
    start = date.today() + timedelta(days=30)
    params = {"start": str(start), "end": str(start + timedelta(days=60))}
    plain = await api.get("/api/v1/properties/demo/calendar", params=params)
    packed = await api.get(
        "/api/v1/properties/demo/calendar", params=params, headers={"Accept-Encoding": "gzip"}
    )
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) < len(plain.content) / 4
    assert packed.json() == plain.json()  # the client unpacks it to the same answer


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def service_log() -> Iterator[Kept]:
    """What the service logs (the app's own logging set-up replaces pytest's capture)."""
    kept, logger = Kept(), logging.getLogger("widget")
    logger.addHandler(kept)
    try:
        yield kept
    finally:
        logger.removeHandler(kept)


@pytest.mark.redis_away
async def test_with_redis_away_the_calendar_answers_and_warns_now_and_then(
    quiet_settings: Settings, demo: psycopg.Connection[Any], service_log: Kept
) -> None:
    away = msgspec.structs.replace(quiet_settings, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    async with AsyncTestClient(app=create_app(away)) as client:
        for offset in range(4):  # four ranges nobody asked for yet: each one goes to Redis
            start = date.today() + timedelta(days=70 + offset)
            params = {"start": str(start), "end": str(start + timedelta(days=7))}
            response = await client.get("/api/v1/properties/demo/calendar", params=params)
            assert response.status_code == 200
            assert len(nights(response.json(), "double-sea-view")) == 7
    # An operator hears of it (not at DEBUG), and once, not on every request of a busy page.
    warned = [r.getMessage() for r in service_log.records if r.levelno >= logging.WARNING]
    assert len([message for message in warned if "calendar" in message]) == 1, warned
