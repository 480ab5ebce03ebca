"""The service skeleton over HTTP, against the suite's real Postgres and Redis."""

from __future__ import annotations

import psycopg
from litestar.testing import AsyncTestClient

from tests.conftest import free_port, with_settings
from tests.helpers import DEMO_TOML
from widget.app import create_app, services_of
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings


async def test_healthz_says_the_process_is_alive(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_both_servers(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "postgres": "ok", "redis": "ok"}


async def test_readyz_stays_ready_with_redis_away(settings: Settings) -> None:
    away = with_settings(settings, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    async with AsyncTestClient(app=create_app(away)) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body | {"redis_reason": ""} == {
        "status": "ready",
        "postgres": "ok",
        "redis": "degraded",
        "redis_reason": "",
    }
    assert body["redis_reason"].startswith("no answer: ConnectionError")


async def test_readyz_is_unready_only_when_postgres_is_away(settings: Settings) -> None:
    away = with_settings(
        settings, database_url=f"postgresql://nobody@127.0.0.1:{free_port()}/innkeep"
    )
    async with AsyncTestClient(app=create_app(away)) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["postgres"] == "down"


async def test_a_property_is_described_publicly(
    client: AsyncTestClient,
    database_url: str,  # type: ignore[type-arg]
) -> None:
    with psycopg.connect(database_url) as conn:
        apply_property(conn, parse_property(DEMO_TOML))
    response = await client.get("/api/v1/properties/demo")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Casa Lanterna"
    assert body["currency"] == "EUR"
    assert [r["slug"] for r in body["room_types"]] == [
        "double-sea-view",
        "family-suite",
        "garden-single",
    ]
    assert body["room_types"][0]["base_price"] == {"amount": 14000, "currency": "EUR"}
    assert body["room_types"][1]["units"] == 2
    # Nothing the guest should not see: no contact e-mail, no allowed origins.
    assert "contact_email" not in body and "allowed_origins" not in body


async def test_an_unknown_property_is_a_clear_404(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/api/v1/properties/no-such-inn")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert "no-such-inn" in response.json()["message"]


async def test_an_unknown_path_is_json_too(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


async def test_openapi_describes_the_public_api(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/properties/{slug}" in paths
    assert "/readyz" in paths


async def test_the_loader_script_is_served_to_any_site(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/widget.js", headers={"Origin": "https://some-inn.example"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.headers["access-control-allow-origin"] == "*"
    assert "Innkeep" in response.text


async def test_static_assets_are_cached_for_an_hour(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    # The widget page inlines its own script and stylesheet; the files stay public.
    for asset in ("/static/widget/widget.css", "/static/widget/main.js"):
        response = await client.get(asset, params={"v": "anything"})
        assert response.status_code == 200
        directives = {d.strip() for d in response.headers["cache-control"].split(",")}
        assert directives == {"public", "max-age=3600"}


async def test_readyz_stays_ready_while_every_pooled_connection_is_busy(
    settings: Settings, clean: None
) -> None:
    """A busy pool is not Postgres away: a load balancer must not pull a loaded instance."""
    app = create_app(with_settings(settings, db_pool_max=2))
    async with AsyncTestClient(app=app) as client:
        pool = services_of(app).pool
        async with pool.connection() as first, pool.connection() as second:
            assert first is not second
            response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["postgres"] == "ok"
