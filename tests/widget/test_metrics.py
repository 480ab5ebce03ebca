"""``/metrics``: what it counts, who may read it; and Redis failures told at a sane rate."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import MovedError

from tests.helpers import counter
from widget.app import create_app
from widget.metrics import Metrics
from widget.settings import Settings, SettingsError, load_settings
from widget.shared_redis import RECENT_SECONDS, RedisWatch

TOKEN = "a-token-for-prometheus"
READ = {"Authorization": f"Bearer {TOKEN}"}


async def test_requests_are_counted_by_route_template_and_status_class(
    quiet_settings: Settings, demo_property: object
) -> None:
    app = create_app(msgspec.structs.replace(quiet_settings, metrics_token=TOKEN))
    start = date.today() + timedelta(days=30)
    async with AsyncTestClient(app=app) as client:
        for slug in ("demo", "demo", "nowhere"):
            await client.get(
                f"/api/v1/properties/{slug}/calendar",
                params={"start": str(start), "end": str(start + timedelta(days=3))},
            )
        for path in ("/wp-admin/1", "/wp-admin/2"):
            assert (await client.get(path)).status_code == 404
        held = await client.post(
            "/api/v1/properties/demo/holds",
            json={
                "room_type": "garden-single",
                "check_in": "2001-01-01",
                "check_out": "2001-01-04",
                "adults": 1,
            },
        )
        assert held.status_code == 422
        text = (await client.get("/metrics", headers=READ)).text
    calendar = "/api/v1/properties/{slug}/calendar"
    assert counter(text, "innkeep_requests_total", route=calendar, status="2xx") == 2
    assert counter(text, "innkeep_requests_total", route=calendar, status="4xx") == 1
    # Paths no route knows share one series: a scanner cannot grow the exposition.
    assert counter(text, "innkeep_requests_total", route="unmatched", status="4xx") == 2
    assert counter(text, "innkeep_holds_total", outcome="refused", reason="invalid") == 1
    assert "# TYPE innkeep_sync_fetches_total counter" in text  # for the importer to count


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"X-Token": TOKEN}])
async def test_metrics_need_the_token_when_one_is_set(
    settings: Settings, headers: dict[str, str]
) -> None:
    app = create_app(msgspec.structs.replace(settings, metrics_token=TOKEN))
    async with AsyncTestClient(app=app) as client:
        refused = await client.get("/metrics", headers=headers)
        shown = await client.get("/metrics", headers=READ)
    assert refused.status_code == 403
    assert refused.json()["field"] == "authorization"
    assert shown.status_code == 200
    assert shown.headers["content-type"].startswith("text/plain")


async def test_without_a_token_only_this_machine_may_read_metrics(settings: Settings) -> None:
    # The test client's address is not a loopback one: as a remote caller would be.
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert (await client.get("/metrics")).status_code == 403


def test_redis_failures_are_all_counted_and_warned_once_a_minute_per_kind(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [1000.0]
    metrics = Metrics()
    watch = RedisWatch(metrics, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="widget.shared_redis"):
        for _ in range(50):
            watch.failed("gate.acquire", RedisConnectionError("refused"))
            watch.failed("calendar.get", RedisConnectionError("refused"))
        watch.failed("gate.acquire", MovedError("3999 127.0.0.1:7001"))
        now[0] += 61
        watch.failed("quotas.charge", RedisConnectionError("refused"))
    text = metrics.exposition().decode()
    assert counter(text, "innkeep_redis_errors_total", operation="gate.acquire") == 51
    assert counter(text, "innkeep_redis_errors_total", operation="calendar.get") == 50
    warned = [record.getMessage() for record in caplog.records]
    assert len(warned) == 3, warned  # refused, MOVED, and refused again a minute later
    assert "INNKEEP_REDIS_CLUSTER=1" in warned[1]
    assert "99 more failures" in warned[2]
    assert watch.recent_failure() is not None
    now[0] += RECENT_SECONDS + 1
    assert watch.recent_failure() is None


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"INNKEEP_REDIS_URL": "redis://a:6379,redis://b:6379"}, "INNKEEP_REDIS_CLUSTER=1"),
        (
            {"INNKEEP_REDIS_CLUSTER": "1", "INNKEEP_REDIS_URL": "redis://a:1,http://b:2"},
            "INNKEEP_REDIS_URL",
        ),
        ({"INNKEEP_REDIS_CLUSTER": "maybe"}, "INNKEEP_REDIS_CLUSTER"),
    ],
)
def test_wrong_redis_settings_name_their_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(env)


def test_a_cluster_is_named_by_its_seed_nodes() -> None:
    settings = load_settings(
        {"INNKEEP_REDIS_CLUSTER": "1", "INNKEEP_REDIS_URL": "redis://a:7000, redis://b:7001"}
    )
    assert settings.redis_cluster
    assert settings.redis_url == "redis://a:7000,redis://b:7001"
