"""One real PostgreSQL and one real Redis (Valkey) for the whole suite, started once here,
in the parent process, from the same pip packages the embedded default uses.

With ``INNKEEP_TEST_REDIS=cluster`` the Redis fixtures name a real Valkey Cluster instead
(three primaries, three replicas: tests/redis_cluster.py), and each test's properties get
ids whose hash tags land on the primaries in turn; scripts/test re-runs the hold, calendar,
race and state-machine tests that way."""

from __future__ import annotations

import atexit
import itertools
import logging
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
from hypothesis import settings as hypothesis_settings
from litestar.testing import AsyncTestClient

from tests.helpers import DEMO_TOML, flush_redis
from tests.pooling import pgbouncer as pgbouncer
from tests.pooling import pooled_database_url as pooled_database_url
from tests.redis_cluster import Cluster, tag_on_each_primary
from widget.app import create_app
from widget.local_servers import EmbeddedServices
from widget.migrate import migrate
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings, load_settings
from widget.testing.stack import free_port as free_port  # tests import it from here too

# Hypothesis's per-example deadline (200 ms) measures this shared, often busy machine, not
# the code: an example that is slow under load is not a failure. Speed lives in bench/.
hypothesis_settings.register_profile("innkeep", deadline=None)
hypothesis_settings.load_profile("innkeep")

#: The Redis fixtures name a cluster (see the module's docstring).
ON_CLUSTER = os.environ.get("INNKEEP_TEST_REDIS") == "cluster"

TABLES = (
    "property, room_type, unit, reservation, webhook_event, clock_offset, idempotency_key, "
    "demo_payment, demo_customer, demo_refund, outbox_message, console_user, console_event, "
    "console_login_failure, "
    "payment_recovery, payment_listing, payment_listing_wait"
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
def redis_cluster() -> Iterator[Cluster]:
    """A real Valkey Cluster, started once for the whole run, when a test asks for it."""
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="innkeep-cluster-")))
    atexit.register(cluster.stop)  # a run ended by SIGTERM skips the teardown below
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url(servers: tuple[str, str], request: pytest.FixtureRequest) -> str:
    if ON_CLUSTER:
        cluster: Cluster = request.getfixturevalue("redis_cluster")
        return cluster.seeds
    return servers[1]


@pytest.fixture(scope="session")
def spread_ids(request: pytest.FixtureRequest) -> Iterator[int]:
    """On a cluster: the first property id of each test in turn, chosen so that the hash tag
    ``{p:ID}`` lands on each primary in turn (and far from 1, so no test relies on it)."""
    cluster: Cluster = request.getfixturevalue("redis_cluster")
    return itertools.cycle(tag_on_each_primary(cluster, range(1000, 1200)).values())


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def redis_never_failed(request: pytest.FixtureRequest) -> Iterator[None]:
    """On a cluster, no Redis call of the service may fail (and fall back to Postgres)
    unless the test means it to: a slot-crossing script or a client that cannot follow the
    cluster would otherwise pass unseen, Postgres keeping the bookings right."""
    if not ON_CLUSTER or request.node.get_closest_marker("redis_away"):
        yield
        return
    kept, logger = _Kept(), logging.getLogger("widget.shared_redis")
    logger.addHandler(kept)
    try:
        yield
    finally:
        logger.removeHandler(kept)
    assert [record.getMessage() for record in kept.records] == []


@pytest.fixture
def clean(database_url: str, redis_url: str, request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that touches data starts from empty tables and an empty Redis."""
    empty_tables(database_url, request)
    flush_redis(redis_url, cluster=ON_CLUSTER)
    yield


def empty_tables(database_url: str, request: pytest.FixtureRequest) -> None:
    """Truncate the tables (on a cluster, the next property id is the test's spread id)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
        if ON_CLUSTER:
            first = next(request.getfixturevalue("spread_ids"))
            conn.execute(f"ALTER TABLE property ALTER COLUMN id RESTART WITH {int(first)}")


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
        redis_cluster=ON_CLUSTER,
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
