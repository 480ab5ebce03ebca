"""Secrets and safe defaults (issue 10, items 11, 13 and 14): no service runs with the public
development key unless it says it is a development machine, production names what it lacks,
and no message or log line carries a password or a guest's data."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import subprocess
import sys
from base64 import urlsafe_b64encode
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import msgspec
import psycopg
import pytest

from tests.conftest import free_port
from widget.app import create_app
from widget.commands.service import serving_environment
from widget.demo import demo_settings
from widget.migrate import available, migrate
from widget.redact import describe_error, install_log_redaction
from widget.settings import DEV_SECRET_KEY, Settings, SettingsError, load_settings
from widget.tokens import token_hash

#: A guest's data, as the database would quote it back in an error's DETAIL and CONTEXT.
ANNA = "anna@example.com"
NOTE_WITH_NUL = '{"name": "Anna Schmidt \\u0000"}'
ROOT = Path(__file__).resolve().parents[2]
SERVERS = {
    "INNKEEP_DATABASE_URL": "postgresql://innkeep@127.0.0.1:1/innkeep",
    "INNKEEP_REDIS_URL": "redis://127.0.0.1:1/0",
}


def test_serve_without_innkeep_env_refuses_to_run_with_no_secret_key() -> None:
    """It used to start, with the public development key and the demo provider."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNKEEP_")}
    result = subprocess.run(
        [sys.executable, "-m", "widget.cli", "serve", "--port", str(free_port())],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, **SERVERS},
        timeout=20,  # a service that started would still be running: a failure
    )
    assert result.returncode == 2
    assert "INNKEEP_SECRET_KEY must be set" in result.stderr


def test_serve_without_innkeep_env_is_a_production_service() -> None:
    with pytest.raises(SettingsError, match="refused in production"):
        serving_environment(
            {**SERVERS, "INNKEEP_SECRET_KEY": "k" * 32, "INNKEEP_PUBLIC_URL": "https://b.example"},
            "127.0.0.1",
            8000,
        )
    with pytest.raises(SettingsError, match="INNKEEP_PUBLIC_URL must be set in production"):
        serving_environment(
            {
                **SERVERS,
                "INNKEEP_SECRET_KEY": "k" * 32,
                "INNKEEP_STRIPE_SECRET_KEY": "sk_test_x",
                "INNKEEP_STRIPE_PUBLISHABLE_KEY": "pk_test_x",
                "INNKEEP_STRIPE_WEBHOOK_SECRET": "whsec_x",
            },
            "127.0.0.1",
            8000,
        )


def test_only_an_explicit_development_machine_or_the_demo_uses_the_development_key() -> None:
    environ = {**SERVERS, "INNKEEP_ENV": "development"}
    settings = serving_environment(environ, "127.0.0.1", 8123)
    assert settings.secret_key == DEV_SECRET_KEY
    # Links point at where it listens (the workers read the same environment).
    assert settings.public_url == environ["INNKEEP_PUBLIC_URL"] == "http://127.0.0.1:8123"
    assert load_settings({}).secret_key == ""


def test_the_demo_runs_in_test_mode_with_its_own_kept_key(tmp_path: Path) -> None:
    """The demo is a staging service (decision 16): the testing API on, with a token, and a
    secret key of its own, kept in its data folder across restarts (never the public one)."""
    demo = demo_settings(load_settings({}, data_dir=tmp_path), 8000)
    assert demo.public_url == "http://127.0.0.1:8000"
    assert demo.env == "staging" and demo.testing_api and demo.testing_token
    assert demo.secret_key not in ("", DEV_SECRET_KEY)
    again = demo_settings(load_settings({}, data_dir=tmp_path), 8000)
    assert again.secret_key == demo.secret_key and again.testing_token != demo.testing_token
    chosen = load_settings({"INNKEEP_TESTING_TOKEN": "chosen-token-0123456789"}, data_dir=tmp_path)
    assert demo_settings(chosen, 8000).testing_token == "chosen-token-0123456789"


def test_the_service_does_not_start_without_a_secret_key(settings: Settings) -> None:
    with pytest.raises(SettingsError, match="INNKEEP_SECRET_KEY must be set"):
        create_app(msgspec.structs.replace(settings, secret_key=""))


@pytest.mark.parametrize(
    "name",
    ["INNKEEP_DATABASE_URL", "INNKEEP_REDIS_URL", "INNKEEP_SMTP_URL", "INNKEEP_PUBLIC_URL"],
)
def test_a_wrong_url_setting_never_shows_its_password(name: str) -> None:
    with pytest.raises(SettingsError, match=name) as refused:
        load_settings({name: "mysql://innkeep:pa55word-XYZ@db.example/innkeep"})
    assert "pa55word-XYZ" not in str(refused.value)
    assert "innkeep:***@db.example" in str(refused.value)


def test_the_cli_never_prints_a_database_password(database_url: str) -> None:
    parts = urlsplit(database_url)
    wrong = urlunsplit(
        parts._replace(netloc=f"nobody:pa55word-XYZ@127.0.0.1:{free_port()}", query="")
    )
    env = {**os.environ, "INNKEEP_DATABASE_URL": wrong, "INNKEEP_REDIS_URL": "redis://x"}
    result = subprocess.run(
        [sys.executable, "-m", "widget.cli", "migrate"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "pa55word-XYZ" not in result.stderr + result.stdout


async def test_a_database_error_is_logged_without_the_guests_data(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """psycopg's message quotes the row (DETAIL, CONTEXT): the log names sqlstate and
    constraint instead."""
    install_log_redaction()
    log = logging.getLogger("widget.test")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE TEMP TABLE guest (email text UNIQUE, note jsonb)")
        add = "INSERT INTO guest VALUES (%s, %s::jsonb)"
        conn.execute(add, (ANNA, "{}"))
        with pytest.raises(psycopg.Error) as duplicate:
            conn.execute(add, (ANNA, "{}"))
        with pytest.raises(psycopg.Error) as nul:
            conn.execute(add, ("b@example.com", NOTE_WITH_NUL))
    with caplog.at_level(logging.INFO):
        log.exception("unhandled error", exc_info=duplicate.value)
        log.error("failed: %s", nul.value, exc_info=nul.value)
        log.warning("pool: connection to postgresql://innkeep:pa55word-XYZ@db/x failed")
        log.info('"GET /manage/K7M-Q4P9?key=%s HTTP/1.1" 200', "manage-key-XYZ")
    text = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert "anna@example.com" not in text and "Anna Schmidt" not in text
    assert "pa55word-XYZ" not in text and "manage-key-XYZ" not in text
    assert "sqlstate=23505" in text and "constraint=guest_email_key" in text
    assert describe_error(nul.value).startswith("UntranslatableCharacter sqlstate=22P05")


def _legacy_key(secret_key: str, hold_id: UUID) -> str:
    digest = hmac.new(secret_key.encode(), b"booking:" + hold_id.bytes, hashlib.sha256)
    return urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def _guesthouse_of_schema_4(conn: psycopg.Connection[Any]) -> None:
    """Two units of a property, written as a database at migration 4 takes them (today's
    `apply_property` writes columns later migrations add)."""
    conn.execute(
        """INSERT INTO property (slug, name, contact_email, time_zone, currency, locale,
                                 check_in_time, check_out_time, cancellation_policy)
           VALUES ('demo', 'Casa Lanterna', 'hello@casalanterna.example', 'Europe/Rome',
                   'EUR', 'en', '15:00', '10:30', '{}')"""
    )
    conn.execute(
        """INSERT INTO room_type (property_id, slug, name, max_guests, included_guests,
                                  base_price)
           SELECT id, 'double-sea-view', 'Double', 2, 2, 14000 FROM property"""
    )
    conn.execute(
        """INSERT INTO unit (property_id, room_type_id, name)
           SELECT property_id, id, unit_name FROM room_type,
                  (VALUES ('Room 1'), ('Room 2')) AS units(unit_name)"""
    )


def test_old_bookings_keep_their_links_unless_the_public_key_made_them(
    servers: tuple[str, str],
) -> None:
    admin = servers[0]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "innkeep_legacy_keys" WITH (FORCE)')
        conn.execute('CREATE DATABASE "innkeep_legacy_keys"')
    url = urlunsplit(urlsplit(admin)._replace(path="/innkeep_legacy_keys"))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE schema_migration (version integer PRIMARY KEY, name text NOT NULL, "
            "applied_at timestamptz NOT NULL DEFAULT now())"
        )
        # The releases before 0005, plus the property columns added since (the booking
        # horizon), so that today's apply_property can write the legacy property.
        for old in [m for m in available() if m.version <= 4 or m.name == "booking_horizon"]:
            conn.execute(old.sql.encode())
            conn.execute("INSERT INTO schema_migration VALUES (%s, %s)", (old.version, old.name))
        _guesthouse_of_schema_4(conn)
        keys: dict[str, tuple[UUID, str]] = {}
        for n, made_with in enumerate((DEV_SECRET_KEY, "a-real-deployment-secret-key")):
            hold_id = UUID(int=n + 1)
            keys[made_with] = (hold_id, _legacy_key(made_with, hold_id))
            conn.execute(
                """INSERT INTO reservation (id, property_id, unit_id, stay, status, reference,
                                            booking_secret_hash)
                   SELECT %s, property_id, id, daterange('2027-06-01', '2027-06-03'),
                          'confirmed', %s, %s FROM unit ORDER BY id OFFSET %s LIMIT 1""",
                (hold_id, f"OLD-{n}", token_hash(keys[made_with][1]), n),
            )
    migrate(url)
    with psycopg.connect(url) as conn:
        stored: dict[Any, Any] = dict(
            conn.execute("SELECT id, booking_secret_hash FROM reservation").fetchall()  # type: ignore[arg-type]
        )
    public_id, _ = keys[DEV_SECRET_KEY]
    kept_id, kept_key = keys["a-real-deployment-secret-key"]
    assert stored[public_id] is None  # computable by anyone: revoked
    assert bytes(stored[kept_id]) == token_hash(kept_key)  # still opens the booking
