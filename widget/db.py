"""The psycopg connection pool and the one boundary where driver errors become domain errors."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

Conn = psycopg.AsyncConnection[dict[str, Any]]
Pool = AsyncConnectionPool[Conn]


#: psycopg prepares a statement on the server after its fifth run on one connection. Behind
#: PgBouncer in transaction mode (1.18 cannot follow prepared statements) the next
#: transaction may run on a server connection that never saw it, so a pooled URL turns this
#: off; so does every one-off connection, which gains nothing from it.
PREPARE_THRESHOLD = 5


def create_pool(
    conninfo: str, max_size: int = 10, *, pooled: bool = False
) -> AsyncConnectionPool[Conn]:
    """A closed pool; the app's lifespan opens it (``open=False`` avoids opening at import).
    ``pooled``: ``conninfo`` reaches a transaction pooler, so nothing is prepared."""
    return AsyncConnectionPool(
        conninfo,
        min_size=1,
        max_size=max_size,
        open=False,
        kwargs={
            "row_factory": dict_row,
            "autocommit": True,
            "prepare_threshold": None if pooled else PREPARE_THRESHOLD,
        },
        # Fail fast when Postgres is away rather than hanging a guest's request.
        timeout=5.0,
        name="innkeep",
    )
