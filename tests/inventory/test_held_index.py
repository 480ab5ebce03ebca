"""Making a hold expires the lapsed holds on its unit inside its own write
(``innkeep_hold_rooms``, migration 0041): on a table of years of bookings and ended holds,
that must read the unit's few held rows through their own partial index, not every row of
the unit, nor the table."""

from __future__ import annotations

import json
import uuid
from typing import Any

import psycopg
import pytest

#: Other units, booked or held on the nights of the new hold: a large deployment, and a
#: small one (where a plan that reads every held row would look cheap to the planner).
OTHER_UNITS = (2000, 40)
#: Ended holds on the hold's unit, kept for their history: most of a busy unit's rows.
ENDED_HOLDS = 3000


def populate(conn: psycopg.Connection[Any], other_units: int) -> int:
    """Many units booked or held on the same nights, years of ended holds on one of them,
    and its open hold; returns that unit's id."""
    row = conn.execute("SELECT id FROM unit WHERE name = 'Room 1'").fetchone()
    assert row is not None
    unit = int(row[0])
    conn.execute(
        """INSERT INTO unit (property_id, room_type_id, name)
           SELECT property_id, room_type_id, 'Extra ' || g
           FROM unit, generate_series(1, %(units)s) g WHERE id = %(unit)s""",
        {"units": other_units, "unit": unit},
    )
    conn.execute(
        """INSERT INTO reservation (property_id, unit_id, stay, status, hold_expires_at)
           SELECT property_id, id, daterange('2027-05-30', '2027-06-10'),
                  CASE WHEN mod(id, 2) = 0 THEN 'held' ELSE 'confirmed' END::reservation_status,
                  CASE WHEN mod(id, 2) = 0 THEN now() + interval '10 minutes' END
           FROM unit WHERE name LIKE 'Extra %'"""
    )
    conn.execute(
        """INSERT INTO reservation (property_id, unit_id, stay, status, hold_expires_at)
           SELECT property_id, id,
                  daterange(date '2024-01-01' + n %% 1200, date '2024-01-01' + n %% 1200 + 2),
                  'expired', now() - interval '1 day'
           FROM unit, generate_series(1, %(ended)s) n WHERE id = %(unit)s""",
        {"ended": ENDED_HOLDS, "unit": unit},
    )
    conn.execute(
        """INSERT INTO reservation (property_id, unit_id, stay, status, hold_expires_at)
           SELECT property_id, id, daterange('2027-06-01', '2027-06-04'), 'held',
                  now() + interval '10 minutes'
           FROM unit WHERE id = %(unit)s""",
        {"unit": unit},
    )
    conn.execute("ANALYZE reservation")
    return unit


def reads(conn: psycopg.Connection[Any]) -> tuple[int, int]:
    """The reservation table's rows read in this transaction so far: by sequential scans,
    and through its indexes."""
    row = conn.execute(
        "SELECT pg_stat_get_xact_tuples_returned('reservation'::regclass),"
        " pg_stat_get_xact_tuples_fetched('reservation'::regclass)"
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


@pytest.mark.parametrize("other_units", OTHER_UNITS)
def test_expiring_lapsed_holds_reads_the_units_held_rows_by_their_index(
    demo_property: psycopg.Connection[Any], other_units: int
) -> None:
    unit = populate(demo_property, other_units)
    demo_property.execute(
        "UPDATE reservation SET hold_expires_at = now() - interval '1 minute'"
        " WHERE unit_id = %s AND status = 'held'",
        (unit,),
    )
    room = {
        "id": str(uuid.uuid4()),
        "unit_id": unit,
        "check_in": "2027-06-02",
        "check_out": "2027-06-03",
        "adults": 1,
        "children": [],
    }
    with demo_property.transaction():
        before = reads(demo_property)
        rows = demo_property.execute(
            "SELECT lapsed, unit_id FROM innkeep_hold_rooms("
            " (SELECT property_id FROM unit WHERE id = %s), %s::jsonb, 600)",
            (unit, json.dumps([room])),
        ).fetchall()
        after = reads(demo_property)
    assert after[0] == before[0], "the write read the reservation table from end to end"
    # The unit's one held row, not the other units' held rows nor its years of ended ones.
    assert after[1] - before[1] <= 2, f"the write read {after[1] - before[1]} rows"
    # It expires exactly the unit's lapsed hold on those nights, and holds the room.
    assert sorted(rows) == [(False, None), (True, unit)]
    held = demo_property.execute(
        "SELECT count(*) FROM reservation WHERE status = 'held'"
    ).fetchone()
    assert held == (other_units // 2 + 1,)  # every other unit's hold is untouched
