"""Nothing but the widget page may be framed; the API docs load nothing from elsewhere
(issue 10, item 15)."""

from __future__ import annotations

import re
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.helpers import DEMO_TOML
from widget.properties.apply import apply_property
from widget.properties.file import parse_property


def refuses_framing(answer: Any) -> None:
    """The answer may not be framed by any page, in old browsers and new."""
    policy = answer.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy, (answer.request.url, policy)
    assert answer.headers.get("x-frame-options") == "DENY", answer.request.url


async def test_every_html_answer_but_the_widget_page_refuses_framing(
    client: AsyncTestClient,
    db: psycopg.Connection[Any],  # type: ignore[type-arg]
) -> None:
    apply_property(db, parse_property(DEMO_TOML))
    db.commit()
    for path in ("/schema", "/schema/swagger", "/manage/NOPE-123?key=x"):
        answer = await client.get(path)
        if answer.headers.get("content-type", "").startswith("text/html"):
            refuses_framing(answer)
    docs = await client.get("/schema")
    assert docs.headers["content-type"].startswith("text/html")
    refuses_framing(docs)
    widget = await client.get("/embed/demo")
    assert widget.status_code == 200
    policy = widget.headers["content-security-policy"]
    assert (
        "frame-ancestors http://127.0.0.1:8001" in policy
        and "'none'" not in policy.split("frame-ancestors")[1].split(";")[0]
    )
    assert "x-frame-options" not in widget.headers


async def test_the_api_docs_load_every_asset_from_the_service_itself(
    client: AsyncTestClient,  # type: ignore[type-arg]
) -> None:
    page = await client.get("/schema")
    assert page.status_code == 200
    referenced = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert referenced, page.text
    for url in referenced:
        assert url.startswith("/"), f"the docs page loads {url} from elsewhere"
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.content, url
    assert any(u.endswith("swagger-ui-bundle.js") for u in referenced)


@pytest.mark.parametrize("name", ["swagger-ui-bundle.js", "swagger-ui.css"])
async def test_the_docs_assets_are_cached_but_not_listed_in_the_api(
    client: AsyncTestClient,
    name: str,  # type: ignore[type-arg]
) -> None:
    asset = await client.get(f"/api-docs/assets/{name}")
    assert asset.status_code == 200 and "max-age=3600" in asset.headers["cache-control"]
    schema = (await client.get("/schema/openapi.json")).json()
    assert not [p for p in schema["paths"] if p.startswith("/api-docs")]
