"""The console's htmx is the registry's file, served by the service itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDORED = ROOT / "static" / "console" / "htmx.min.js"


def test_the_vendored_htmx_is_the_version_package_json_pins() -> None:
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["htmx.org"]
    locked = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    assert locked["node_modules/htmx.org"]["version"] == pinned
    installed = ROOT / "node_modules" / "htmx.org" / "dist" / "htmx.min.js"
    if not installed.exists():
        pytest.skip("node_modules not installed (scripts/test runs `npm ci`)")
    version = json.loads((installed.parent.parent / "package.json").read_text())["version"]
    assert version == pinned
    assert VENDORED.read_bytes() == installed.read_bytes(), (
        "static/console/htmx.min.js differs from the npm package: copy "
        "node_modules/htmx.org/dist/htmx.min.js over it"
    )


async def test_the_service_serves_htmx_and_the_stylesheet(app_client: Any) -> None:
    for path, kind in (
        ("/static/console/htmx.min.js", "javascript"),
        ("/static/console/console.css", "text/css"),
        ("/static/console/drag-block.js", "javascript"),
    ):
        answer = await app_client.get(path)
        assert answer.status_code == 200, path
        assert kind in answer.headers["content-type"]
