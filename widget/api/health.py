"""Liveness, readiness and metrics: Postgres is the truth, so only Postgres away makes us
unready; a Redis that cannot serve every property shows as degraded, with the reason."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
from typing import Any, Literal

import msgspec
import psycopg
from litestar import Controller, Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from psycopg_pool import PoolTimeout

from widget.errors import Refused
from widget.metrics import CONTENT_TYPE
from widget.shared_redis import probe
from widget.state import ServicesDep

Health = Literal["ok", "degraded", "down"]
#: How long readiness waits for a pooled connection before asking Postgres directly.
POOL_WAIT_SECONDS = 0.5


class Readiness(msgspec.Struct, omit_defaults=True):
    status: Literal["ready", "unready"]
    postgres: Health
    redis: Health
    #: Why Redis is degraded (absent while it is ok): it does not answer, it is a cluster
    #: node spoken to as a single server, or a recent call on the hot path failed.
    redis_reason: str | None = None


async def _postgres(services: ServicesDep) -> Health:
    try:
        async with asyncio.timeout(2):
            await _postgres_answers(services)
        return "ok"
    except Exception:
        return "down"


async def _postgres_answers(services: ServicesDep) -> None:
    try:
        async with services.pool.connection(timeout=POOL_WAIT_SECONDS) as conn:
            await conn.execute("SELECT 1")
    except PoolTimeout:
        # Every pooled connection is busy (or none can be made): ask Postgres itself, on a
        # connection of our own, so that a loaded instance is not reported as down.
        assert services.settings.database_url is not None
        async with await psycopg.AsyncConnection.connect(
            services.settings.database_url, connect_timeout=2, autocommit=True
        ) as conn:
            await conn.execute("SELECT 1")


async def _redis(services: ServicesDep) -> tuple[Health, str | None]:
    """Bookings stay correct without Redis (Postgres guards every stay), only slower: so
    Redis is never "down", but "degraded" whenever it could not serve every property."""
    try:
        async with asyncio.timeout(1):
            reason = await probe(services.redis)
    except Exception as exc:
        reason = f"no answer: {type(exc).__name__}: {exc}"
    watch = services.redis_watch
    if reason is None:
        watch.probe_answered()
    # The breaker first: it says the hot path is not using Redis at all for now.
    reasons = [r for r in (watch.breaker(), reason or watch.recent_failure()) if r]
    return ("ok", None) if not reasons else ("degraded", "; ".join(reasons))


def _may_read_metrics(request: Request[Any, Any, Any], token: str | None) -> bool:
    """With INNKEEP_METRICS_TOKEN, whoever shows it as a bearer token; without, only a
    caller on this machine that is not a proxy relaying someone else."""
    if token:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.client.host if request.client else "").is_loopback
    except ValueError:
        return False


class HealthController(Controller):
    include_in_schema = True
    tags = ("operations",)

    @get("/healthz", operation_id="healthz", cache=False)
    async def healthz(self) -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @get(
        "/readyz",
        operation_id="readyz",
        cache=False,
        responses={
            503: ResponseSpec(
                data_container=Readiness,
                generate_examples=False,
                description="Not ready: Postgres does not answer (the body says which part).",
            )
        },
    )
    async def readyz(self, services: ServicesDep) -> Response[Readiness]:
        """Ready while Postgres answers; Redis being away only degrades the service."""
        postgres, (redis, reason) = await asyncio.gather(_postgres(services), _redis(services))
        ready = postgres == "ok"
        return Response(
            Readiness("ready" if ready else "unready", postgres, redis, reason),
            status_code=200 if ready else 503,
        )

    @get("/metrics", operation_id="metrics", cache=False, include_in_schema=False)
    async def metrics(
        self, request: Request[Any, Any, Any], services: ServicesDep
    ) -> Response[bytes]:
        """Counters in Prometheus' text format (docs/operations.md says who may read them)."""
        if not _may_read_metrics(request, services.settings.metrics_token):
            raise Refused(
                "The metrics need INNKEEP_METRICS_TOKEN as a bearer token, or a caller on "
                "this machine.",
                field="authorization",
            )
        return Response(services.metrics.exposition(), media_type=CONTENT_TYPE)
