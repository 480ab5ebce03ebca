"""`innkeep property apply`: idempotent, and it never drops a unit with stays ahead."""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest

from tests.helpers import DEMO_TOML, add_reservation
from widget.properties.apply import PropertyApplyError, apply_property
from widget.properties.file import parse_property

Db = psycopg.Connection[tuple[object, ...]]


def units(db: Db) -> dict[str, str]:
    rows = db.execute(
        """SELECT u.name, rt.slug FROM unit u JOIN room_type rt ON rt.id = u.room_type_id
           WHERE u.active ORDER BY u.name"""
    ).fetchall()
    return {str(name): str(slug) for name, slug in rows}


def version(db: Db) -> int:
    row = db.execute("SELECT version FROM property WHERE slug = 'demo'").fetchone()
    assert row is not None
    return int(row[0])  # type: ignore[call-overload]


def test_applying_twice_creates_once_and_then_changes_nothing(db: Db) -> None:
    first = apply_property(db, parse_property(DEMO_TOML))
    assert first.created
    assert len(units(db)) == 6
    before = version(db)
    second = apply_property(db, parse_property(DEMO_TOML))
    assert not second.created and second.changed == []
    assert "already up to date" in second.summary()
    assert version(db) == before


def test_a_changed_price_updates_the_room_and_the_property_version(db: Db) -> None:
    apply_property(db, parse_property(DEMO_TOML))
    before = version(db)
    report = apply_property(
        db, parse_property(DEMO_TOML.replace("base_price = 85.00", "base_price = 89.50"))
    )
    assert report.changed == ["updated room type garden-single"]
    price = db.execute("SELECT base_price FROM room_type WHERE slug = 'garden-single'").fetchone()
    assert price == (8950,)
    assert version(db) > before


def test_a_unit_without_stays_ahead_can_be_removed_and_added_back(db: Db) -> None:
    apply_property(db, parse_property(DEMO_TOML))
    without = DEMO_TOML.replace(
        'units = ["Room 1", "Room 2", "Room 3"]', 'units = ["Room 1", "Room 2"]'
    )
    report = apply_property(db, parse_property(without))
    assert "removed unit Room 3" in report.changed
    assert "Room 3" not in units(db)
    apply_property(db, parse_property(DEMO_TOML))
    assert units(db)["Room 3"] == "double-sea-view"


def test_a_unit_with_a_stay_ahead_is_not_removed(db: Db) -> None:
    apply_property(db, parse_property(DEMO_TOML))
    arrival = date.today() + timedelta(days=30)
    add_reservation(
        db,
        unit="Room 3",
        check_in=arrival,
        check_out=arrival + timedelta(days=2),
        reference="LNT-7Q2",
    )
    without = DEMO_TOML.replace(
        'units = ["Room 1", "Room 2", "Room 3"]', 'units = ["Room 1", "Room 2"]'
    )
    with pytest.raises(PropertyApplyError, match="unit 'Room 3'"):
        apply_property(db, parse_property(without))
    assert "Room 3" in units(db)
    # Nothing else in that file was applied either.
    changed = without.replace("base_price = 85.00", "base_price = 99.00")
    with pytest.raises(PropertyApplyError):
        apply_property(db, parse_property(changed))
    price = db.execute("SELECT base_price FROM room_type WHERE slug = 'garden-single'").fetchone()
    assert price == (8500,)


def test_a_room_type_with_a_stay_ahead_is_not_removed(db: Db) -> None:
    apply_property(db, parse_property(DEMO_TOML))
    arrival = date.today() + timedelta(days=3)
    add_reservation(
        db,
        unit="Room 6",
        check_in=arrival,
        check_out=arrival + timedelta(days=2),
        status="blocked",
        block_reason="painting",
    )
    head, _, _ = DEMO_TOML.partition('[[room_types]]\nslug = "garden-single"')
    with pytest.raises(PropertyApplyError, match="room type 'garden-single'"):
        apply_property(db, parse_property(head))


def test_past_stays_do_not_keep_a_unit(db: Db) -> None:
    apply_property(db, parse_property(DEMO_TOML))
    add_reservation(
        db, unit="Room 6", check_in="2020-01-01", check_out="2020-01-03", reference="OLD-1"
    )
    head, _, _ = DEMO_TOML.partition('[[room_types]]\nslug = "garden-single"')
    report = apply_property(db, parse_property(head))
    assert "removed room type garden-single" in report.changed
    # The booking's history stays intact.
    kept = db.execute("SELECT count(*) FROM reservation WHERE reference = 'OLD-1'").fetchone()
    assert kept == (1,)


AIRBNB = """
[[feeds]]
unit = "Room 1"
name = "Airbnb"
url = "https://www.airbnb.com/calendar/ical/111.ics?s=secret1"
"""
VRBO = """
[[feeds]]
unit = "Room 2"
name = "Vrbo"
url = "http://www.vrbo.com/icalendar/222.ics"
interval = 30
"""


def feeds(db: Db) -> list[tuple[object, ...]]:
    return db.execute(
        """SELECT u.name, c.name, f.url, f.interval_seconds FROM channel_feed f
           JOIN channel c ON c.id = f.channel_id JOIN unit u ON u.id = c.unit_id
           ORDER BY u.name"""
    ).fetchall()


def test_feeds_are_added_changed_and_removed_like_the_rest_of_the_file(db: Db) -> None:
    report = apply_property(db, parse_property(DEMO_TOML + AIRBNB + VRBO))
    assert "added feed Airbnb of unit Room 1" in report.changed
    assert feeds(db) == [
        ("Room 1", "Airbnb", "https://www.airbnb.com/calendar/ical/111.ics?s=secret1", 600),
        ("Room 2", "Vrbo", "http://www.vrbo.com/icalendar/222.ics", 1800),
    ]
    again = apply_property(db, parse_property(DEMO_TOML + AIRBNB + VRBO))
    assert again.changed == []

    regenerated = AIRBNB.replace("secret1", "secret2")
    changed = apply_property(db, parse_property(DEMO_TOML + regenerated + VRBO))
    assert changed.changed == ["updated feed Airbnb of unit Room 1"]
    assert feeds(db)[0][2] == "https://www.airbnb.com/calendar/ical/111.ics?s=secret2"

    channel = db.execute("SELECT id FROM channel WHERE name = 'Vrbo'").fetchone()
    assert channel is not None
    soon = date.today() + timedelta(days=30)
    add_reservation(
        db,
        check_in=soon,
        check_out=soon + timedelta(days=2),
        status="blocked",
        unit="Room 2",
        source_channel_id=channel[0],
        source_uid="v-1",
    )
    removed = apply_property(db, parse_property(DEMO_TOML + regenerated))
    assert removed.changed == ["removed feed Vrbo of unit Room 2 (1 imported stays released)"]
    assert [f[1] for f in feeds(db)] == ["Airbnb"]
    active = db.execute(
        "SELECT count(*) FROM reservation WHERE source_channel_id = %s AND status = 'blocked'",
        (channel[0],),
    ).fetchone()
    assert active == (0,)


@pytest.mark.parametrize(
    ("feed", "key", "says"),
    [
        (AIRBNB.replace("Room 1", "Room 9"), "feeds[0].unit", "no unit 'Room 9'"),
        (AIRBNB.replace("https://www", "file://www"), "feeds[0].url", "starting with https://"),
        (AIRBNB + "interval = 4\n", "feeds[0].interval", ">= 5"),
        (AIRBNB + AIRBNB, "feeds[1].name", "already has a feed called 'Airbnb'"),
        (AIRBNB.replace('name = "Airbnb"\n', ""), "feeds[0]", "missing required field `name`"),
    ],
)
def test_a_wrong_feed_is_named_and_never_quotes_its_url(feed: str, key: str, says: str) -> None:
    from widget.properties.file import PropertyFileError

    with pytest.raises(PropertyFileError) as refused:
        parse_property(DEMO_TOML + feed)
    assert refused.value.key == key
    assert says in refused.value.message
    assert "secret1" not in str(refused.value)
