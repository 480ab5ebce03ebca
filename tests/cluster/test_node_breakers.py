"""With a Redis Cluster the circuit breaker is per node: one dead primary rests the
guesthouses whose slots it serves, and those on the healthy primaries keep the fast path.
/readyz and /metrics say which node is resting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import AsyncTestClient

from tests.cluster.conftest import READ_METRICS, Placed, on_cluster, stay
from tests.helpers import counter
from tests.redis_cluster import Cluster
from widget.app import create_app
from widget.settings import Settings
from widget.shared_redis import TRIP_AFTER


@pytest.fixture
def one_primary_dies(redis_cluster: Cluster, spread: list[Placed]) -> Iterator[Placed]:
    """The first guesthouse's primary, killed by the test; afterwards started again, and
    the cluster healthy (the old primary back as a replica)."""
    dead = spread[0]
    try:
        yield dead
    finally:
        if dead.primary.process is None:
            dead.primary.start()
        redis_cluster.wait_healthy()


async def test_a_dead_primary_rests_only_its_own_guesthouses(
    quiet_settings: Settings,
    redis_cluster: Cluster,
    spread: list[Placed],
    one_primary_dies: Placed,
) -> None:
    dead, healthy = one_primary_dies, spread[1:]
    node = f"127.0.0.1:{dead.primary.port}"
    async with AsyncTestClient(app=create_app(on_cluster(quiet_settings, redis_cluster))) as c:
        for inn in spread:  # every node answers; the client has read the slot map
            made = await c.post(f"/api/v1/properties/{inn.slug}/holds", json=stay())
            assert made.status_code == 201, made.text
        dead.primary.kill()
        for n in range(TRIP_AFTER):  # calendars of the dead node's guesthouse: from Postgres
            day = stay(offset=20 + n)
            calendar = await c.get(
                f"/api/v1/properties/{dead.slug}/calendar",
                params={"start": day["check_in"], "end": day["check_out"]},
            )
            assert calendar.status_code == 200
        ready = (await c.get("/readyz")).json()
        before = (await c.get("/metrics", headers=READ_METRICS)).text
        # The guesthouses on the healthy primaries still hold through Redis's gate.
        for inn in healthy:
            made = await c.post(f"/api/v1/properties/{inn.slug}/holds", json=stay(offset=30))
            assert made.status_code == 201, made.text
        after = (await c.get("/metrics", headers=READ_METRICS)).text
    assert counter(after, "innkeep_redis_skipped_total") == counter(
        before, "innkeep_redis_skipped_total"
    )
    for inn in healthy:
        assert (
            counter(after, "innkeep_redis_node_resting", node=f"127.0.0.1:{inn.primary.port}") == 0
        )
        gates = [
            k.decode()
            for k in inn.primary.client().scan_iter(f"innkeep:{{p:{inn.property_id}}}:gate:*")
        ]
        assert any(stay(offset=30)["check_in"] in key for key in gates), gates
    assert ready["redis"] == "degraded"
    assert (
        f"circuit breaker open after {TRIP_AFTER} failures in a row: node {node}"
        in (ready["redis_reason"])
    )
    assert counter(before, "innkeep_redis_node_resting", node=node) == 1
    assert counter(before, "innkeep_redis_breaker_open") == 1
