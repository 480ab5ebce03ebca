"""``innkeep property export``: the file written back from the rows applies as no change."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import psycopg
import pytest

from engine import rule_types
from engine.testing import registered
from tests.console.conftest import OWNER, Ran, enter
from tests.helpers import DEMO_TOML
from tests.rule_plugin import EVERY_SECTION_TOML, WEBHOOK_SECRET, FestivalPlugin
from widget.properties.apply import apply_property
from widget.properties.errors import PropertyApplyError
from widget.properties.export import PropertyNotFound, export_property
from widget.properties.file import parse_property
from widget.properties.secrets import fingerprint


@pytest.fixture
def festival() -> Iterator[None]:
    with registered(FestivalPlugin(), "festival-test"):
        yield


def _version(conn: psycopg.Connection[Any], slug: str) -> int:
    row = conn.execute("SELECT version FROM property WHERE slug = %s", (slug,)).fetchone()
    assert row is not None
    return int(row[0])


def _round_trip(conn: psycopg.Connection[Any], slug: str) -> None:
    before = _version(conn, slug)
    exported = export_property(conn, slug)
    report = apply_property(conn, parse_property(exported, source="exported.toml"))
    assert report.changed == [], exported
    assert _version(conn, slug) == before
    assert export_property(conn, slug) == exported


def test_the_demo_exported_and_applied_again_changes_nothing(
    demo_property: psycopg.Connection[Any],
) -> None:
    _round_trip(demo_property, "demo")


def test_every_key_and_rule_type_survives_the_round_trip(
    database_url: str, clean: None, festival: None
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        apply_property(conn, parse_property(EVERY_SECTION_TOML))
        _round_trip(conn, "every-key")
        exported = export_property(conn, "every-key")
    # Written as an owner writes them: money in major units, dates and numbers bare.
    assert "base_price = 55.50" in exported
    assert "seasons = [{ first = 2026-06-20, last = 2026-09-05, yearly = true }" in exported
    assert "percent = 12.5" in exported
    assert 'extras = { drums = 3, "flag wavers" = 2 }' in exported
    assert 'name = "Pensione \\"Tutto\\" – ünïcode"' in exported


def test_the_round_trip_file_has_every_built_in_rule_type() -> None:
    """So a new built-in rule type cannot miss the round trip above."""
    written = {rule["type"] for rule in tomllib.loads(EVERY_SECTION_TOML)["rules"]}
    built_in = {name for name, info in rule_types().items() if info.plugin == "builtin"}
    assert built_in - written == set()
    assert written - built_in == {"festival"}  # tests.rule_plugin's own


def test_what_the_file_left_out_is_written_as_stored(
    database_url: str, clean: None, festival: None
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        apply_property(conn, parse_property(EVERY_SECTION_TOML))
        exported = export_property(conn, "every-key")
    written, exported_spec = parse_property(EVERY_SECTION_TOML), parse_property(exported)
    assert msgspec.to_builtins(exported_spec.rules) == msgspec.to_builtins(written.rules)
    assert exported_spec.room_types[1] == written.room_types[1]
    # What apply normalised is exported normalised; what the file left out, as it applies.
    assert exported_spec.property.allowed_origins == [
        "https://tutto.example",
        "http://localhost:8080",
    ]
    assert exported_spec.room_types[0].included_guests == 4


def test_removed_rooms_are_not_exported(demo_property: psycopg.Connection[Any]) -> None:
    from tests.helpers import DEMO_TOML

    smaller = DEMO_TOML.replace('units = ["Room 1", "Room 2", "Room 3"]', 'units = ["Room 1"]')
    apply_property(demo_property, parse_property(smaller))
    exported = export_property(demo_property, "demo")
    assert 'units = ["Room 1"]' in exported
    assert "Room 2" not in exported


def test_an_unknown_property_is_named(demo_property: psycopg.Connection[Any]) -> None:
    with pytest.raises(PropertyNotFound, match="'nowhere'"):
        export_property(demo_property, "nowhere")


def test_unprintable_characters_are_escaped(demo_property: psycopg.Connection[Any]) -> None:
    demo_property.execute(
        "UPDATE property SET name = %s WHERE slug = 'demo'", ("Casa\x1b[31m\x9b",)
    )
    exported = export_property(demo_property, "demo")
    assert "\x1b" not in exported and "\x9b" not in exported
    assert parse_property(exported).property.name == "Casa\x1b[31m\x9b"


def test_the_command_writes_the_file_that_apply_takes_back(
    tmp_path: Path, demo_property: psycopg.Connection[Any], command: Callable[..., Ran]
) -> None:
    shown = command("property", "export", "demo")
    assert shown.returncode == 0, shown.stderr
    assert parse_property(shown.stdout).property.slug == "demo"
    path = tmp_path / "demo.toml"
    written = command("property", "export", "demo", "-o", str(path))
    assert written.returncode == 0, written.stderr
    assert path.read_text(encoding="utf-8") == shown.stdout
    again = command("property", "apply", str(path))
    assert "already up to date" in again.stdout, again.stderr
    missing = command("property", "export", "nowhere")
    assert missing.returncode == 2
    assert "no property is called 'nowhere'" in missing.stderr


def _secret_of(conn: psycopg.Connection[Any]) -> str:
    row = conn.execute("SELECT secret FROM webhook_endpoint WHERE removed_at IS NULL").fetchone()
    assert row is not None
    return str(row[0])


def test_plans_extras_and_webhooks_are_exported_and_the_secret_only_by_reference(
    database_url: str, clean: None, festival: None
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        apply_property(conn, parse_property(EVERY_SECTION_TOML))
        exported = export_property(conn, "every-key")
        assert WEBHOOK_SECRET not in exported
        assert f'secret = {{ kept = "{fingerprint(WEBHOOK_SECRET)}" }}' in exported
        assert "amount = 25.50" in exported and "percent = -10" in exported
        assert 'name = { en = "Flexible", it = "Flessibile" }' in exported
        # Applied again: nothing changes, the secret is kept.
        assert apply_property(conn, parse_property(exported)).changed == []
        assert _secret_of(conn) == WEBHOOK_SECRET
        # Left out: kept too.
        without = exported.replace(f'secret = {{ kept = "{fingerprint(WEBHOOK_SECRET)}" }}\n', "")
        assert "secret" not in without.split("[[webhooks]]")[1].split("[[rules]]")[0]
        assert apply_property(conn, parse_property(without)).changed == []
        assert _secret_of(conn) == WEBHOOK_SECRET
        # A reference to another secret (rotated since the export) is refused, naming it.
        stale = exported.replace(fingerprint(WEBHOOK_SECRET), fingerprint("whsec_older"))
        with pytest.raises(PropertyApplyError, match=r"webhooks\[0\]\.secret .*not the one"):
            apply_property(conn, parse_property(stale))
        # A new endpoint cannot start without its secret.
        new = without.replace(
            "https://hooks.example.com/catch/123/abc", "https://new.example.com/h"
        )
        with pytest.raises(PropertyApplyError, match="a new webhook needs its secret"):
            apply_property(conn, parse_property(new))
        assert _secret_of(conn) == WEBHOOK_SECRET


FEED_URL = "https://www.airbnb.example/calendar/ical/4711.ics?s=SECRETPART"
OTHER_FEED_URL = "https://admin.booking.example/hotel/ical.html?t=ANOTHERSECRET"
WITH_FEEDS = (
    EVERY_SECTION_TOML
    + f'\n[[feeds]]\nunit = "S1"\nname = "Airbnb"\nurl = "{FEED_URL}"\n'
    + f'\n[[feeds]]\nunit = "A"\nname = "Booking.com"\nurl = "{OTHER_FEED_URL}"\ninterval = 30\n'
)


def _feeds(conn: psycopg.Connection[Any]) -> list[tuple[str, str, str, int]]:
    return [
        (str(unit), str(name), str(url), int(interval))
        for unit, name, url, interval in conn.execute(
            """SELECT u.name, c.name, f.url, f.interval_seconds FROM channel_feed f
               JOIN channel c ON c.id = f.channel_id JOIN unit u ON u.id = c.unit_id
               ORDER BY u.name, c.name"""
        ).fetchall()
    ]


def test_feeds_are_exported_by_reference_and_the_round_trip_keeps_them(
    database_url: str, clean: None, festival: None
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        apply_property(conn, parse_property(WITH_FEEDS))
        before = _feeds(conn)
        assert len(before) == 2
        # export → apply changes nothing: every feed (and webhook) is still there as it was.
        _round_trip(conn, "every-key")
        assert _feeds(conn) == before
        assert _secret_of(conn) == WEBHOOK_SECRET
        exported = export_property(conn, "every-key")
        # The URLs are credentials: written only as references, like webhook secrets.
        assert "SECRETPART" not in exported and "ANOTHERSECRET" not in exported
        assert f'url = {{ kept = "{fingerprint(FEED_URL)}" }}' in exported
        assert "interval = 30" in exported
        # A reference to a URL replaced since the export is refused, naming the key.
        stale = exported.replace(fingerprint(FEED_URL), fingerprint("https://old.example/x"))
        with pytest.raises(PropertyApplyError, match=r"feeds\[0\]\.url .*not the one"):
            apply_property(conn, parse_property(stale))
        # A new feed cannot start from a reference, nor without its URL.
        renamed = exported.replace('name = "Airbnb"', 'name = "Vrbo"')
        with pytest.raises(PropertyApplyError, match=r"feeds\[0\]\.url .*not the one"):
            apply_property(conn, parse_property(renamed))
        without = renamed.replace(f'url = {{ kept = "{fingerprint(FEED_URL)}" }}\n', "")
        with pytest.raises(PropertyApplyError, match="a new feed needs its URL"):
            apply_property(conn, parse_property(without))
        # Left out of a known feed: kept.
        kept = exported.replace(f'url = {{ kept = "{fingerprint(FEED_URL)}" }}\n', "")
        assert apply_property(conn, parse_property(kept)).changed == []
        assert _feeds(conn) == before


async def test_property_apply_records_its_rule_changes_where_the_console_shows_them(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    edited = DEMO_TOML.replace('name = "summer"\npercent = 30', 'name = "summer"\npercent = 25')
    assert edited != DEMO_TOML
    apply_property(people, parse_property(DEMO_TOML))  # unchanged: no history
    apply_property(people, parse_property(edited))
    enter(app_client, people, OWNER)
    page = await app_client.get("/admin/demo/rules")
    history = page.text.split('data-testid="rules-history"')[1]
    assert "innkeep property apply" in history
    assert "changed summer: percent 30 → 25" in history
    rows = people.execute("SELECT changed_by FROM rule_change").fetchall()
    assert rows == [("innkeep property apply",)]
