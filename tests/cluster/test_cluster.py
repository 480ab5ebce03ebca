"""Innkeep on a real Valkey Cluster: every primary holds its guesthouses' keys with nothing
falling back to Postgres, and a client that cannot follow the cluster is never called ok."""

from __future__ import annotations

import msgspec
from litestar.testing import AsyncTestClient

from tests.cluster.conftest import READ_METRICS, Placed, on_cluster, stay
from tests.helpers import counter
from tests.redis_cluster import Cluster
from widget.app import create_app
from widget.settings import Settings


async def test_guesthouses_on_every_primary_use_the_fast_path(
    quiet_settings: Settings, redis_cluster: Cluster, spread: list[Placed]
) -> None:
    app = create_app(on_cluster(quiet_settings, redis_cluster))
    async with AsyncTestClient(app=app) as client:
        for inn in spread:
            path = f"/api/v1/properties/{inn.slug}"
            calendar = await client.get(
                f"{path}/calendar", params={"start": stay()["check_in"], "end": stay()["check_out"]}
            )
            assert calendar.status_code == 200
            made = await client.post(f"{path}/holds", json=stay())
            assert made.status_code == 201, made.text
            # The one room's nights again: the gate (in Redis) says taken.
            again = await client.post(f"{path}/holds", json=stay())
            assert again.status_code == 409
        ready = await client.get("/readyz")
        metrics = (await client.get("/metrics", headers=READ_METRICS)).text
    assert ready.json() == {"status": "ready", "postgres": "ok", "redis": "ok"}
    assert counter(metrics, "innkeep_redis_errors_total") == 0
    assert counter(metrics, "innkeep_holds_total", outcome="made") == len(spread)
    assert counter(metrics, "innkeep_holds_total", outcome="refused", reason="taken") == 3
    # Every primary holds the gates, quotas and calendars of its own guesthouse, and only those.
    for inn in spread:
        keys = [key.decode() for key in inn.primary.client().scan_iter("innkeep:*")]
        assert {"gate", "holds", "attempts", "calendar"} <= {key.split(":")[3] for key in keys}
        assert {key.split("}")[0] for key in keys} == {f"innkeep:{{p:{inn.property_id}"}


async def test_a_single_server_client_pointed_at_a_cluster_node_says_so(
    quiet_settings: Settings, redis_cluster: Cluster, spread: list[Placed]
) -> None:
    """The issue's reproduction: INNKEEP_REDIS_URL names one primary, without
    INNKEEP_REDIS_CLUSTER. Holds of a guesthouse whose keys live elsewhere still work
    (Postgres), but /readyz says Redis is degraded and why, and /metrics counts the errors."""
    seed, elsewhere = spread[0], spread[1]
    plain = msgspec.structs.replace(
        on_cluster(quiet_settings, redis_cluster), redis_url=seed.primary.url, redis_cluster=False
    )
    async with AsyncTestClient(app=create_app(plain)) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["redis"] == "degraded"
        assert "INNKEEP_REDIS_CLUSTER=1" in ready.json()["redis_reason"]
        path = f"/api/v1/properties/{elsewhere.slug}"
        made = await client.post(f"{path}/holds", json=stay(offset=10))
        assert made.status_code == 201
        metrics = (await client.get("/metrics", headers=READ_METRICS)).text
    assert counter(metrics, "innkeep_redis_errors_total", operation="gate.acquire") >= 1
    assert counter(metrics, "innkeep_redis_errors_total", operation="quotas.charge") >= 1
