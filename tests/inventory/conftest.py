from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import msgspec
import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.helpers import DEMO_TOML
from widget.app import create_app
from widget.property_apply import apply_property
from widget.property_file import parse_property
from widget.settings import Settings


@pytest.fixture
def demo(db: psycopg.Connection[Any]) -> Iterator[psycopg.Connection[Any]]:
    """The demo guesthouse in a clean database; yields a connection to it."""
    apply_property(db, parse_property(DEMO_TOML))
    yield db


@pytest.fixture
def quiet_settings(settings: Settings) -> Settings:
    """No background jobs: tests drive the sweeper themselves."""
    return msgspec.structs.replace(settings, background_jobs=False)


@pytest.fixture
async def api(
    quiet_settings: Settings, demo: psycopg.Connection[Any]
) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(app=create_app(quiet_settings)) as client:
        yield client
