"""The psycopg connection pool and the one boundary where driver errors become domain errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, cast

import psycopg
from psycopg.rows import dict_row, tuple_row
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


async def fetch_tuples(conn: Conn, query: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every row of ``query`` as a tuple, for reads of many rows on a hot path: a row made
    into a dict costs several times the instructions of the tuple it is made from."""
    cur = cast("psycopg.AsyncCursor[tuple[Any, ...]]", await conn.execute(query, params))
    cur.row_factory = tuple_row  # the rows are made at fetch time, so this one is a tuple
    return await cur.fetchall()


class PooledOnDemand:
    """Stands in for a pooled connection on a path that often needs none (a hold that
    loses: memory and the gate answer it): one is borrowed at the first `execute` or
    `transaction` and given back when the ``async with`` ends. Only those two are offered;
    callers typed for a `Conn` get it through the ``async with`` (so anything else they
    try fails loudly, an AttributeError, rather than quietly)."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self._borrowing: AbstractAsyncContextManager[Conn] | None = None
        self._conn: Conn | None = None

    async def _borrowed(self) -> Conn:
        if self._conn is None:
            borrowing = self._pool.connection()
            self._conn = await borrowing.__aenter__()
            self._borrowing = borrowing
        return self._conn

    async def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
        return await (await self._borrowed()).execute(query, params, **options)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        async with (await self._borrowed()).transaction() as transaction:
            yield transaction

    async def __aenter__(self) -> Conn:
        return cast(Conn, self)

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: Any
    ) -> None:
        if self._borrowing is not None:
            await self._borrowing.__aexit__(kind, error, trace)
