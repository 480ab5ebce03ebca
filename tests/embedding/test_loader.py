"""The loader script as a host page receives it."""

from __future__ import annotations

import gzip

from litestar.testing import AsyncTestClient

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
