"""Guests and privacy: find by e-mail, export everything held, erase, forget after N years."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg.rows import dict_row

from tests.console.conftest import Ran
from tests.helpers import (
    DEMO_TOML,
    add_reservation,
    move_property_clock,
    property_toml,
    set_clock,
    stored_quote,
)
from widget.app import worker_services
from widget.background import jobs
from widget.errors import StayNotEnded
from widget.guests.privacy import (
    erase_departed_guests,
    erase_guest,
    find_guest,
    guest_property,
    guest_record,
)
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings

ROME = ZoneInfo("Europe/Rome")
ANNA = {
    "name": "Anna Rossi",
    "email": "Anna@Example.com",
    "phone": "+39 333",
    "language": "it",
    "note": "late arrival",
}


def _booking(
    conn: psycopg.Connection[Any],
    ref: str,
    check_in: str,
    check_out: str,
    guest: dict[str, Any] = ANNA,
    unit: str = "Room 1",
    **more: Any,
) -> Any:
    booking = add_reservation(
        conn,
        check_in=check_in,
        check_out=check_out,
        unit=unit,
        reference=ref,
        guest=guest,
        adults=2,
        quote=stored_quote(check_in, check_out, due_now=30000, total=30500),
        payment_ref=f"pay_{ref}",
        client_address="203.0.113.9",
        **more,
    )
    conn.execute(
        """INSERT INTO outbox_message (reservation_id, kind, recipient, subject, body_text,
                                       body_html)
           VALUES (%s, 'confirmation', %s, 'Your booking', 'Dear Anna', '<p>Dear Anna</p>')""",
        (booking, guest["email"]),
    )
    conn.commit()
    return booking


@pytest.fixture
async def conn(
    demo_property: psycopg.Connection[Any], database_url: str
) -> AsyncIterator[psycopg.AsyncConnection[dict[str, Any]]]:
    set_clock(demo_property, datetime(2027, 3, 1, 9, 0, tzinfo=ROME))
    _booking(demo_property, "PAST1", "2025-05-01", "2025-05-04")
    _booking(demo_property, "PAST2", "2027-01-10", "2027-01-12", unit="Room 2")
    _booking(
        demo_property,
        "OTHER",
        "2026-05-01",
        "2026-05-04",
        unit="Room 3",
        guest={"name": "Bo", "email": "bo@example.com"},
    )
    async with await psycopg.AsyncConnection.connect(
        database_url, autocommit=True, row_factory=dict_row
    ) as connection:
        yield connection


async def test_a_guest_is_found_by_email_in_any_case(conn: Any) -> None:
    place = await guest_property(conn, "demo")
    stays = await find_guest(conn, place, "  anna@example.COM ")
    assert [s.reference for s in stays] == ["PAST1", "PAST2"]
    assert stays[0].name == "Anna Rossi" and stays[0].unit == "Room 1"


async def test_the_export_holds_everything_about_the_guest_and_nobody_else(conn: Any) -> None:
    place = await guest_property(conn, "demo")
    record = await guest_record(conn, place, "anna@example.com")
    text = json.dumps(record)
    assert [r["reference"] for r in record["reservations"]] == ["PAST1", "PAST2"]
    assert record["reservations"][0]["guest"]["phone"] == "+39 333"
    assert record["reservations"][0]["client_address"] == "203.0.113.9"
    assert record["reservations"][0]["quote"]["total"] == 30500
    assert [m["body_text"] for m in record["emails"]] == ["Dear Anna", "Dear Anna"]
    assert "Bo" not in text and "bo@example.com" not in text


async def test_erasing_keeps_amounts_and_dates_and_forgets_the_person(conn: Any) -> None:
    place = await guest_property(conn, "demo")
    assert await erase_guest(conn, place, "anna@example.com") == 2
    assert await find_guest(conn, place, "anna@example.com") == []
    cur = await conn.execute(
        """SELECT r.reference, r.guest, r.quote, lower(r.stay) AS check_in, r.payment_ref,
                  r.client_address, r.guest_erased_at, m.recipient, m.body_text, m.body_html
           FROM reservation r JOIN outbox_message m ON m.reservation_id = r.id
           WHERE r.reference = 'PAST1'"""
    )
    row = await cur.fetchone()
    assert row["guest"] == {"name": "erased guest", "email": "", "language": "it"}
    assert row["quote"]["total"] == 30500 and str(row["check_in"]) == "2025-05-01"
    assert row["payment_ref"] == "pay_PAST1"
    assert row["client_address"] is None and row["guest_erased_at"] is not None
    assert (row["recipient"], row["body_text"], row["body_html"]) == ("erased", "", "")
    others = await find_guest(conn, place, "bo@example.com")
    assert [s.name for s in others] == ["Bo"]


async def test_a_guest_whose_stay_has_not_ended_is_not_erased(
    conn: Any, demo_property: psycopg.Connection[Any]
) -> None:
    _booking(demo_property, "NOW", "2027-02-27", "2027-03-02", unit="Suite 4")
    place = await guest_property(conn, "demo")
    with pytest.raises(StayNotEnded, match="NOW"):
        await erase_guest(conn, place, "anna@example.com")
    assert len(await find_guest(conn, place, "anna@example.com")) == 3


async def test_retention_forgets_guests_some_years_after_they_left(
    conn: Any, demo_property: psycopg.Connection[Any]
) -> None:
    assert await erase_departed_guests(conn) == 0  # the demo keeps guests until erased
    apply_property(
        demo_property,
        parse_property(
            DEMO_TOML.replace('locale = "en"', 'locale = "en"\nguest_retention_years = 1')
        ),
    )
    assert await erase_departed_guests(conn) == 1  # May 2025 left more than a year ago
    place = await guest_property(conn, "demo")
    assert place.retention_years == 1
    assert [s.reference for s in await find_guest(conn, place, "anna@example.com")] == ["PAST2"]
    assert await erase_departed_guests(conn) == 0


async def test_the_retention_job_is_one_of_the_workers_jobs_and_forgets_departed_guests(
    conn: Any, demo_property: psycopg.Connection[Any], quiet_settings: Settings
) -> None:
    years = 'locale = "en"\nguest_retention_years = 1'
    apply_property(demo_property, parse_property(DEMO_TOML.replace('locale = "en"', years)))
    services = worker_services(quiet_settings)
    retention = {job.name: job for job in jobs(services)}["guest-retention"]
    assert retention.every_seconds <= 24 * 3600
    await services.pool.open()
    try:
        assert await retention.run() == 1  # May 2025 left more than a year ago
        assert await retention.run() == 0
    finally:
        await services.pool.close()
    place = await guest_property(conn, "demo")
    assert [s.reference for s in await find_guest(conn, place, "anna@example.com")] == ["PAST2"]


def test_the_commands_find_export_and_erase(conn: Any, command: Callable[..., Ran]) -> None:
    found = command("guest", "find", "--property", "demo", "--email", "anna@example.com")
    assert found.returncode == 0, found.stderr
    assert "PAST1" in found.stdout and "Anna Rossi" in found.stdout
    exported = command("guest", "export", "--property", "demo", "--email", "anna@example.com")
    assert json.loads(exported.stdout)["reservations"][1]["reference"] == "PAST2"
    erased = command("guest", "erase", "--property", "demo", "--email", "anna@example.com")
    assert "erased the guest from 2 reservations" in erased.stdout, erased.stderr
    nobody = command("guest", "find", "--property", "demo", "--email", "nobody")
    assert nobody.returncode == 2
    assert "enter the guest's e-mail address" in nobody.stderr


async def test_a_property_whose_clock_moved_past_a_stay_erases_its_guest_another_does_not(
    conn: Any, demo_property: psycopg.Connection[Any]
) -> None:
    # On the deployment's 1 March 2027 Anna is staying at both houses until 2 March...
    apply_property(demo_property, parse_property(property_toml("casa")))
    _booking(demo_property, "CASA1", "2027-02-27", "2027-03-02", property_slug="casa")
    _booking(demo_property, "NOW", "2027-02-27", "2027-03-02", unit="Suite 4")
    # ...and casa, a test property, is two days further on.
    move_property_clock(demo_property, "casa", timedelta(days=2))
    casa = await guest_property(conn, "casa")
    assert casa.today == date(2027, 3, 3)
    [stay] = await find_guest(conn, casa, "anna@example.com")
    assert (stay.reference, stay.ended) == ("CASA1", True)
    assert await erase_guest(conn, casa, "anna@example.com") == 1
    cur = await conn.execute(
        "SELECT guest, guest_erased_at FROM reservation WHERE reference = 'CASA1'"
    )
    row = await cur.fetchone()
    assert row["guest"]["name"] == "erased guest"
    assert row["guest_erased_at"].astimezone(ROME).date() == date(2027, 3, 3)

    demo = await guest_property(conn, "demo")
    assert demo.today == date(2027, 3, 1)
    stays = {s.reference: s.ended for s in await find_guest(conn, demo, "anna@example.com")}
    assert stays == {"PAST1": True, "PAST2": True, "NOW": False}
    with pytest.raises(StayNotEnded, match="NOW"):
        await erase_guest(conn, demo, "anna@example.com")


async def test_retention_counts_years_on_each_propertys_own_clock(
    conn: Any, demo_property: psycopg.Connection[Any]
) -> None:
    years = 'locale = "en"\nguest_retention_years = 1'
    apply_property(
        demo_property,
        parse_property(property_toml("casa").replace('locale = "en"', years)),
    )
    _booking(demo_property, "CASA1", "2026-04-01", "2026-04-03", property_slug="casa")
    assert await erase_departed_guests(conn) == 0  # left eleven months ago
    move_property_clock(demo_property, "casa", timedelta(days=40))
    assert await erase_departed_guests(conn) == 1  # a year and a few days on casa's clock
    casa = await guest_property(conn, "casa")
    assert await find_guest(conn, casa, "anna@example.com") == []
