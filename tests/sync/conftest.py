"""The demo demo_property with its iCal exports, the service in front of it, and the command
line an owner uses to print and rotate the export URLs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.sync.feed_server import FeedServer, running
from widget.app import create_app
from widget.settings import Settings
from widget.sync.feeds import export_urls

PUBLIC_URL = "https://book.example.org"


@pytest.fixture
async def api(
    quiet_settings: Settings, demo_property: psycopg.Connection[Any]
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


@pytest.fixture(scope="session")
def feed_server_once() -> Iterator[FeedServer]:
    yield from running()


@pytest.fixture
def feed_server(feed_server_once: FeedServer) -> FeedServer:
    """The local feed server, with no routes and no recorded requests."""
    feed_server_once.routes.clear()
    feed_server_once.requests.clear()
    return feed_server_once
