"""The calendar answer may be kept by a CDN or caching proxy for a few seconds, revalidated
with its ETag; whatever a cache shows, a hold is decided by Postgres."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import msgspec
import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.helpers import add_reservation
from widget.app import create_app
from widget.settings import Settings

Client = AsyncTestClient  # type: ignore[type-arg]
SITE = "http://127.0.0.1:8001"  # listed in properties/demo.toml
START = date.today() + timedelta(days=40)
PARAMS = {"start": str(START), "end": str(START + timedelta(days=30)), "adults": 1}
CALENDAR = "/api/v1/properties/demo/calendar"


def vary(response: Any) -> list[str]:
    return [v.strip().lower() for v in ", ".join(response.headers.get_list("vary")).split(",")]


@pytest.mark.parametrize("origin", [None, SITE], ids=["same-origin", "allowed-site"])
async def test_a_shared_cache_may_keep_the_answer_briefly_apart_by_encoding_and_origin(
    api: Client, origin: str | None
) -> None:
    headers = {"Origin": origin} if origin else {}
    answer = await api.get(CALENDAR, params=PARAMS, headers=headers)
    assert answer.status_code == 200
    directives = {d.strip() for d in answer.headers["cache-control"].split(",")}
    assert directives == {"public", "max-age=5", "stale-while-revalidate=30"}
    assert sorted(vary(answer)) == ["accept-encoding", "origin"]  # each once
    assert answer.headers["etag"].startswith('"')
    # Revalidation: 304 with the same caching headers, so the cache renews its copy.
    again = await api.get(
        CALENDAR, params=PARAMS, headers={**headers, "If-None-Match": answer.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["cache-control"] == answer.headers["cache-control"]
    assert again.headers["etag"] == answer.headers["etag"]
    assert sorted(vary(again)) == ["accept-encoding", "origin"]


async def test_with_no_freshness_configured_every_use_is_revalidated(
    quiet_settings: Settings, demo: psycopg.Connection[Any]
) -> None:
    settings = msgspec.structs.replace(quiet_settings, calendar_max_age=0, calendar_stale_seconds=0)
    async with AsyncTestClient(app=create_app(settings)) as client:
        answer = await client.get(CALENDAR, params=PARAMS)
    assert answer.headers["cache-control"] == "no-cache"


async def test_a_room_a_stale_calendar_shows_free_is_still_refused_to_a_second_guest(
    api: Client, demo: psycopg.Connection[Any]
) -> None:
    cached = (await api.get(CALENDAR, params=PARAMS)).json()  # what a CDN keeps
    single = next(r for r in cached["room_types"] if r["slug"] == "garden-single")
    assert single["nights"][0]["units_free"] == 1
    add_reservation(demo, unit="Room 6", check_in=START, check_out=START + timedelta(days=2))
    hold = await api.post(
        "/api/v1/properties/demo/holds",
        json={
            "room_type": "garden-single",
            "check_in": str(START),
            "check_out": str(START + timedelta(days=1)),
            "adults": 1,
        },
        headers={"X-Innkeep-Session": "guest-who-saw-a-cached-calendar"},
    )
    assert hold.status_code == 409, hold.text
    assert hold.json()["error"] == "taken"
