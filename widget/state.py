"""What every request can reach: settings, the Postgres pool and the Redis client."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from litestar.params import SkipValidation
from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis

from widget.db import Conn
from widget.settings import Settings

if TYPE_CHECKING:
    from widget.inventory.freshness import Freshness
    from widget.inventory.holds import Holds
    from widget.sync.export import ExportMemory


@dataclass
class Services:
    settings: Settings
    pool: AsyncConnectionPool[Conn]
    redis: Redis

    @cached_property
    def holds(self) -> Holds:
        """Holds, their gate and quotas, shared by every request of this worker."""
        from widget.inventory.holds import Holds

        return Holds(self)

    @cached_property
    def freshness(self) -> Freshness:
        """This worker's memory of property versions and calendar answers."""
        from widget.inventory.freshness import Freshness

        return Freshness()

    @cached_property
    def exports(self) -> ExportMemory:
        """This worker's memory of iCal export tokens and rendered feeds."""
        from widget.sync.export import ExportMemory

        return ExportMemory()


# Handlers take these unvalidated because they are our own objects, not request data.
ServicesDep = SkipValidation[Services]
DbDep = SkipValidation[Conn]
