"""The calendar: the tape chart of a month (bookings, blocks, live holds greyed with their
expiry) and blocks made by picking a night, refused where anything is in the way."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from tests.console.conftest import STAFF, add_booking, csrf_of, enter
from tests.helpers import add_reservation, set_clock


def cells(html: str, unit: str) -> str:
    return html.split(f'data-unit="{unit}"', 1)[1].split("</tr>", 1)[0]


async def test_the_tape_chart_shows_a_month(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    set_clock(people, datetime(2027, 6, 10, 8, 0, tzinfo=UTC))
    add_booking(people, "TAPE1", "2027-06-03", "2027-06-06", name="Ana Díaz")
    add_booking(people, "EDGE", "2027-05-29", "2027-06-02", unit="Room 3")
    people.execute(
        """INSERT INTO reservation (property_id, unit_id, stay, status, block_reason)
           SELECT property_id, id, daterange('2027-06-20', '2027-06-23'), 'blocked', 'painting'
           FROM unit
           WHERE name = 'Room 2' AND property_id = (SELECT id FROM property WHERE slug = 'demo')"""
    )
    add_reservation(
        people,
        check_in="2027-06-12",
        check_out="2027-06-14",
        unit="Suite 4",
        status="held",
        hold_for=timedelta(minutes=10),
    )
    add_reservation(
        people,
        check_in="2027-06-15",
        check_out="2027-06-16",
        unit="Suite 4",
        status="held",
        hold_for=timedelta(minutes=-1),
    )
    add_booking(people, "NOTOURS", "2027-06-03", "2027-06-06", property_slug="other")
    enter(app_client, people, STAFF)
    page = (await app_client.get("/admin/demo/calendar?month=2027-06")).text
    assert 'data-testid="tape-chart" data-month="2027-06"' in page
    room1 = cells(page, "Room 1")
    assert re.search(r'<td colspan="3" class="booked"><a href="/admin/demo/bookings/TAPE1"', room1)
    assert "Ana Díaz" in room1
    assert room1.count('data-testid="tape-free"') == 30 - 3
    # A stay from May is shown from the 1st, for the nights it has in June.
    assert re.search(r'<td colspan="1" class="booked"><a href="/admin/demo/bookings/EDGE"', page)
    room2 = cells(page, "Room 2")
    assert 'colspan="3" class="blocked"' in room2 and "painting" in room2
    suite4 = cells(page, "Suite 4")
    assert suite4.count('data-testid="tape-hold"') == 1  # the lapsed hold is free again
    assert "held until 10:10" in suite4  # the expiry in Rome's time
    assert "NOTOURS" not in page
    assert 'href="?month=2027-05"' in page and 'href="?month=2027-07"' in page


async def test_a_hold_that_ends_on_another_day_shows_that_day(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    set_clock(people, datetime(2027, 6, 10, 21, 30, tzinfo=UTC))  # 23:30 in Rome
    add_reservation(  # a phone booking's hold, waiting a day for its payment
        people,
        check_in="2027-06-20",
        check_out="2027-06-22",
        unit="Room 3",
        status="held",
        hold_for=timedelta(hours=24),
    )
    add_reservation(  # past midnight in Rome, though still the 10th in UTC
        people,
        check_in="2027-06-24",
        check_out="2027-06-25",
        unit="Suite 4",
        status="held",
        hold_for=timedelta(hours=1),
    )
    enter(app_client, people, STAFF)
    page = (await app_client.get("/admin/demo/calendar?month=2027-06")).text
    assert "held until Fri, Jun 11, 23:30" in cells(page, "Room 3")
    assert "held until Fri, Jun 11, 00:30" in cells(page, "Suite 4")
    people.execute("UPDATE console_user SET language = 'de' WHERE email = %s", (STAFF,))
    page = (await app_client.get("/admin/demo/calendar?month=2027-06")).text
    assert "reserviert bis Fr., 11. Juni, 23:30" in cells(page, "Room 3")


async def test_a_bad_month_is_named(app_client: Any, people: psycopg.Connection[Any]) -> None:
    enter(app_client, people, STAFF)
    answer = await app_client.get("/admin/demo/calendar?month=June")
    assert answer.status_code == 422
    assert "is not a month like 2027-06" in answer.text


async def test_a_picked_night_is_blocked_and_lifted(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    set_clock(people, datetime(2027, 6, 10, 8, 0, tzinfo=UTC))
    enter(app_client, people, STAFF)
    picked = await app_client.get(
        "/admin/demo/calendar", params={"month": "2027-06", "unit": "Room 2", "night": "2027-06-18"}
    )
    assert 'value="2027-06-18" data-testid="block-first"' in picked.text
    assert '<option value="Room 2" selected>' in picked.text
    token = csrf_of(picked.text)
    made = await app_client.post(
        "/admin/demo/calendar/blocks",
        data={
            "unit": "Room 2",
            "first": "2027-06-18",
            "last": "2027-06-19",
            "reason": "boiler",
            "_csrf_token": token,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    chart = (await app_client.get(made.headers["location"])).text
    assert 'data-testid="calendar-notice"' in chart
    block = re.search(r'data-testid="tape-block" data-unit="Room 2" data-first="2027-06-18"', chart)
    assert block is not None and 'colspan="2" class="blocked"' in chart
    history = people.execute("SELECT actor, action FROM console_event").fetchall()
    assert history == [(STAFF, "block_added")]
    lift = re.search(r'action="(/admin/demo/calendar/blocks/[0-9a-f-]+/lift)"', chart)
    assert lift is not None
    lifted = await app_client.post(lift.group(1), data={"month": "2027-06", "_csrf_token": token})
    assert lifted.status_code == 200
    assert 'data-testid="tape-block"' not in lifted.text


async def test_a_block_over_a_booking_is_refused_naming_it(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    set_clock(people, datetime(2027, 6, 10, 8, 0, tzinfo=UTC))
    add_booking(people, "INWAY", "2027-06-20", "2027-06-22")
    enter(app_client, people, STAFF)
    page = await app_client.get("/admin/demo/calendar?month=2027-06")
    answer = await app_client.post(
        "/admin/demo/calendar/blocks",
        data={
            "unit": "Room 1",
            "first": "2027-06-19",
            "last": "2027-06-21",
            "reason": "painting",
            "_csrf_token": csrf_of(page.text),
        },
    )
    assert answer.status_code == 409
    assert "booking INWAY" in answer.text
    assert 'value="painting"' in answer.text  # what was typed is kept
    blocks = people.execute("SELECT count(*) FROM reservation WHERE status = 'blocked'")
    assert blocks.fetchone() == (0,)
