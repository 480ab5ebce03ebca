"""Shared steps of the import tests: connect a feed served by the local feed server, run the
importer as a worker or `innkeep sync run` would, and read what the unit holds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import msgspec
import psycopg
from psycopg.rows import dict_row

from tests.helpers import DEMO_TOML
from tests.sync.feed_server import FeedServer
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings
from widget.sync.polling import FeedOutcome, SyncOptions, import_now

#: Far enough ahead to be neither past nor near the edge of "today" in any zone.
BASE = date.today() + timedelta(days=60)


def day(n: int) -> date:
    return BASE + timedelta(days=n)


def sync_settings(settings: Settings) -> Settings:
    """Outbound calls may reach loopback only: the feed server lives there."""
    return msgspec.structs.replace(
        settings, background_jobs=False, sync_allow_private_networks=("127.0.0.0/8", "::1/128")
    )


def connect_feeds(
    conn: psycopg.Connection[Any],
    server: FeedServer,
    feeds: Sequence[tuple[str, str, str]],
    toml: str = DEMO_TOML,
) -> None:
    """Apply the demo property (or ``toml``) with ``[[feeds]]`` of (unit, name, path on the
    feed server)."""
    text = toml
    for unit, name, path in feeds:
        text += f'\n[[feeds]]\nunit = "{unit}"\nname = "{name}"\nurl = "{server.url(path)}"\n'
    apply_property(conn, parse_property(text))


async def run(
    database_url: str,
    settings: Settings,
    feed: str | None = None,
    slug: str = "demo",
    **options: Any,
) -> list[FeedOutcome]:
    """`innkeep sync run --property SLUG [--feed NAME]`, in-process."""
    async with await psycopg.AsyncConnection.connect(
        database_url, autocommit=True, row_factory=dict_row
    ) as conn:
        return await import_now(conn, slug, feed, SyncOptions(settings, **options))


def blocked(
    conn: psycopg.Connection[Any], unit: str = "Room 1", slug: str = "demo"
) -> list[tuple[Any, ...]]:
    """The unit's imported nights: (channel, uid, check-in, check-out), in order."""
    return [
        tuple(r)
        for r in conn.execute(
            """SELECT c.name, r.source_uid, lower(r.stay), upper(r.stay) FROM reservation r
               JOIN channel c ON c.id = r.source_channel_id JOIN unit u ON u.id = r.unit_id
               JOIN property p ON p.id = r.property_id
               WHERE r.status = 'blocked' AND u.name = %s AND p.slug = %s
               ORDER BY lower(r.stay)""",
            (unit, slug),
        )
    ]


def nights_of(rows: list[tuple[Any, ...]]) -> list[tuple[date, date]]:
    return [(r[-2], r[-1]) for r in rows]


def conflicts(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in conn.execute(
            """SELECT k.uid, lower(k.nights), upper(k.nights), r.status::text, k.resolved_at IS NULL
               FROM sync_conflict k JOIN reservation r ON r.id = k.reservation_id ORDER BY k.id"""
        )
    ]


def owner_mails(conn: psycopg.Connection[Any]) -> list[tuple[str, str]]:
    return [
        (str(r[0]), str(r[1]))
        for r in conn.execute(
            "SELECT kind, subject FROM outbox_message WHERE kind LIKE 'owner_sync%' ORDER BY id"
        )
    ]
