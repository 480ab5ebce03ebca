from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.helpers import DEMO_TOML
from widget.app import create_app
from widget.db import create_pool
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings
from widget.shared_redis import connect
from widget.state import Services, build_services


@pytest.fixture
def demo(db: psycopg.Connection[Any]) -> Iterator[psycopg.Connection[Any]]:
    """The demo guesthouse in a clean database; yields a connection to it."""
    apply_property(db, parse_property(DEMO_TOML))
    yield db


@pytest.fixture
async def api(
    quiet_settings: Settings, demo: psycopg.Connection[Any]
) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(app=create_app(quiet_settings)) as client:
        yield client


@pytest.fixture
async def services(quiet_settings: Settings) -> AsyncIterator[Services]:
    """The service's shared parts, in the test's own event loop, for driving jobs directly."""
    assert quiet_settings.database_url and quiet_settings.redis_url
    pool = create_pool(quiet_settings.database_url, 4, pooled=quiet_settings.pooled)
    await pool.open()
    redis = connect(quiet_settings)
    try:
        yield build_services(quiet_settings, pool, redis)
    finally:
        await pool.close()
        await redis.aclose()
