"""`confirm_hold`: exactly one row becomes a booking, fenced by id and version."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from tests.helpers import DEMO_TOML, add_reservation_async
from widget.inventory.confirm import confirm_hold
from widget.properties.apply import apply_property
from widget.properties.file import parse_property


@pytest.fixture
async def aconn(database_url: str, clean: None) -> Any:
    with psycopg.connect(database_url) as conn:
        apply_property(conn, parse_property(DEMO_TOML))
    async with await psycopg.AsyncConnection.connect(
        database_url, autocommit=True, row_factory=dict_row
    ) as conn:
        yield conn


async def add(conn: Any, unit: str, start: str, end: str, status: str) -> uuid.UUID:
    return await add_reservation_async(
        conn, unit=unit, check_in=start, check_out=end, status=status
    )


async def status_of(conn: Any, rid: uuid.UUID) -> str:
    cur = await conn.execute("SELECT status::text AS s FROM reservation WHERE id = %s", (rid,))
    return (await cur.fetchone())["s"]  # type: ignore[no-any-return]


async def test_a_held_row_becomes_a_booking_once(aconn: Any) -> None:
    hold = await add(aconn, "Room 1", "2027-06-01", "2027-06-04", "held")
    first = await confirm_hold(aconn, hold, 1, "pi_1")
    assert first.confirmed and first.changed and first.reference
    assert await status_of(aconn, hold) == "confirmed"
    again = await confirm_hold(aconn, hold, 1, "pi_1")
    assert again.confirmed and not again.changed
    assert again.reference == first.reference
    other = await confirm_hold(aconn, hold, 2, "pi_2")
    assert not other.confirmed and other.reason == "other_payment"


async def test_a_stale_version_changes_nothing(aconn: Any) -> None:
    hold = await add(aconn, "Room 1", "2027-06-01", "2027-06-04", "held")
    result = await confirm_hold(aconn, hold, 7, "pi_1")
    assert not result.confirmed and result.reason == "stale"
    assert await status_of(aconn, hold) == "held"


async def test_an_expired_hold_is_booked_while_its_nights_are_free(aconn: Any) -> None:
    hold = await add(aconn, "Room 1", "2027-06-01", "2027-06-04", "expired")
    result = await confirm_hold(aconn, hold, 1, "pi_late")
    assert result.confirmed
    assert await status_of(aconn, hold) == "confirmed"


async def test_an_expired_hold_whose_nights_were_taken_is_refused(aconn: Any) -> None:
    hold = await add(aconn, "Room 1", "2027-06-01", "2027-06-04", "expired")
    await add(aconn, "Room 1", "2027-06-03", "2027-06-05", "confirmed")
    result = await confirm_hold(aconn, hold, 1, "pi_late")
    assert not result.confirmed and result.reason == "taken"
    assert await status_of(aconn, hold) == "expired"


async def test_a_released_or_unknown_hold_is_refused(aconn: Any) -> None:
    hold = await add(aconn, "Room 1", "2027-06-01", "2027-06-04", "cancelled")
    assert (await confirm_hold(aconn, hold, 1, "pi")).reason == "released"
    assert (await confirm_hold(aconn, uuid.uuid4(), 1, "pi")).reason == "not_found"


async def test_every_change_bumps_the_inventory_version(aconn: Any) -> None:
    async def version() -> int:
        cur = await aconn.execute("SELECT inventory_version AS v FROM property")
        return (await cur.fetchone())["v"]  # type: ignore[no-any-return]

    before = await version()
    hold = await add(aconn, "Room 2", "2027-06-01", "2027-06-04", "held")
    after_hold = await version()
    await confirm_hold(aconn, hold, 1, "pi_9")
    assert before < after_hold < await version()
