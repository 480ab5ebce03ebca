"""The demo guesthouse with its iCal exports, the service in front of it, and the command
line an owner uses to print and rotate the export URLs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.helpers import DEMO_TOML
from widget.app import create_app
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings
from widget.sync.feeds import export_urls

PUBLIC_URL = "https://book.example.org"


@pytest.fixture
def guesthouse(database_url: str, clean: None) -> Iterator[psycopg.Connection[Any]]:
    """The demo guesthouse; an autocommit connection to it."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("TRUNCATE demo_payment")
        apply_property(conn, parse_property(DEMO_TOML))
        yield conn


@pytest.fixture
async def api(
    quiet_settings: Settings, guesthouse: psycopg.Connection[Any]
) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(app=create_app(quiet_settings)) as client:
        yield client


def export_path(
    conn: psycopg.Connection[Any], settings: Settings, unit: str, channel: str | None = None
) -> str:
    """The path of ``unit``'s export (made if missing), as the owner's URL names it."""
    for export in export_urls(conn, "demo", settings.secret_key, PUBLIC_URL):
        if export.unit == unit and export.channel == channel:
            return export.url.removeprefix(PUBLIC_URL)
    raise LookupError(f"no export for {unit} {channel}")
