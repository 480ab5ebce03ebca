"""Reports on known data: occupancy, ADR, RevPAR and room revenue, channels, lead times, CSV."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg.rows import dict_row

from engine import quote_from_builtins
from tests.helpers import DEMO_TOML, add_reservation, add_reservation_async
from tests.starting_state import Tables
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.reports.charts import bar_chart
from widget.reports.figures import night_revenue, yearly_report
from widget.reports.ledger import bookings_csv, cell, payments_csv

ROME = ZoneInfo("Europe/Rome")


def _quote(nights: list[tuple[str, int]], lines: list[dict[str, Any]]) -> dict[str, Any]:
    total = sum(a for _, a in nights) + sum(
        line["amount"] for line in lines if not line.get("included")
    )
    at_property = sum(line["amount"] for line in lines if line.get("payable") == "at_property")
    return {
        "room_type": "x",
        "check_in": nights[0][0],
        "check_out": nights[-1][0],
        "nights": [{"date": d, "amount": a, "lines": []} for d, a in nights],
        "stay_lines": lines,
        "total": total,
        "due_now": total - at_property,
        "currency": "EUR",
        "quote_hash": "h",
    }


VAT_3000 = {"rule": "vat", "kind": "tax", "amount": 3000, "note": "", "included": True}
CITY_TAX = {"rule": "city", "kind": "tax", "amount": 750, "note": "", "payable": "at_property"}
#: Booking A: three nights of 110.00 with 30.00 VAT included, city tax at the property.
QUOTE_A = _quote(
    [("2027-05-10", 11000), ("2027-05-11", 11000), ("2027-05-12", 11000)], [VAT_3000, CITY_TAX]
)
#: Booking B, across May and June: a discount, a cleaning fee, VAT included on both.
QUOTE_B = _quote(
    [("2027-05-30", 20000), ("2027-05-31", 20000), ("2027-06-01", 10000)],
    [
        {"rule": "promo", "kind": "discount", "amount": -5000, "note": ""},
        {"rule": "cleaning", "kind": "fee", "amount": 2500, "note": ""},
        {"rule": "vat", "kind": "tax", "amount": 4318, "note": "", "included": True},
    ],
)


def test_room_revenue_is_net_of_included_vat_and_city_tax() -> None:
    assert night_revenue(quote_from_builtins(QUOTE_A)) == {
        date(2027, 5, 10): 10000,
        date(2027, 5, 11): 10000,
        date(2027, 5, 12): 10000,
    }
    # 45000 of rooms after the discount; the rooms' share of 43.18 VAT is 40.91 (of 475.00
    # taxed with the fee): 409.09 of room revenue over the nights by their prices.
    shares = night_revenue(quote_from_builtins(QUOTE_B))
    assert shares == {date(2027, 5, 30): 16364, date(2027, 5, 31): 16364, date(2027, 6, 1): 8181}
    assert sum(shares.values()) == 40909


@pytest.fixture(scope="module")
def booked_year(database_url: str, console_tables: Tables) -> None:
    """The demo with the bookings of 2027 the figures below follow from: written once for
    the module, whose tests only read them (each in a transaction it rolls back, `conn`)."""
    with psycopg.connect(database_url, autocommit=True) as db:
        console_tables.restore(db)
        apply_property(db, parse_property(DEMO_TOML))
        _book_the_year(db)


def _book_the_year(db: psycopg.Connection[Any]) -> None:
    add_reservation(
        db,
        check_in="2027-05-01",
        check_out="2027-05-06",
        status="blocked",
        unit="Room 6",
        block_reason="painting",
    )
    add_reservation(
        db,
        check_in="2027-05-10",
        check_out="2027-05-13",
        unit="Room 1",
        reference="AAA111",
        quote=QUOTE_A,
        adults=2,
        guest={"name": "Ann", "email": "ann@example.com"},
        created_at=datetime(2027, 5, 9, 10, tzinfo=ROME),
        payment_provider="demo",
        payment_ref="pay_a",
        payment_status="succeeded",
        payment_captured_at=datetime(2027, 5, 9, 10, 5, tzinfo=ROME),
    )
    add_reservation(
        db,
        check_in="2027-05-30",
        check_out="2027-06-02",
        unit="Suite 4",
        reference="BBB222",
        quote=QUOTE_B,
        adults=2,
        guest={"name": '=HYPERLINK("http://x")', "email": "b@example.com"},
        created_at=datetime(2027, 1, 1, 10, tzinfo=ROME),
    )
    add_reservation(
        db,
        check_in="2027-05-15",
        check_out="2027-05-17",
        unit="Room 3",
        status="cancelled",
        reference="CCC333",
        quote=QUOTE_A,
        adults=1,
        guest={"name": "Cy", "email": "c@example.com"},
        refund_amount=5000,
        payment_provider="demo",
        payment_ref="pay_c",
        payment_captured_at=datetime(2027, 4, 1, 10, tzinfo=ROME),
        cancelled_at=datetime(2027, 4, 2, 10, tzinfo=ROME),
    )
    row = db.execute(
        """INSERT INTO channel (property_id, unit_id, name)
           SELECT property_id, id, 'Airbnb' FROM unit WHERE name = 'Room 2' RETURNING id"""
    ).fetchone()
    assert row is not None
    add_reservation(
        db,
        check_in="2027-05-20",
        check_out="2027-05-22",
        status="blocked",
        unit="Room 2",
        source_channel_id=row[0],
        source_uid="abc@airbnb",
    )


@pytest.fixture
async def conn(
    booked_year: None, database_url: str
) -> AsyncIterator[psycopg.AsyncConnection[dict[str, Any]]]:
    async with await psycopg.AsyncConnection.connect(
        database_url, row_factory=dict_row
    ) as connection:
        yield connection
        await connection.rollback()  # whatever a test did, the next one reads the same year


async def _property_id(conn: Any) -> int:
    cur = await conn.execute("SELECT id FROM property WHERE slug = 'demo'")
    return int((await cur.fetchone())["id"])


async def test_the_months_figures_follow_their_definitions(conn: Any) -> None:
    report = await yearly_report(conn, await _property_id(conn), 2027)
    may = next(m for m in report.by_month if m.label == "2027-05")
    assert may.available == 6 * 31 - 5  # the painted room's nights are not for sale
    assert may.sold == 3 + 2 + 2  # A, B's May nights, the Airbnb stay
    assert may.booked == 5
    assert may.revenue == 30000 + 16364 + 16364
    assert may.adr == 12546  # 627.28 / 5, to the cent
    assert may.revpar == 347  # 627.28 / 181
    assert may.occupancy_permille == 39  # 7 / 181 = 3.9 %
    june = next(m for m in report.by_month if m.label == "2027-06")
    assert (june.available, june.sold, june.revenue) == (180, 1, 8181)
    assert len(report.by_month) == 12
    assert report.total.revenue == 30000 + 40909
    assert report.total.available == 6 * 365 - 5


async def test_by_room_type_channel_and_lead_time(conn: Any) -> None:
    report = await yearly_report(conn, await _property_id(conn), 2027)
    rooms = {f.label: f for f in report.by_room_type}
    assert list(rooms) == ["double-sea-view", "family-suite", "garden-single"]
    assert (rooms["double-sea-view"].sold, rooms["double-sea-view"].booked) == (5, 3)
    assert rooms["family-suite"].revenue == 40909
    assert rooms["garden-single"].available == 365 - 5
    assert [(c.channel, c.stays, c.nights) for c in report.channels] == [
        (None, 2, 6),  # booked here: the page names it in the owner's language
        ("Airbnb", 1, 2),
    ]
    assert dict(report.lead_times) == {
        "same_day": 0,
        "week": 1,  # 1–7 days
        "month": 0,
        "quarter": 0,
        "longer": 1,  # 91 days or more
    }


async def test_the_accountants_files(conn: Any) -> None:
    pid = await _property_id(conn)
    bookings = list(
        csv.DictReader(
            io.StringIO(await bookings_csv(conn, pid, date(2027, 1, 1), date(2028, 1, 1)))
        )
    )
    assert [b["reference"] for b in bookings] == ["AAA111", "CCC333", "BBB222"]
    assert bookings[0]["total"] == "337.50" and bookings[0]["due_at_property"] == "7.50"
    assert bookings[2]["guest_name"] == '\'=HYPERLINK("http://x")'
    payments = list(
        csv.DictReader(
            io.StringIO(await payments_csv(conn, pid, date(2027, 1, 1), date(2028, 1, 1)))
        )
    )
    assert [(p["reference"], p["kind"], p["amount"]) for p in payments] == [
        ("AAA111", "payment", "330.00"),
        ("CCC333", "payment", "330.00"),
        ("CCC333", "refund", "-50.00"),
    ]


#: A change of dates' refund: its amount and how the provider answered.
change_refunds = st.lists(
    st.tuples(st.integers(1, 9000), st.sampled_from(["done", "failed", "pending"])), max_size=3
)
#: A charge after booking (at most one balance and one no-show fee) and where it stands.
charges = st.lists(
    st.tuples(
        st.sampled_from(["balance", "no_show", "change"]),
        st.integers(1, 20000),
        st.sampled_from(["succeeded", "scheduled", "balance_due", "canceled"]),
    ),
    max_size=4,
    unique_by=lambda c: c[0] if c[0] != "change" else c,
)


def _cents(cell: str) -> int:
    return int(Decimal(cell or "0") * 100)


@settings(max_examples=30, deadline=None)
@given(
    taken=st.integers(10000, 60000),
    refunds=change_refunds,
    later=charges,
    cancel_percent=st.none() | st.integers(0, 100),
)
def test_each_bookings_movements_add_up_to_what_it_paid_online(
    booked_year: None,
    database_url: str,
    taken: int,
    refunds: list[tuple[int, str]],
    later: list[tuple[str, int, str]],
    cancel_percent: int | None,
) -> None:
    """Whatever befell a booking's money, its movements in the payments file that went
    through (a refused refund did not) add up to its ``paid_online`` less ``refunded``,
    and ``paid_online`` is what was taken less the change refunds the provider made."""
    asyncio.run(_movements_add_up(database_url, taken, refunds, later, cancel_percent))


async def _movements_add_up(
    database_url: str,
    taken: int,
    refunds: list[tuple[int, str]],
    later: list[tuple[str, int, str]],
    cancel_percent: int | None,
) -> None:
    refunds = refunds if sum(amount for amount, _ in refunds) <= taken else []
    given_back = sum(amount for amount, _ in refunds)
    held = (
        taken
        - sum(amount for amount, status in refunds if status != "failed")
        + sum(amount for _, amount, status in later if status == "succeeded")
    )
    refund = None if cancel_percent is None else held * cancel_percent // 100
    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as conn:
        rid = await add_reservation_async(
            conn,
            check_in="2027-09-01",
            check_out="2027-09-04",
            unit="Room 1",
            status="confirmed" if refund is None else "cancelled",
            reference="HYP001",
            quote=QUOTE_A,
            adults=2,
            guest={"name": "Hy", "email": "hy@example.com"},
            payment_provider="demo",
            payment_ref="pay_h",
            payment_status="succeeded",
            payment_captured_at=datetime(2027, 8, 1, 10, tzinfo=ROME),
            first_payment=taken - given_back,
            first_payment_taken=taken if refunds else None,
            refund_amount=refund,
            refund_ref="re_h" if refund else None,
            cancelled_at=None if refund is None else datetime(2027, 8, 20, tzinfo=ROME),
        )
        for version, (amount, status) in enumerate(refunds):
            await conn.execute(
                """INSERT INTO booking_change (id, reservation_id, from_version, old_stay,
                       new_stay, old_total, new_total, difference, settlement, status, actor,
                       amount)
                   VALUES (%s, %s, %s, '[2027-09-01,2027-09-05)', '[2027-09-01,2027-09-04)',
                           0, 0, %s, 'refund', %s, 'owner', %s)""",
                (uuid4(), rid, version, -amount, status, amount),
            )
        for kind, amount, status in later:
            await conn.execute(
                """INSERT INTO booking_charge (id, reservation_id, kind, amount, currency,
                       due_on, status, next_try_at, payment_ref)
                   VALUES (%s, %s, %s, %s, 'EUR', '2027-08-15', %s, now(), %s)""",
                (uuid4(), rid, kind, amount, status, f"pay_{kind}"),
            )
        pid, first, end = await _property_id(conn), date(2027, 9, 1), date(2027, 10, 1)
        (line,) = csv.DictReader(io.StringIO(await bookings_csv(conn, pid, first, end)))
        moves = list(csv.DictReader(io.StringIO(await payments_csv(conn, pid, first, end))))
        await conn.rollback()
    assert line["reference"] == "HYP001"
    assert _cents(line["paid_online"]) == held
    assert _cents(line["refunded"]) == (refund or 0)
    went = sum(_cents(m["amount"]) for m in moves if m["status"] != "refused")
    assert went == held - (refund or 0), moves
    assert sum(m["status"] == "refused" for m in moves) == sum(s == "failed" for _, s in refunds)


def test_cells_and_charts() -> None:
    assert cell("+1 555") == "'+1 555" and cell("Anna") == "Anna" and cell(None) == ""
    chart = bar_chart("Revenue", [("Jan", 100), ("Feb", None), ("Mar", 50)], str)
    assert [bar.height for bar in chart.bars] == [170.0, 0.0, 85.0]
    assert [bar.shown for bar in chart.bars] == ["100", "–", "50"]
