"""A booking of several rooms on the console: any of its rooms moves to another unit (the
exclusion constraint decides, a room of the same booking included), and its dates change
for every room at once, or for none."""

from __future__ import annotations

import re
from typing import Any

import psycopg
import pytest

from tests.console.conftest import OWNER, csrf_of, enter
from tests.helpers import OPEN_DEMO_TOML, set_clock
from tests.payments.test_payment_terms import NOW
from tests.payments.test_room_groups import TERMS_STAY, book_group
from widget.properties.apply import apply_property
from widget.properties.file import parse_property


@pytest.fixture
def open_people(people: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
    """The console's people, on the demo where one client may hold all of it."""
    apply_property(people, parse_property(OPEN_DEMO_TOML))
    set_clock(people, NOW)
    return people


async def a_group(client: Any, *room_types: str) -> str:
    party = {"double-sea-view": 2, "family-suite": 3, "garden-single": 1}
    rooms = [{"room_type": t, "adults": party[t], "rate_plan": "flexible"} for t in room_types]
    _, done = await book_group(client, {**TERMS_STAY, "rooms": rooms})
    return str(done["reference"])


def units_of_rooms(conn: psycopg.Connection[Any]) -> list[str]:
    """The unit of each room of the (one) booking, in the guest's order."""
    return [
        row[0]
        for row in conn.execute(
            "SELECT u.name FROM reservation r JOIN unit u ON u.id = r.unit_id "
            "WHERE r.status = 'confirmed' ORDER BY r.group_position"
        ).fetchall()
    ]


def unit_ids(page: str) -> dict[str, str]:
    found = re.findall(
        r'value="(\d+)"\s+(?:disabled\s+)?data-testid="move-unit" data-unit="([^"]+)"', page
    )
    return {name: unit_id for unit_id, name in found}


async def test_the_owner_moves_any_room_of_a_group(
    app_client: Any, open_people: psycopg.Connection[Any]
) -> None:
    reference = await a_group(app_client, "double-sea-view", "double-sea-view", "family-suite")
    before = units_of_rooms(open_people)
    assert len(before) == 3
    enter(app_client, open_people, OWNER)
    base = f"/admin/demo/bookings/{reference}/move"
    choose = await app_client.get(base, params={"room": 1})
    assert choose.status_code == 200
    assert 'data-testid="move-room" data-room="2"' in choose.text  # every room can be chosen
    units = unit_ids(choose.text)
    # The room's own unit is where it is now; the rest of its booking is in the way.
    assert re.search(rf'disabled data-testid="move-unit" data-unit="{before[1]}"', choose.text)
    free = next(name for name in ("Room 1", "Room 2", "Room 3") if name not in before)
    preview = await app_client.get(base, params={"room": 1, "unit": units[free]})
    assert f"moves from {before[1]} to {free}" in preview.text
    token = csrf_of(preview.text)
    version = re.search(r'name="version" value="(\d+)"', preview.text)
    assert version is not None
    # Onto the unit of the booking's own first room: the constraint refuses, naming it.
    clash = await app_client.post(
        base,
        data={"unit": units[before[0]], "room": "1", "version": version[1], "_csrf_token": token},
    )
    assert clash.status_code == 409
    assert f"booking {reference}" in clash.text
    assert units_of_rooms(open_people) == before
    for _ in range(2):  # the same click again: already there, nothing more
        moved = await app_client.post(
            base,
            data={"unit": units[free], "room": "1", "version": version[1], "_csrf_token": token},
            follow_redirects=False,
        )
        assert moved.status_code == 303
    assert units_of_rooms(open_people) == [before[0], free, before[2]]
    history = open_people.execute(
        "SELECT detail FROM console_event WHERE action = 'moved'"
    ).fetchall()
    assert history == [(f"room 2: {before[1]} → {free}",)]
    # The suite moves too; a stale page (the version it read) changes nothing.
    stale = await app_client.post(
        base,
        data={"unit": units[before[1]], "room": "2", "version": version[1], "_csrf_token": token},
    )
    assert stale.status_code == 409
    assert units_of_rooms(open_people) == [before[0], free, before[2]]


async def test_a_room_the_booking_does_not_have_is_refused_naming_the_field(
    app_client: Any, open_people: psycopg.Connection[Any]
) -> None:
    reference = await a_group(app_client, "double-sea-view", "family-suite")
    enter(app_client, open_people, OWNER)
    base = f"/admin/demo/bookings/{reference}/move"
    page = await app_client.get(base, params={"room": 0})
    (version,) = open_people.execute(
        "SELECT version FROM reservation WHERE reference = %s", (reference,)
    ).fetchone()
    answer = await app_client.post(
        base,
        data={"unit": "1", "room": "5", "version": version, "_csrf_token": csrf_of(page.text)},
    )
    assert answer.status_code == 422 and "room" in answer.text
