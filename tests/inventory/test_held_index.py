"""Making a hold expires the lapsed holds on its unit inside its own transaction
(``expire_lapsed_on_unit``): on a table of years of bookings and ended holds, that must read
the unit's few held rows through their own partial index, not every row of the unit."""

from __future__ import annotations

import json
from typing import Any

import psycopg

from widget.sql import queries

#: Other units (of a large deployment), booked or held on the nights of the new hold.
OTHER_UNITS = 2000
#: Ended holds on the hold's unit, kept for their history: most of a busy unit's rows.
ENDED_HOLDS = 3000


def populate(conn: psycopg.Connection[Any]) -> int:
    """Many units booked or held on the same nights, years of ended holds on one of them,
    and its open hold; returns that unit's id."""
    row = conn.execute("SELECT id FROM unit WHERE name = 'Room 1'").fetchone()
    assert row is not None
    unit = int(row[0])
    conn.execute(
        """INSERT INTO unit (property_id, room_type_id, name)
           SELECT property_id, room_type_id, 'Extra ' || g
           FROM unit, generate_series(1, %(units)s) g WHERE id = %(unit)s""",
        {"units": OTHER_UNITS, "unit": unit},
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


def indexes_used(plan: dict[str, Any]) -> set[str]:
    found = {plan["Index Name"]} if "Index Name" in plan else set()
    for child in plan.get("Plans", []):
        found |= indexes_used(child)
    return found


def test_expiring_lapsed_holds_reads_the_units_held_rows_by_their_index(
    demo_property: psycopg.Connection[Any],
) -> None:
    unit = populate(demo_property)
    query = queries("inventory")["expire_lapsed_on_unit"]
    params = {"unit_id": unit, "check_in": "2027-06-02", "check_out": "2027-06-03"}
    row = demo_property.execute(f"EXPLAIN (FORMAT JSON) {query}", params).fetchone()
    assert row is not None
    plan = row[0] if isinstance(row[0], list) else json.loads(row[0])
    used = indexes_used(plan[0]["Plan"])
    assert used == {"reservation_held_by_unit"}, json.dumps(plan, indent=1)
    # And it still expires exactly the unit's lapsed holds on those nights.
    demo_property.execute(
        "UPDATE reservation SET hold_expires_at = now() - interval '1 minute'"
        " WHERE unit_id = %s AND status = 'held'",
        (unit,),
    )
    expired = demo_property.execute(query, params).fetchall()
    assert len(expired) == 1 and expired[0][1] == unit
    held = demo_property.execute(
        "SELECT count(*) FROM reservation WHERE status = 'held'"
    ).fetchone()
    assert held == (OTHER_UNITS // 2,)  # every other unit's hold is untouched
