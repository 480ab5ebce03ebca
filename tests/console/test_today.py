"""Today: arrivals, departures and stay-overs for today and tomorrow in the property's
zone, with what is paid and what is still due at the property."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from tests.console.conftest import OWNER, add_account, add_booking, enter
from tests.helpers import move_property_clock, set_clock


def rows(html: str, day: str, kind: str) -> list[str]:
    section = html.split(f'data-date="{day}"', 1)[1].split('data-testid="day"', 1)[0]
    return re.findall(
        rf'data-testid="booking-row" data-reference="([^"]+)" data-kind="{kind}"', section
    )


async def test_today_is_the_propertys_today(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    # 22:30 in London is already the next day in Rome, the demo's zone.
    set_clock(people, datetime(2027, 6, 1, 22, 30, tzinfo=UTC))
    add_booking(people, "ARRIVE", "2027-06-02", "2027-06-04", note="Late, about 23:00")
    add_booking(people, "LEAVE", "2027-05-30", "2027-06-02", unit="Room 2")
    add_booking(people, "STAY", "2027-06-01", "2027-06-05", unit="Room 3", captured=False)
    add_booking(people, "LATER", "2027-06-03", "2027-06-06", unit="Room 2")
    add_booking(people, "GONE", "2027-05-20", "2027-05-25")
    enter(app_client, people, OWNER)
    page = (await app_client.get("/admin/demo/")).text
    assert 'data-testid="today"' in page
    assert rows(page, "2027-06-02", "arrival") == ["ARRIVE"]
    assert rows(page, "2027-06-02", "departure") == ["LEAVE"]
    assert rows(page, "2027-06-02", "stay-over") == ["STAY"]
    assert rows(page, "2027-06-03", "arrival") == ["LATER"]
    assert rows(page, "2027-06-03", "stay-over") == ["ARRIVE", "STAY"]
    assert "GONE" not in page
    assert "Late, about 23:00" in page
    arrival = page.split('data-reference="ARRIVE"', 1)[1].split("</tr>", 1)[0]
    assert "€300.00" in arrival  # paid at booking
    assert "€12.00" in arrival  # the city tax, due at the property
    unpaid = page.split('data-reference="STAY"', 1)[1].split("</tr>", 1)[0]
    # Authorised, not captured yet: the provider takes it, the desk collects the city tax.
    assert "€12.00" in unpaid and "Still to pay online: €300.00" in unpaid
    assert 'href="/admin/demo/bookings/ARRIVE"' in arrival


async def test_another_propertys_bookings_are_not_shown(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    set_clock(people, datetime(2027, 6, 2, 9, 0, tzinfo=UTC))
    add_booking(people, "OTHERS", "2027-06-02", "2027-06-04", property_slug="other")
    enter(app_client, people, OWNER)
    assert "OTHERS" not in (await app_client.get("/admin/demo/")).text


async def test_a_test_propertys_moved_clock_moves_its_today_only(
    app_client: Any, people: psycopg.Connection[Any], password_hash: str
) -> None:
    set_clock(people, datetime(2027, 6, 1, 9, 0, tzinfo=UTC))
    add_booking(people, "LATER", "2027-06-10", "2027-06-12")
    add_booking(people, "THERE", "2027-06-01", "2027-06-03", property_slug="other")
    move_property_clock(people, "demo", timedelta(days=9))  # the testing API's move
    enter(app_client, people, OWNER)
    assert rows((await app_client.get("/admin/demo/")).text, "2027-06-10", "arrival") == ["LATER"]
    add_account(people, OWNER, "other", "owner", password_hash)  # unmoved
    assert rows((await app_client.get("/admin/other/")).text, "2027-06-01", "arrival") == ["THERE"]
