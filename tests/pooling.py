"""PgBouncer (transaction mode) in front of the suite's Postgres, for the tests that run
Innkeep through a pooler. `tests/conftest.py` imports these fixtures."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import msgspec
import pytest

from widget.settings import Settings
from widget.testing.pooler import PgBouncer, pgbouncer_binary


@pytest.fixture(scope="session")
def pgbouncer(servers: tuple[str, str], database_url: str) -> Iterator[PgBouncer]:
    """One pgbouncer for the session, in front of the suite's Postgres."""
    binary = pgbouncer_binary()
    if binary is None:
        pytest.skip("pgbouncer is not installed (scripts/test installs Debian's as root)")
    folder = Path(tempfile.mkdtemp(prefix="innkeep-pgbouncer-"))
    bouncer = PgBouncer(folder, servers[0])
    try:
        bouncer.start(binary)
        yield bouncer
    finally:
        bouncer.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pooled_database_url(pgbouncer: PgBouncer, database_url: str) -> str:
    """The suite's database through PgBouncer."""
    return pgbouncer.url(urlsplit(database_url).path.lstrip("/"))


def through_pgbouncer(settings: Settings, pooled_url: str) -> Settings:
    """``settings`` with the database reached through PgBouncer and LISTEN kept direct."""
    assert settings.database_url is not None
    return msgspec.structs.replace(
        settings,
        database_url=pooled_url,
        database_listen_url=settings.database_url,
        database_pooler="pgbouncer",
    )
