"""Liveness and readiness: Postgres is the truth, so only Postgres away makes us unready."""

from __future__ import annotations

import asyncio
from typing import Literal

import msgspec
import psycopg
from litestar import Controller, Response, get
from litestar.openapi.datastructures import ResponseSpec
from psycopg_pool import PoolTimeout

from widget.state import ServicesDep

Health = Literal["ok", "degraded", "down"]
#: How long readiness waits for a pooled connection before asking Postgres directly.
POOL_WAIT_SECONDS = 0.5


class Readiness(msgspec.Struct):
    status: Literal["ready", "unready"]
    postgres: Health
    redis: Health


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


async def _redis(services: ServicesDep) -> Health:
    try:
        async with asyncio.timeout(1):
            await services.redis.ping()
        return "ok"
    except Exception:
        # Bookings stay correct without Redis (Postgres guards every stay); only slower.
        return "degraded"


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
        postgres, redis = await asyncio.gather(_postgres(services), _redis(services))
        ready = postgres == "ok"
        return Response(
            Readiness("ready" if ready else "unready", postgres, redis),
            status_code=200 if ready else 503,
        )
