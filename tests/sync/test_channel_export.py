"""A channel's own export: everything but the stays imported from that channel, and a record
of when the channel was first served each stay (the import's echo rule rests on it).

Channels are connected by the import (a later part of issue 14); here a test connects one
the way the importer will: a `channel` row, and imported stays as blocks with their source.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import psycopg

from tests.sync.conftest import PUBLIC_URL, export_path
from tests.sync.test_export import events, eventually
from widget.inventory.blocks import add_block
from widget.settings import Settings
from widget.sync.feeds import export_urls


def connect_channel(conn: psycopg.Connection[Any], unit: str, name: str) -> int:
    row = conn.execute(
        "INSERT INTO channel (property_id, unit_id, name) "
        "SELECT property_id, id, %s FROM unit WHERE name = %s RETURNING id",
        (name, unit),
    ).fetchone()
    assert row is not None
    return int(row[0])


def import_stay(
    conn: psycopg.Connection[Any], channel_id: int, uid: str, check_in: str, check_out: str
) -> None:
    conn.execute(
        "INSERT INTO reservation (property_id, unit_id, stay, status, source_channel_id, "
        "source_uid) SELECT property_id, unit_id, daterange(%s, %s), 'blocked', id, %s "
        "FROM channel WHERE id = %s",
        (check_in, check_out, uid, channel_id),
    )


def served(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT f.channel_id, s.stay, s.first_served_at FROM export_served s "
        "JOIN export_feed f ON f.id = s.export_feed_id ORDER BY s.stay"
    ).fetchall()


async def test_a_channels_export_leaves_out_its_own_stays_and_records_what_it_served(
    api: Any, demo_property: psycopg.Connection[Any], quiet_settings: Settings
) -> None:
    airbnb = connect_channel(demo_property, "Room 1", "Airbnb")
    vrbo = connect_channel(demo_property, "Room 1", "Vrbo")
    import_stay(demo_property, airbnb, "abc@airbnb.com", "2027-07-01", "2027-07-05")
    import_stay(demo_property, vrbo, "v-1", "2027-08-01", "2027-08-03")
    add_block(demo_property, "demo", "Room 1", date(2027, 6, 10), date(2027, 6, 11), "painting")
    listed = export_urls(demo_property, "demo", quiet_settings.secret_key, PUBLIC_URL)
    assert [(e.unit, e.channel) for e in listed if e.unit == "Room 1"] == [
        ("Room 1", None),
        ("Room 1", "Airbnb"),
        ("Room 1", "Vrbo"),
    ]
    full = await api.get(export_path(demo_property, quiet_settings, "Room 1"))
    assert [e[0] for e in events(full.content)] == [
        date(2027, 6, 10),
        date(2027, 7, 1),
        date(2027, 8, 1),
    ]
    assert served(demo_property) == []  # the full feed is nobody's in particular

    to_airbnb = await api.get(export_path(demo_property, quiet_settings, "Room 1", "Airbnb"))
    # Airbnb is never sent its own stay back; it does see Vrbo's, and the direct block.
    assert [e[0] for e in events(to_airbnb.content)] == [date(2027, 6, 10), date(2027, 8, 1)]
    first = served(demo_property)
    assert [(c, s.lower, s.upper) for c, s, _ in first] == [
        (airbnb, date(2027, 6, 10), date(2027, 6, 12)),
        (airbnb, date(2027, 8, 1), date(2027, 8, 3)),
    ]
    # Served again, the first time still counts; a new stay is recorded when first served.
    add_block(demo_property, "demo", "Room 1", date(2027, 9, 1), date(2027, 9, 1), "floors")
    path = export_path(demo_property, quiet_settings, "Room 1", "Airbnb")
    again = await eventually(lambda: api.get(path), lambda r: len(events(r.content)) == 3)
    assert len(events(again.content)) == 3
    after = served(demo_property)
    assert after[:2] == first and after[2][1].lower == date(2027, 9, 1)
