"""A real service with two worker processes, against the suite's Postgres and Redis."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.conftest import ON_CLUSTER
from tests.helpers import OPEN_DEMO_TOML
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.testing.stack import Launch, Running, innkeep_serve


def racing_service(
    database_url: str, redis_url: str, workers: int = 2, *, cluster: bool = ON_CLUSTER
) -> contextlib.AbstractContextManager[Running]:
    """``innkeep serve`` with ``workers`` processes on the suite's Postgres and ``redis_url``
    (a cluster's seed nodes when ``cluster``)."""
    env = {
        **os.environ,
        "INNKEEP_DATABASE_URL": database_url,
        "INNKEEP_REDIS_URL": redis_url,
        "INNKEEP_REDIS_CLUSTER": "1" if cluster else "0",
        "INNKEEP_ENV": "test",
        # Many test clients share one address: lift the per-address limits for the race
        # (the property lets one client hold all of it, too).
        "INNKEEP_HOLDS_PER_ADDRESS": "100000",
        "INNKEEP_HOLD_ATTEMPTS_PER_MINUTE": "100000",
    }
    return innkeep_serve(Launch(env, grace=20), workers=workers)


@pytest.fixture
def demo_db(database_url: str, clean: None) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(database_url) as conn:
        apply_property(conn, parse_property(OPEN_DEMO_TOML))
        yield conn


def overlaps(conn: psycopg.Connection[Any]) -> int:
    """Pairs of active reservations of one unit that share a night (must be none)."""
    row = conn.execute(
        """SELECT count(*) FROM reservation a JOIN reservation b
             ON a.unit_id = b.unit_id AND a.id < b.id AND a.stay && b.stay
           WHERE a.status IN ('held', 'confirmed', 'blocked')
             AND b.status IN ('held', 'confirmed', 'blocked')"""
    ).fetchone()
    conn.commit()
    assert row is not None
    return int(row[0])


def run(coro: Any) -> Any:
    return asyncio.run(coro)
