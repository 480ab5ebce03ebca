"""Guesthouses spread over the primaries of the suite's Valkey Cluster."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

from tests.helpers import flush_redis, property_toml, with_hold_share
from tests.redis_cluster import Cluster, Node, tag_on_each_primary
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings

ARRIVAL = date.today() + timedelta(days=90)


@dataclass(frozen=True)
class Placed:
    """A guesthouse and the primary its keys live on."""

    slug: str
    property_id: int
    primary: Node


def place(conn: psycopg.Connection[Any], slug: str, property_id: int) -> None:
    """The demo guesthouse as ``slug``, with ``property_id`` (so its hash tag, its slot)."""
    conn.execute(f"ALTER TABLE property ALTER COLUMN id RESTART WITH {int(property_id)}")
    apply_property(conn, parse_property(with_hold_share(property_toml(slug), 1000)))


@pytest.fixture
def spread(redis_cluster: Cluster, database_url: str, clean: None) -> Iterator[list[Placed]]:
    """One guesthouse on each primary of the cluster, which starts empty."""
    flush_redis(redis_cluster.seeds, cluster=True)
    placed = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        for n, (port, property_id) in enumerate(
            sorted(tag_on_each_primary(redis_cluster, range(2000, 2200)).items())
        ):
            slug = f"inn-{n}"
            place(conn, slug, property_id)
            placed.append(Placed(slug, property_id, redis_cluster.node(port)))
    yield placed


def on_cluster(settings: Settings, cluster: Cluster) -> Settings:
    """``settings`` with the cluster client, seeded by every node."""
    import msgspec

    return msgspec.structs.replace(
        settings, redis_url=cluster.seeds, redis_cluster=True, metrics_token=METRICS_TOKEN
    )


#: What the tests show to read ``/metrics`` (the test client is not on loopback).
METRICS_TOKEN = "metrics-token-for-the-tests"
READ_METRICS = {"Authorization": f"Bearer {METRICS_TOKEN}"}


def stay(nights: int = 2, offset: int = 0, room_type: str = "garden-single") -> dict[str, Any]:
    """A stay of the one-room type (so a second hold of it is refused) unless told."""
    check_in = ARRIVAL + timedelta(days=offset)
    return {
        "room_type": room_type,
        "check_in": str(check_in),
        "check_out": str(check_in + timedelta(days=nights)),
        "adults": 1,
    }
