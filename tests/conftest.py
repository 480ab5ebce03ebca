"""One real PostgreSQL and one real Redis (Valkey) for the whole suite, started once here,
in the parent process, from the same pip packages the embedded default uses."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import msgspec
import psycopg
import pytest
import redis
from litestar.testing import AsyncTestClient

from tests.helpers import DEMO_TOML
from widget.app import create_app
from widget.local_servers import EmbeddedServices
from widget.migrate import migrate
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings, load_settings
from widget.testing.stack import free_port as free_port  # tests import it from here too

TABLES = (
    "property, room_type, unit, reservation, webhook_event, clock_offset, idempotency_key, "
    "demo_payment, outbox_message, console_user, console_event, console_login_failure"
)


@pytest.fixture(scope="session", autouse=True)
def no_real_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test may start servers in the user's own data folder, whatever it runs."""
    previous = os.environ.get("INNKEEP_DATA_DIR")
    os.environ["INNKEEP_DATA_DIR"] = str(tmp_path_factory.mktemp("innkeep-data"))
    yield
    if previous is None:
        os.environ.pop("INNKEEP_DATA_DIR", None)
    else:
        os.environ["INNKEEP_DATA_DIR"] = previous


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """URLs of the suite's Postgres server (admin database) and Redis.

    Each run gets its own servers in a fresh folder, so two runs on one machine never
    share (or stop) each other's; set INNKEEP_TEST_DATABASE_URL and INNKEEP_TEST_REDIS_URL
    to use servers of your own instead.
    """
    database_url = os.environ.get("INNKEEP_TEST_DATABASE_URL")
    redis_url = os.environ.get("INNKEEP_TEST_REDIS_URL")
    if database_url and redis_url:
        yield database_url, redis_url
        return
    # A short path: Postgres' Unix socket lives in it and socket paths are limited to ~100 bytes.
    data_dir = Path(tempfile.mkdtemp(prefix="innkeep-test-"))
    services = EmbeddedServices(data_dir)

    def stop(signum: int, _frame: object) -> None:
        # A run ended by SIGTERM (a CI time-out, `timeout`) skips fixture teardown: stop the
        # servers here, or they outlive the run.
        services.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield services.start()
    finally:
        signal.signal(signal.SIGTERM, previous)
        services.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def _database(admin_url: str, name: str) -> str:
    """A fresh, empty database called ``name`` on the suite's server."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def empty_database(servers: tuple[str, str]) -> Iterator[str]:
    """A database with nothing in it; a test may migrate it."""
    yield _database(servers[0], "innkeep_empty")


@pytest.fixture(scope="session")
def database_url(servers: tuple[str, str]) -> str:
    url = _database(servers[0], "innkeep_test")
    migrate(url)
    return url


@pytest.fixture(scope="session")
def redis_url(servers: tuple[str, str]) -> str:
    return servers[1]


@pytest.fixture
def clean(database_url: str, redis_url: str) -> Iterator[None]:
    """Every test that touches data starts from empty tables and an empty Redis."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
    redis.Redis.from_url(redis_url).flushdb()
    yield


@pytest.fixture
def demo_property(database_url: str, clean: None) -> Iterator[psycopg.Connection[Any]]:
    """The demo guesthouse in a clean database; an autocommit connection to it."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        apply_property(conn, parse_property(DEMO_TOML))
        yield conn


@pytest.fixture
def db(database_url: str, clean: None) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(database_url) as conn:
        yield conn


@pytest.fixture
def settings(database_url: str, redis_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        {},
        database_url=database_url,
        redis_url=redis_url,
        env="test",
        data_dir=tmp_path,
    )


@pytest.fixture
def quiet_settings(settings: Settings) -> Settings:
    """No background jobs: tests run the sweeper, the sender and the reconciler themselves."""
    return msgspec.structs.replace(settings, background_jobs=False)


def with_settings(settings: Settings, **changes: object) -> Settings:
    return msgspec.structs.replace(settings, **changes)


@pytest.fixture
async def client(settings: Settings, clean: None) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client
