"""The psycopg connection pool and the one boundary where driver errors become domain errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

Conn = psycopg.AsyncConnection[dict[str, Any]]


class StayTaken(Exception):
    """Postgres refused the write: another active reservation holds a night of that unit."""


class DatabaseUnavailable(Exception):
    """Postgres did not answer; the request cannot be served right now."""


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


@asynccontextmanager
async def translated() -> AsyncIterator[None]:
    """Turn driver errors into the domain's: an overlap is `StayTaken`, an outage
    `DatabaseUnavailable`; anything else propagates unchanged."""
    try:
        yield
    except pg_errors.ExclusionViolation as exc:
        raise StayTaken(str(exc)) from exc
    except (psycopg.OperationalError, TimeoutError) as exc:
        raise DatabaseUnavailable(str(exc)) from exc
