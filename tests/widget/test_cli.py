"""The ``innkeep`` command as an owner runs it: one-line errors, nothing half-applied."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import psycopg

from tests.helpers import DEMO_TOML, add_reservation, stored_quote, write

ROOT = Path(__file__).resolve().parents[2]


def innkeep(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "widget.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_apply_a_property_file_then_again(tmp_path: Path, database_url: str, clean: None) -> None:
    path = write(tmp_path, DEMO_TOML)
    env = {"INNKEEP_DATABASE_URL": database_url}
    first = innkeep("property", "apply", str(path), env=env)
    assert first.returncode == 0, first.stderr
    assert "created property 'demo'" in first.stdout
    again = innkeep("property", "apply", str(path), env=env)
    assert again.returncode == 0
    assert "already up to date" in again.stdout


def test_a_bad_file_is_one_line_naming_the_line_and_nothing_changes(
    tmp_path: Path, database_url: str, clean: None
) -> None:
    path = write(tmp_path, DEMO_TOML.replace("base_price = 85.00", "base_price = -85.00"))
    result = innkeep("property", "apply", str(path), env={"INNKEEP_DATABASE_URL": database_url})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"innkeep: error: {path}:")
    assert "room_types[2].base_price: must not be negative" in lines[0]
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM property").fetchone() == (0,)


def test_a_wrong_setting_stops_the_command_naming_the_variable(tmp_path: Path) -> None:
    result = innkeep("migrate", env={"INNKEEP_HOLD_SECONDS": "soon"})
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "innkeep: error: INNKEEP_HOLD_SECONDS='soon' is not a whole number"
    )


def test_serve_needs_configured_servers() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNKEEP_")}
    env["INNKEEP_ENV"] = "development"
    result = subprocess.run(
        [sys.executable, "-m", "widget.cli", "serve"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "INNKEEP_DATABASE_URL" in result.stderr


def test_migrate_against_a_configured_database(database_url: str) -> None:
    result = innkeep("migrate", env={"INNKEEP_DATABASE_URL": database_url})
    assert result.returncode == 0
    assert result.stdout.strip() == "database is up to date"


def test_an_owner_blocks_and_lifts_dates(tmp_path: Path, database_url: str, clean: None) -> None:
    env = {"INNKEEP_DATABASE_URL": database_url}
    assert innkeep("property", "apply", str(write(tmp_path, DEMO_TOML)), env=env).returncode == 0
    added = innkeep(
        "block",
        "add",
        "--property",
        "demo",
        "--unit",
        "Room 1",
        "--from",
        "2031-05-04",
        "--to",
        "2031-05-06",
        "--reason",
        "new bathroom",
        env=env,
    )
    assert added.returncode == 0, added.stderr
    block_id = added.stdout.strip().rsplit(" ", 1)[-1]
    listed = innkeep("block", "list", "--property", "demo", env=env)
    assert "Room 1" in listed.stdout and "2031-05-04 to 2031-05-06" in listed.stdout
    again = innkeep(
        "block",
        "add",
        "--property",
        "demo",
        "--unit",
        "Room 1",
        "--from",
        "2031-05-06",
        "--to",
        "2031-05-07",
        "--reason",
        "x",
        env=env,
    )
    assert again.returncode == 2
    assert again.stderr.startswith("innkeep: error: Room 1 is not free on those nights")
    assert innkeep("block", "lift", "--property", "demo", block_id, env=env).returncode == 0
    assert "no blocks ahead" in innkeep("block", "list", "--property", "demo", env=env).stdout


def test_quote_by_slug_explains_each_night_from_the_database(
    tmp_path: Path, database_url: str, clean: None
) -> None:
    env = {"INNKEEP_DATABASE_URL": database_url}
    assert innkeep("property", "apply", str(write(tmp_path, DEMO_TOML)), env=env).returncode == 0
    # Next March 4th: low season, and inside the booking horizon whenever the suite runs.
    arrival = date(date.today().year + 1, 3, 4)
    result = innkeep(
        "quote",
        "--property",
        "demo",
        "--room-type",
        "garden-single",
        "--check-in",
        str(arrival),
        "--check-out",
        str(arrival + timedelta(days=2)),
        "--adults",
        "1",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert f"{arrival} {arrival:%a}" in result.stdout and "base_rate" in result.stdout
    assert "imposta-di-soggiorno" in result.stdout and "paid at the property" in result.stdout
    unknown = innkeep(
        "quote",
        "--property",
        "demo",
        "--room-type",
        "attic",
        "--check-in",
        str(arrival),
        "--check-out",
        str(arrival + timedelta(days=2)),
        env=env,
    )
    assert unknown.returncode == 2
    assert "unknown room type 'attic'" in unknown.stderr


def test_an_owner_lists_the_bookings_of_some_dates(
    tmp_path: Path, database_url: str, clean: None
) -> None:
    env = {"INNKEEP_DATABASE_URL": database_url}
    assert innkeep("property", "apply", str(write(tmp_path, DEMO_TOML)), env=env).returncode == 0
    with psycopg.connect(database_url) as conn:
        add_reservation(
            conn,
            unit="Room 1",
            check_in="2031-05-04",
            check_out="2031-05-06",
            reference="K7M-Q4P9",
            guest={"name": "Anna Schmidt", "email": "anna@example.com"},
            adults=2,
            quote=stored_quote("2031-05-04", "2031-05-06", due_now=9000, total=30000),
            payment_captured_at="2031-01-10T10:00:00Z",
        )
    listed = innkeep(
        "bookings", "--property", "demo", "--from", "2031-05-01", "--to", "2031-05-31", env=env
    )
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "K7M-Q4P9  2031-05-04 to 2031-05-06 (2 nights)  Room 1 (Double room with sea view)  "
        "Anna Schmidt <anna@example.com>, 2 guests  paid €90.00 of €300.00",
        "1 booking from 2031-05-01 to 2031-05-31",
    ]
    none = innkeep("bookings", "--property", "demo", "--from", "2031-06-01", env=env)
    assert none.stdout.strip() == "demo has no bookings from 2031-06-01 on"
    unknown = innkeep("bookings", "--property", "nowhere", env=env)
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == "innkeep: error: no property is called 'nowhere'"
    backwards = innkeep(
        "bookings", "--property", "demo", "--from", "2031-05-09", "--to", "2031-05-01", env=env
    )
    assert backwards.returncode == 2
    assert "--to 2031-05-01 is before --from 2031-05-09" in backwards.stderr
    bad_date = innkeep("bookings", "--property", "demo", "--from", "May 4", env=env)
    assert bad_date.returncode == 2
    assert "'May 4' is not a date like 2027-05-01" in bad_date.stderr
