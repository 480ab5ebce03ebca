"""The demo demo_property with its iCal exports, the service in front of it, and the command
line an owner uses to print and rotate the export URLs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient

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
