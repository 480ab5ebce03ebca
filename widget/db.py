"""The psycopg connection pool and the one boundary where driver errors become domain errors."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

Conn = psycopg.AsyncConnection[dict[str, Any]]
Pool = AsyncConnectionPool[Conn]


def create_pool(conninfo: str, max_size: int = 10) -> AsyncConnectionPool[Conn]:
    """A closed pool; the app's lifespan opens it (``open=False`` avoids opening at import)."""
    return AsyncConnectionPool(
        conninfo,
        min_size=1,
        max_size=max_size,
        open=False,
        kwargs={"row_factory": dict_row, "autocommit": True},
        # Fail fast when Postgres is away rather than hanging a guest's request.
        timeout=5.0,
        name="innkeep",
    )
