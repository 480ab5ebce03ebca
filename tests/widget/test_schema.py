"""The schema: every migration applies to an empty database, and Postgres itself refuses
two active reservations of one unit on one night."""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import errors

from tests.helpers import DEMO_TOML, add_reservation
from widget.migrate import available, migrate
from widget.properties.apply import apply_property
from widget.properties.file import parse_property

EXPECTED_TABLES = {
    "property",
    "room_type",
    "unit",
    "reservation",
    "webhook_event",
    "clock_offset",
    "schema_migration",
    "schema_migration_lease",
    "payment_settling",
    "idempotency_key",
    "demo_payment",
    "outbox_message",
    "channel",
    "export_feed",
    "rule_change",
    "export_served",
    "webhook_endpoint",
    "webhook_delivery",
    "payment_link",  # the guest's payment page (0024)
    "channel_feed",
    "imported_event",
    "sync_conflict",
    # the owner's console (0012)
    "console_user",
    "membership",
    "console_session",
    "console_login_failure",
    "console_guessing_notice",
    "console_password_reset",
    "console_recovery_code",
    "room_photo",
    "console_invite",
    "console_event",
    "booking_charge",
    "charge_attempt",
    "demo_customer",
    # the front desk (0025)
    "booking_change",
    # captured payments no reservation pointed to, and what became of them (0033)
    "payment_recovery",
    # where the reconciler's walk through the provider's payments stands, and the payments
    # it put aside until settled (0035)
    "payment_listing",
    "payment_listing_wait",
    # the demo provider's refunds by idempotency key, as Stripe keeps them (0039)
    "demo_refund",
}


def test_every_migration_applies_to_an_empty_database_once(empty_database: str) -> None:
    applied = migrate(empty_database)
    assert [m.version for m in applied] == [m.version for m in available()]
    assert migrate(empty_database) == []  # a second run has nothing to do
    with psycopg.connect(empty_database) as conn:
        tables = {
            r[0]
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        recorded = [
            r[0] for r in conn.execute("SELECT version FROM schema_migration ORDER BY version")
        ]
        statuses = [
            r[0] for r in conn.execute("SELECT unnest(enum_range(NULL::reservation_status))::text")
        ]
    assert tables == EXPECTED_TABLES
    assert recorded == [m.version for m in available()]
    assert statuses == ["held", "confirmed", "cancelled", "expired", "blocked"]


@pytest.fixture
def unit_id(db: psycopg.Connection[tuple[object, ...]]) -> int:
    apply_property(db, parse_property(DEMO_TOML))
    row = db.execute("SELECT id FROM unit WHERE name = 'Room 1'").fetchone()
    assert row is not None
    return int(row[0])  # type: ignore[call-overload]


def reserve(
    conn: psycopg.Connection[tuple[object, ...]],
    unit: int,
    start: date,
    end: date,
    status: str = "confirmed",
) -> None:
    add_reservation(conn, unit=unit, check_in=start, check_out=end, status=status, commit=False)


def test_postgres_refuses_overlapping_active_stays(
    db: psycopg.Connection[tuple[object, ...]], unit_id: int
) -> None:
    reserve(db, unit_id, date(2027, 5, 1), date(2027, 5, 4))
    db.commit()
    for status in ("held", "confirmed", "blocked"):
        with pytest.raises(errors.ExclusionViolation) as caught:
            reserve(db, unit_id, date(2027, 5, 3), date(2027, 5, 5), status)
        assert caught.value.sqlstate == "23P01"
        db.rollback()


def test_back_to_back_stays_and_inactive_rows_are_accepted(
    db: psycopg.Connection[tuple[object, ...]], unit_id: int
) -> None:
    reserve(db, unit_id, date(2027, 5, 1), date(2027, 5, 4))
    reserve(db, unit_id, date(2027, 5, 4), date(2027, 5, 6))  # check-out day = next check-in
    reserve(db, unit_id, date(2027, 4, 28), date(2027, 5, 1), "held")
    for status in ("cancelled", "expired"):
        reserve(db, unit_id, date(2027, 5, 2), date(2027, 5, 3), status)
    other = db.execute("SELECT id FROM unit WHERE name = 'Room 2'").fetchone()
    assert other is not None
    reserve(db, int(other[0]), date(2027, 5, 1), date(2027, 5, 4))  # type: ignore[call-overload]
    db.commit()
    count = db.execute("SELECT count(*) FROM reservation").fetchone()
    assert count == (6,)


def test_an_empty_or_open_stay_is_refused(
    db: psycopg.Connection[tuple[object, ...]], unit_id: int
) -> None:
    with pytest.raises(errors.CheckViolation):
        reserve(db, unit_id, date(2027, 5, 1), date(2027, 5, 1))
    db.rollback()


stays = st.tuples(
    st.integers(0, 40),
    st.integers(1, 10),
    st.sampled_from(["held", "confirmed", "blocked", "cancelled"]),
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(stays, min_size=1, max_size=12))
def test_the_guard_accepts_exactly_the_stays_that_do_not_overlap(
    db: psycopg.Connection[tuple[object, ...]], unit_id: int, attempts: list[tuple[int, int, str]]
) -> None:
    db.execute("DELETE FROM reservation")
    db.commit()
    first = date(2027, 1, 1)
    accepted: list[tuple[int, int]] = []
    for offset, nights, status in attempts:
        start, end = offset, offset + nights
        clash = status != "cancelled" and any(s < end and start < e for s, e in accepted)
        try:
            reserve(db, unit_id, first + timedelta(start), first + timedelta(end), status)
            db.commit()
        except errors.ExclusionViolation:
            db.rollback()
            assert clash, "Postgres refused a stay that overlaps nothing"
            continue
        assert not clash, "Postgres accepted an overlapping stay"
        if status != "cancelled":
            accepted.append((start, end))
