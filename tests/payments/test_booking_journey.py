"""A guest's whole journey through the public API with the demo provider: hold, checkout,
confirm, read the booking, and the nights are no longer free."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import psycopg

from tests.payments.conftest import GUEST, assert_settled, demo_payments


async def test_hold_checkout_confirm_through_the_api(
    demo_api: Any, demo_property: psycopg.Connection[Any]
) -> None:
    stay = {
        "room_type": "garden-single",
        "check_in": "2027-09-06",
        "check_out": "2027-09-08",
        "adults": 1,
    }
    hold = await demo_api.post("/api/v1/properties/demo/holds", json=stay)
    assert hold.status_code == 201, hold.text
    held = hold.json()
    headers = {"X-Hold-Token": held["token"], "Idempotency-Key": "journey-checkout"}
    checkout = await demo_api.post(
        f"/api/v1/holds/{held['id']}/checkout", json=GUEST, headers=headers
    )
    assert checkout.status_code == 200, checkout.text
    assert checkout.json()["amount"] == {
        "amount": held["quote"]["due_now"],
        "currency": held["quote"]["currency"],
    }
    confirm = await demo_api.post(
        f"/api/v1/holds/{held['id']}/confirm", headers={"X-Hold-Token": held["token"]}
    )
    assert confirm.status_code == 200, confirm.text
    booked = confirm.json()
    assert booked["status"] == "confirmed"
    # The confirm answer carries the guest's manage link; its key reads the booking.
    link = urlsplit(booked["manage_url"])
    assert link.path == f"/manage/{booked['reference']}"
    secret = parse_qs(link.query)["key"][0]
    read = await demo_api.get(
        f"/api/v1/bookings/{booked['reference']}", headers={"X-Booking-Secret": secret}
    )
    assert read.status_code == 200, read.text
    assert read.json()["reference"] == booked["reference"]
    again = await demo_api.post(
        f"/api/v1/holds/{held['id']}/confirm", headers={"X-Hold-Token": held["token"]}
    )
    assert again.json()["manage_url"] == booked["manage_url"]
    wrong = await demo_api.get(
        f"/api/v1/bookings/{booked['reference']}", headers={"X-Booking-Secret": secret[:-2]}
    )
    assert wrong.status_code == 404
    # The only single room is now booked: a second guest cannot hold it.
    second = await demo_api.post("/api/v1/properties/demo/holds", json=stay)
    assert second.status_code == 409
    assert_settled(demo_property, demo_payments(demo_property))
