"""What every request can reach: settings, the Postgres pool and the Redis client."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.params import SkipValidation
from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis

from widget.db import Conn
from widget.settings import Settings


@dataclass
class Services:
    settings: Settings
    pool: AsyncConnectionPool[Conn]
    redis: Redis


# Handlers take these unvalidated because they are our own objects, not request data.
ServicesDep = SkipValidation[Services]
DbDep = SkipValidation[Conn]
