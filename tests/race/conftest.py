"""A real service with two worker processes, against the suite's Postgres and Redis."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import free_port
from tests.helpers import DEMO_TOML
from widget.property_apply import apply_property
from widget.property_file import parse_property

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Service:
    url: str
    process: subprocess.Popen[bytes]


def start_service(database_url: str, redis_url: str, workers: int = 2) -> Service:
    port = free_port()
    env = {
        **os.environ,
        "INNKEEP_DATABASE_URL": database_url,
        "INNKEEP_REDIS_URL": redis_url,
        "INNKEEP_ENV": "test",
        # Many test clients share one address: lift the per-address limits for the race.
        "INNKEEP_HOLDS_PER_ADDRESS": "100000",
        "INNKEEP_HOLD_ATTEMPTS_PER_MINUTE": "100000",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "widget.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return Service(url, process)
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the service did not become ready")


def stop_service(service: Service) -> None:
    service.process.terminate()
    try:
        service.process.wait(20)
    except subprocess.TimeoutExpired:
        service.process.kill()


@pytest.fixture
def demo_db(database_url: str, clean: None) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(database_url) as conn:
        apply_property(conn, parse_property(DEMO_TOML))
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
