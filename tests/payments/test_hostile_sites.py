"""Another website must not book, hold or cancel through its visitors' browsers: JSON
endpoints take only JSON (a "simple" cross-site request needs no preflight), and writes
carrying an Origin must come from the service itself or a site the property allows."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest

from tests.payments.conftest import GUEST, HeldRoom, hold_room
from tests.payments.test_manage_booking import book, manage_link

SITE = "http://127.0.0.1:8001"  # allowed by properties/demo.toml
STRANGER = "https://copycat.example"
OWN = "http://testserver.local"  # the test client's own origin: the widget page's
STAY = {
    "room_type": "double-sea-view",
    "check_in": "2027-06-10",
    "check_out": "2027-06-12",
    "adults": 2,
}


def reservations(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT id, status::text, payment_ref, guest FROM reservation ORDER BY id"
    ).fetchall()


def writes(held: HeldRoom) -> list[tuple[str, str, dict[str, Any]]]:
    """Every write of the widget API, with a body that would otherwise be accepted."""
    hold = f"/api/v1/holds/{held.id}"
    return [
        ("POST", "/api/v1/properties/demo/quotes", {"json": STAY}),
        ("POST", "/api/v1/properties/demo/holds", {"json": STAY}),
        ("POST", f"{hold}/checkout", {"json": GUEST, "headers": held.headers}),
        ("POST", f"{hold}/confirm", {"headers": held.headers}),
        ("POST", f"{hold}/release", {"content": json.dumps({"token": held.token})}),
        ("DELETE", hold, {"headers": held.headers}),
    ]


@pytest.mark.parametrize("media", ["text/plain", "application/x-www-form-urlencoded"])
async def test_json_endpoints_refuse_other_media_types_and_change_nothing(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any], media: str
) -> None:
    before = reservations(demo_property)
    hold = f"/api/v1/holds/{held.id}"
    for url, body in [
        ("/api/v1/properties/demo/quotes", STAY),
        ("/api/v1/properties/demo/holds", STAY),
        (f"{hold}/checkout", GUEST),
        (f"{hold}/confirm", {}),
    ]:
        headers = {"Content-Type": media, **held.headers}
        answer = await demo_api.post(url, content=json.dumps(body), headers=headers)
        assert answer.status_code == 415, (url, answer.text)
        assert answer.json()["error"] == "unsupported_media_type"
    assert reservations(demo_property) == before


@pytest.mark.parametrize(
    ("media", "body"),
    [
        ("text/plain;charset=UTF-8", "json"),  # sendBeacon(url, string) or a text Blob
        ("application/x-www-form-urlencoded", "form"),  # sendBeacon(url, URLSearchParams)
        (None, "json"),  # sendBeacon(url, new Blob([...])) without a type
        ("application/json", "json"),
    ],
)
async def test_the_beacon_release_still_takes_what_send_beacon_sends(
    demo_api: Any, demo_property: psycopg.Connection[Any], media: str | None, body: str
) -> None:
    held = hold_room(demo_property)
    content = json.dumps({"token": held.token}) if body == "json" else f"token={held.token}"
    headers = {"Origin": OWN} | ({"Content-Type": media} if media else {})
    answer = await demo_api.post(
        f"/api/v1/holds/{held.id}/release", content=content, headers=headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "released"


@pytest.mark.parametrize("origin", [STRANGER, "null", "http://testserver.local.evil.example"])
async def test_writes_from_a_site_the_property_does_not_allow_are_403(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any], origin: str
) -> None:
    before = reservations(demo_property)
    for method, url, kwargs in writes(held):
        headers = {**kwargs.pop("headers", {}), "Origin": origin}
        answer = await demo_api.request(method, url, headers=headers, **kwargs)
        assert answer.status_code == 403, (method, url, answer.text)
        assert answer.json()["error"] == "origin_not_allowed"
        assert "access-control-allow-origin" not in answer.headers
    assert reservations(demo_property) == before


@pytest.mark.parametrize("origin", [OWN, SITE, None])
async def test_writes_from_the_service_an_allowed_site_or_no_browser_go_through(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any], origin: str | None
) -> None:
    for method, url, kwargs in writes(held):
        headers = kwargs.pop("headers", {}) | ({"Origin": origin} if origin else {})
        answer = await demo_api.request(method, url, headers=headers, **kwargs)
        assert answer.status_code in (200, 201, 409), (method, url, answer.text)
    # The fixture's hold was booked (so its release was a 409); the new hold stands.
    assert sorted(status for _, status, _, _ in reservations(demo_property)) == [
        "confirmed",
        "held",
    ]


async def test_a_booking_is_cancelled_only_from_the_service_s_own_page(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any]
) -> None:
    reference = await book(demo_api, held)
    path, secret = manage_link(demo_property)
    page = await demo_api.get(path, params={"key": secret})
    token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    form = {"key": secret, "_csrf_token": token}
    refused = await demo_api.post(f"{path}/cancel", data=form, headers={"Origin": STRANGER})
    assert refused.status_code == 403 and refused.json()["error"] == "origin_not_allowed"
    booking = await demo_api.get(
        f"/api/v1/bookings/{reference}", headers={"X-Booking-Secret": secret}
    )
    assert booking.json()["status"] == "confirmed"
    done = await demo_api.post(f"{path}/cancel", data=form, headers={"Origin": OWN})
    assert done.status_code == 200, done.text
    booking = await demo_api.get(
        f"/api/v1/bookings/{reference}", headers={"X-Booking-Secret": secret}
    )
    assert booking.json()["status"] == "cancelled"
