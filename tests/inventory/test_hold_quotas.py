"""Hold quotas over HTTP: no client may hold more than its fair share of a guesthouse, with
Redis or with Postgres counting, and bookings give their place back at once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any

import msgspec
import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import free_port
from tests.helpers import DEMO_TOML, advance_clock, with_hold_share
from tests.payments.conftest import GUEST
from widget.app import create_app
from widget.inventory.quotas import fair_share
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings

Client = AsyncTestClient  # type: ignore[type-arg]
ARRIVAL = date.today() + timedelta(days=45)
ARRIVAL = ARRIVAL + timedelta(days=(0 - ARRIVAL.weekday()) % 7)  # a Monday: no weekend rules
#: The demo's six units, one stay each: a client that could hold them all empties the house.
EVERY_UNIT = ["double-sea-view"] * 3 + ["family-suite"] * 2 + ["garden-single"]
PROXY = "10.9.8.7"


class FromProxy:
    """The service behind a proxy at ``PROXY`` (a trusted one), so a test can be any
    address through `X-Forwarded-For`, as the real clients of a deployment are."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = {**scope, "client": (PROXY, 50000)}
        await self.app(scope, receive, send)


def wish(room_type: str = "double-sea-view", week: int = 0) -> dict[str, Any]:
    check_in = ARRIVAL + timedelta(days=7 * week)
    return {
        "room_type": room_type,
        "check_in": str(check_in),
        "check_out": str(check_in + timedelta(days=2)),
        "adults": 1,
    }


def who(address: str, session: str | None = None) -> dict[str, str]:
    headers = {"X-Forwarded-For": address}
    if session:
        headers["X-Innkeep-Session"] = session
    return headers


Hold = Callable[[dict[str, Any], dict[str, str]], Awaitable[Any]]


@pytest.fixture(params=["redis", "postgres"])
def counted_by(request: pytest.FixtureRequest) -> str:
    """Where the quotas are counted: Redis, or Postgres while Redis is away."""
    return str(request.param)


def serve(settings: Settings, counted_by: str) -> Client:
    settings = msgspec.structs.replace(settings, trusted_proxies=(f"{PROXY}/32",))
    if counted_by == "postgres":
        away = f"redis://127.0.0.1:{free_port()}/0"
        settings = msgspec.structs.replace(settings, redis_url=away)
    return AsyncTestClient(app=FromProxy(create_app(settings)))


@pytest.fixture
async def api(
    quiet_settings: Settings, db: psycopg.Connection[Any], counted_by: str
) -> AsyncIterator[Client]:
    apply_property(db, parse_property(DEMO_TOML))
    async with serve(quiet_settings, counted_by) as client:
        yield client


async def hold(api: Client, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return await api.post("/api/v1/properties/demo/holds", json=body, headers=headers)


async def units_free(api: Client) -> int:
    response = await api.get(
        "/api/v1/properties/demo/calendar",
        params={"start": str(ARRIVAL), "end": str(ARRIVAL + timedelta(days=1)), "adults": 1},
    )
    return sum(int(room["nights"][0]["units_free"]) for room in response.json()["room_types"])


def test_by_default_no_client_can_hold_a_whole_house_bigger_than_one_booking() -> None:
    default = parse_property(DEMO_TOML).property.hold_quota.share_percent
    for units in range(5, 500):
        assert 4 <= fair_share(units, default) < units
        assert fair_share(units, default) <= max(4, units / 4)
    # One booking's four rooms, even in a small house.
    assert fair_share(1, default) == fair_share(4, default) == 4


async def test_one_address_holds_no_more_than_its_share(api: Client) -> None:
    # Six widget sessions from one address, one unit each: the address is the limit.
    answers = [
        await hold(api, wish(room), who("198.51.100.7", f"session-{n:04d}"))
        for n, room in enumerate(EVERY_UNIT)
    ]
    # A quarter of six units, rounded down, but never fewer than one booking's four rooms.
    assert [a.status_code for a in answers] == [201] * 4 + [429] * 2
    refused = answers[4].json()
    assert refused["error"] == "too_many_requests" and refused["retry_after"] >= 1
    assert int(answers[4].headers["retry-after"]) == refused["retry_after"]
    assert await units_free(api) == 2


async def test_one_session_holds_no_more_than_its_share(api: Client) -> None:
    # One widget session from ever new addresses: the session is the limit.
    answers = [
        await hold(api, wish(room), who(f"198.51.100.{n + 10}", "one-session-0001"))
        for n, room in enumerate(EVERY_UNIT[:5])
    ]
    assert [a.status_code for a in answers] == [201] * 4 + [429], [a.text for a in answers]


async def test_the_share_is_set_in_the_property_file(
    api: Client, db: psycopg.Connection[Any]
) -> None:
    apply_property(db, parse_property(with_hold_share(DEMO_TOML, 100)))
    answers = [
        await hold(api, wish(room), who("198.51.100.7", f"session-{n:04d}"))
        for n, room in enumerate(EVERY_UNIT)
    ]
    assert [a.status_code for a in answers] == [201] * 6


async def test_ipv6_clients_are_counted_by_their_64(api: Client) -> None:
    # One booking's four rooms for the first address; its /64 neighbour shares its count.
    first = await hold(api, group(*EVERY_UNIT[:4]), who("2001:db8:aa:1::1"))
    neighbour = await hold(api, wish("family-suite"), who("2001:db8:aa:1:ffff::2"))
    elsewhere = await hold(api, wish("family-suite"), who("2001:db8:aa:2::1"))
    assert (first.status_code, neighbour.status_code, elsewhere.status_code) == (201, 429, 201)


async def book(api: Client, body: dict[str, Any], headers: dict[str, str]) -> int:
    """Hold, check out and confirm, as the widget does; the first refusal's status, or 200."""
    held = await hold(api, body, headers)
    if held.status_code != 201:
        return int(held.status_code)
    token = {**headers, "X-Hold-Token": held.json()["token"]}
    url = f"/api/v1/holds/{held.json()['id']}"
    paid = await api.post(f"{url}/checkout", json=GUEST, headers=token)
    assert paid.status_code == 200, paid.text
    booked = await api.post(f"{url}/confirm", headers=token)
    assert booked.json()["status"] == "confirmed", booked.text
    return int(booked.status_code)


async def test_booked_rooms_give_their_place_back(api: Client) -> None:
    # A guest books four rooms one by one, each paid and confirmed before the next.
    guest = who("198.51.100.7", "booking-session-1")
    rooms = ["double-sea-view", "family-suite", "garden-single", "double-sea-view"]
    assert [await book(api, wish(room), guest) for room in rooms] == [200] * 4


def expiry(answer: Any) -> datetime:
    return datetime.fromisoformat(answer.json()["expires_at"])


async def test_checking_out_again_does_not_renew_a_hold(
    api: Client, db: psycopg.Connection[Any], quiet_settings: Settings
) -> None:
    guest = who("198.51.100.7", "renewing-session")
    held = await hold(api, wish(), guest)
    token = {**guest, "X-Hold-Token": held.json()["token"]}
    url = f"/api/v1/holds/{held.json()['id']}/checkout"
    first = await api.post(url, json=GUEST, headers=token)
    assert first.status_code == 200, first.text
    # Every checkout before the hold ends would otherwise push its end on by the grace time.
    advance_clock(db, timedelta(seconds=quiet_settings.payment_grace_seconds - 60))
    again = await api.post(url, json=GUEST, headers=token)
    assert again.status_code == 200, again.text
    assert expiry(again) == expiry(first)
    advance_clock(db, timedelta(seconds=120))
    assert (await hold(api, wish(week=1), guest)).status_code == 201  # the old one is over


def group(*types: str, week: int = 0) -> dict[str, Any]:
    stay = wish(week=week)
    return {
        "check_in": stay["check_in"],
        "check_out": stay["check_out"],
        "rooms": [{"room_type": t, "adults": 1} for t in types],
    }


async def test_quotas_count_rooms_and_one_booking_of_four_rooms_always_fits(api: Client) -> None:
    guest = who("198.51.100.7", "group-session-0001")
    # A quarter of six units is one, but a client may always hold one booking's four rooms.
    four = await hold(
        api, group("double-sea-view", "double-sea-view", "family-suite", "garden-single"), guest
    )
    assert four.status_code == 201, four.text
    # Each room counts: a fifth room, even for other dates, is over the share.
    fifth = await hold(api, group("double-sea-view", week=1), guest)
    assert fifth.status_code == 429, fifth.text
    assert await units_free(api) == 2
    # Another client from elsewhere is not held back by this one.
    other = await hold(api, group("double-sea-view", "family-suite"), who("203.0.113.9"))
    assert other.status_code == 201, other.text


async def test_a_group_over_the_share_is_refused_whole_and_takes_no_place(api: Client) -> None:
    guest = who("198.51.100.7", "group-session-0002")
    assert (await hold(api, wish("garden-single"), guest)).status_code == 201
    # One room held and four asked for together: five, over the four a client may hold.
    over = await hold(
        api, group("double-sea-view", "double-sea-view", "family-suite", "family-suite"), guest
    )
    assert over.status_code == 429, over.text
    # The refused group kept none of its places: three more rooms still fit.
    three = await hold(api, group("double-sea-view", "family-suite", "family-suite"), guest)
    assert three.status_code == 201, three.text
