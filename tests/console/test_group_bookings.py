"""A booking of several rooms on the console: any of its rooms moves to another unit (the
exclusion constraint decides, a room of the same booking included), and its dates change
for every room at once, or for none."""

from __future__ import annotations

import re
from typing import Any

import msgspec
import psycopg
import pytest

from engine import Quote
from tests.console.conftest import OWNER, add_booking, csrf_of, enter
from tests.console.test_date_changes import _form
from tests.helpers import OPEN_DEMO_TOML, set_clock
from tests.payments.test_group_readers import cancel_room
from tests.payments.test_manage_booking import manage_link
from tests.payments.test_payment_terms import NOW
from tests.payments.test_room_groups import TERMS_STAY, book_group
from widget.mail.compose import money
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


async def dates_preview(client: Any, reference: str, check_in: str, check_out: str) -> Any:
    preview = await client.get(
        f"/admin/demo/bookings/{reference}/dates",
        params={"check_in": check_in, "check_out": check_out},
    )
    assert preview.status_code == 200, preview.text
    return preview


def stays(conn: psycopg.Connection[Any]) -> list[tuple[str, str]]:
    return [
        (row[0], row[1])
        for row in conn.execute(
            "SELECT lower(stay)::text, upper(stay)::text FROM reservation "
            "WHERE status = 'confirmed' AND group_id IS NOT NULL ORDER BY group_position"
        ).fetchall()
    ]


def quotes_total(conn: psycopg.Connection[Any]) -> tuple[int, int, int]:
    """The rooms' totals, what they take now, and online in all, by their stored quotes."""
    rows = conn.execute(
        "SELECT quote FROM reservation WHERE status = 'confirmed' ORDER BY group_position"
    ).fetchall()
    quotes = [msgspec.convert(row[0], Quote) for row in rows]
    return (
        sum(q.total for q in quotes),
        sum(q.due_now for q in quotes),
        sum(q.online_total for q in quotes),
    )


async def test_a_groups_dates_change_for_every_room_with_the_difference_shown_once(
    app_client: Any, open_people: psycopg.Connection[Any]
) -> None:
    reference = await a_group(app_client, "double-sea-view", "family-suite")
    old_total, deposit, old_online = quotes_total(open_people)
    enter(app_client, open_people, OWNER)
    preview = await dates_preview(app_client, reference, "2027-03-15", "2027-03-17")
    rooms = re.findall(r'data-testid="dates-room" data-unit="([^"]+)"', preview.text)
    assert rooms == units_of_rooms(open_people)  # every room, each with its new price
    assert 'data-settlement="balance"' in preview.text  # the balance not yet charged takes it
    assert stays(open_people) == [("2027-03-15", "2027-03-18")] * 2  # nothing changed yet
    form = _form(preview.text)
    for _ in range(2):  # the same click again changes nothing more
        done = await app_client.post(
            f"/admin/demo/bookings/{reference}/dates", data=form, follow_redirects=False
        )
        assert done.status_code == 303, done.text
    assert stays(open_people) == [("2027-03-15", "2027-03-17")] * 2
    new_total, _, new_online = quotes_total(open_people)
    assert new_total < old_total
    total_text = f"New total €{new_total / 100:,.2f} (was €{old_total / 100:,.2f})"
    assert total_text in preview.text
    # Nothing moved through the provider: the deposit stays, the balance is what is left.
    assert open_people.execute(
        "SELECT coalesce(sum(amount_refunded), 0) FROM demo_payment"
    ).fetchone() == (0,)
    (balance,) = open_people.execute(
        "SELECT amount FROM booking_charge WHERE kind = 'balance' AND status = 'scheduled'"
    ).fetchone()
    assert deposit + balance == new_online < old_online  # the parts still add up
    assert open_people.execute(
        "SELECT count(*) FROM outbox_message WHERE kind = 'guest_dates_changed'"
    ).fetchone() == (1,)
    mail = open_people.execute(
        "SELECT body_text FROM outbox_message WHERE kind = 'guest_dates_changed'"
    ).fetchone()
    assert money(new_total, "EUR", "de") in mail[0]  # the rooms' new total, not one room's
    # Cancelling now (free) gives back exactly what was taken: the deposit.
    cancel = (await app_client.get(f"/admin/demo/bookings/{reference}/cancel")).text
    assert f"gives back €{deposit / 100:,.2f} of the €{deposit / 100:,.2f} paid" in cancel
    # One room may still go alone (tests/console/test_group_dates_money.py says how much
    # comes back); the other keeps its new dates.
    path, secret = manage_link(open_people)
    alone = await cancel_room(app_client, path, secret, 1)
    assert alone.status_code == 200, alone.text
    assert stays(open_people) == [("2027-03-15", "2027-03-17")]


async def test_a_groups_new_dates_are_all_or_nothing_naming_the_room_in_the_way(
    app_client: Any, open_people: psycopg.Connection[Any]
) -> None:
    reference = await a_group(app_client, "double-sea-view", "family-suite")
    suite_unit = units_of_rooms(open_people)[1]
    add_booking(open_people, "CLASH2", "2027-03-18", "2027-03-20", unit=suite_unit)
    enter(app_client, open_people, OWNER)
    preview = await dates_preview(app_client, reference, "2027-03-15", "2027-03-19")
    assert 'data-testid="dates-clash"' in preview.text and "CLASH2" in preview.text
    form = _form(preview.text)
    refused = await app_client.post(f"/admin/demo/bookings/{reference}/dates", data=form)
    assert refused.status_code == 409
    assert f"{suite_unit} is not free for these dates" in refused.text
    assert "booking CLASH2" in refused.text
    assert stays(open_people) == [("2027-03-15", "2027-03-18")] * 2  # neither room moved
    assert open_people.execute("SELECT count(*) FROM booking_change").fetchone() == (0,)
