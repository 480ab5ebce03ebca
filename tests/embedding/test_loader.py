"""The loader script as a host page receives it."""

from __future__ import annotations

import gzip
import json
import re

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.helpers import DEMO_TOML
from widget.properties.apply import apply_property
from widget.properties.file import parse_property

#: DESIGN: size is a feature; the loader's budget, gzipped at level 9.
LOADER_BUDGET = 4 * 1024


async def test_the_loader_fits_its_budget(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/widget.js")
    assert response.status_code == 200
    size = len(gzip.compress(response.content, compresslevel=9))
    assert size <= LOADER_BUDGET, f"widget.js is {size} bytes gzipped; the budget is 4 KB"


async def test_the_loader_never_posts_to_any_origin(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    source = (await client.get("/widget.js")).text
    assert "postMessage(" in source
    assert "'*')" not in source and '"*")' not in source
    # Every message listener checks where a message came from before reading it.
    assert "e.origin !== frameOrigin" in source


async def test_the_loader_is_served_compressed(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/widget.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("content-encoding") == "gzip"
    assert response.headers["cache-control"] == "public, max-age=300"


SITE = "http://127.0.0.1:8001"  # listed in properties/demo.toml


@pytest.fixture
def demo(database_url: str, clean: None) -> None:
    with psycopg.connect(database_url) as conn:
        apply_property(conn, parse_property(DEMO_TOML))


def _hint(source: str) -> list[str]:
    found = re.search(r"var hinted = (\[[^\]]*\]);", source)
    assert found, "the loader carries its hint"
    return json.loads(found[1])  # type: ignore[no-any-return]


async def test_the_loader_names_the_properties_that_allow_the_page_asking(
    client: AsyncTestClient,
    demo: None,  # type: ignore[type-arg]
) -> None:
    """Only for those does it ask for the widget page beside the embed check (decision 17)."""
    allowed = await client.get("/widget.js", headers={"Referer": SITE + "/rooms?x=1"})
    assert _hint(allowed.text) == ["demo"]
    assert "Referer" in allowed.headers["vary"]
    for referer in ("https://copycat.example/", "not a url", "http://127.0.0.1:8001@evil/"):
        assert _hint((await client.get("/widget.js", headers={"Referer": referer})).text) == []
    assert _hint((await client.get("/widget.js")).text) == []


async def test_the_loader_drops_the_comments_meant_for_readers(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    served = (await client.get("/widget.js")).text
    assert served.startswith("/*! Innkeep loader")
    assert not re.search(r"^\s*//", served, re.MULTILINE)
