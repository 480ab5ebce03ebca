"""The hold and calendar integration tests again, with Innkeep reaching Postgres through
PgBouncer in transaction mode (and LISTEN on its own direct connection): nothing may rely
on session state across transactions."""

from __future__ import annotations

import pytest

from tests.inventory.test_calendar import *  # noqa: F403 - the same tests, collected here
from tests.inventory.test_holds import *  # noqa: F403
from tests.pooling import through_pgbouncer
from widget.settings import Settings


@pytest.fixture
def settings(settings: Settings, pooled_database_url: str) -> Settings:
    """Every app, pool and job of these tests goes through PgBouncer."""
    return through_pgbouncer(settings, pooled_database_url)
