"""A room another channel sold while a guest was paying for it in the widget: the import
takes it, and the guest is told at confirmation, with the authorisation cancelled (as when
another widget guest was faster)."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

import psycopg

from tests.payments.conftest import GUEST, HeldRoom, assert_settled, demo_payments
from tests.sync.feed_server import Route, running
from tests.sync.importing import blocked, connect_feeds, nights_of, run, sync_settings
from tests.sync.samples import airbnb
from widget.settings import Settings


async def test_an_imported_stay_takes_a_held_room_and_the_guest_is_not_charged(
    demo_api: Any,
    held: HeldRoom,
    demo_property: psycopg.Connection[Any],
    quiet_settings: Settings,
    database_url: str,
) -> None:
    checkout = await demo_api.post(
        f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=held.headers
    )
    assert checkout.status_code == 200, checkout.text
    with contextlib.contextmanager(running)() as server:
        server.routes["/a.ics"] = Route(airbnb([(date(2027, 6, 2), date(2027, 6, 3))]))
        connect_feeds(demo_property, server, [("Room 1", "Airbnb", "/a.ics")])
        [imported] = await run(database_url, sync_settings(quiet_settings))
    assert imported.report is not None and imported.report.holds_ended == 1
    assert nights_of(blocked(demo_property)) == [(date(2027, 6, 2), date(2027, 6, 3))]

    answer = await demo_api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    assert answer.status_code == 409
    body = answer.json()
    assert body["error"] == "room_taken" and "not been charged" in body["message"]
    payments = demo_payments(demo_property)
    assert list(payments.values()) == ["canceled"]
    assert_settled(demo_property, payments)
