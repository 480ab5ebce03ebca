"""What goes wrong with feeds: each fault changes nothing already imported, is named in
words by `innkeep sync status`, and a feed failing for hours reaches the owner once (and
once more when it recovers)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from tests.helpers import advance_clock
from tests.sync.feed_server import FeedServer, Route
from tests.sync.importing import (
    blocked,
    connect_feeds,
    day,
    nights_of,
    owner_mails,
    run,
    sync_settings,
)
from tests.sync.samples import airbnb
from widget.cli import main
from widget.settings import Settings


@pytest.fixture
def synced(settings: Settings) -> Settings:
    return sync_settings(settings)


async def metadata_resolver(host: str, port: int) -> Sequence[str]:
    return {"feeds.example.com": ["127.0.0.1"], "metadata.internal": ["169.254.169.254"]}[host]


def environment(monkeypatch: pytest.MonkeyPatch, database_url: str, settings: Settings) -> None:
    """What `innkeep sync` reads: the test's database, loopback allowed."""
    monkeypatch.setenv("INNKEEP_DATABASE_URL", database_url)
    monkeypatch.setenv("INNKEEP_REDIS_URL", settings.redis_url or "")
    monkeypatch.setenv("INNKEEP_ENV", "test")
    monkeypatch.setenv("INNKEEP_SYNC_ALLOW_PRIVATE_NETWORKS", "127.0.0.0/8")


async def cli(*args: str) -> int:
    """`innkeep ARGS` (it runs its own event loop, so in a thread)."""
    return await asyncio.to_thread(main, list(args))


FAULTS = {
    "404": (Route(b"Not Found", 404, "text/html"), "the URL was probably regenerated on Airbnb"),
    "500": (Route(b"oops", 500, "text/plain"), "Airbnb is having trouble"),
    "timeout": (Route(b"", delay=1.0), "no complete answer within 0.3 seconds"),
    "10 MB": (Route(b"x" * 65536, repeat=160), "more than 1000000 bytes"),
    "garbage": (Route(b"\x00\x17garbage" * 100), "not an iCalendar file"),
    "html login page": (
        Route(b"<!DOCTYPE html><html><body><form action=/login>", content_type="text/html"),
        "web page (perhaps a login page)",
    ),
    "redirect to a private address": (
        Route(status=302, headers={"Location": "http://metadata.internal/latest/meta-data/"}),
        "link-local or cloud metadata address (169.254.169.254)",
    ),
    "broken off": (
        Route(b"BEGIN:VCALENDAR\r\n", headers={"Content-Length": "5000"}),
        "broke off",
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_a_failing_feed_changes_nothing_and_says_why(
    fault: str,
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    synced: Settings,
    database_url: str,
    capsys: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed_server.routes["/a.ics"] = Route(airbnb([(day(0), day(3))]))
    connect_feeds(demo_property, feed_server, [("Room 1", "Airbnb", "/a.ics")])
    demo_property.execute(
        "UPDATE channel_feed SET url = replace(url, '127.0.0.1', 'feeds.example.com')"
    )
    options: dict[str, Any] = {"resolver": metadata_resolver, "max_bytes": 1_000_000}
    await run(database_url, synced, **options)
    before = blocked(demo_property)
    assert nights_of(before) == [(day(0), day(3))]

    route, words = FAULTS[fault]
    feed_server.routes["/a.ics"] = route
    # A short limit only where the fault is the time: a busy machine must not fail the rest.
    seconds = 0.3 if fault == "timeout" else 10.0
    [outcome] = await run(database_url, synced, fetch_seconds=seconds, **options)
    assert not outcome.ok and outcome.error is not None and words in outcome.error
    assert blocked(demo_property) == before  # a failed fetch releases nothing
    assert "/a.ics" not in outcome.error  # the URL's path is a secret

    environment(monkeypatch, database_url, synced)
    assert await cli("sync", "status", "--property", "demo", "--json") == 1
    [health] = json.loads(capsys.readouterr().out)
    assert health["state"] == "failing" and words in health["error"]
    assert "/a.ics" not in json.dumps(health)


async def test_a_404_for_hours_is_named_with_its_age_and_mailed_once_then_recovery(
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    synced: Settings,
    database_url: str,
    capsys: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed_server.routes["/a.ics"] = Route(b"gone", 404, "text/plain")
    connect_feeds(demo_property, feed_server, [("Room 1", "Airbnb", "/a.ics")])
    await run(database_url, synced)
    assert owner_mails(demo_property) == []
    advance_clock(demo_property, timedelta(days=2))
    await run(database_url, synced)
    await run(database_url, synced)
    assert owner_mails(demo_property) == [
        ("owner_sync_failing", "Airbnb calendar of Room 1 is not syncing")
    ]
    environment(monkeypatch, database_url, synced)
    assert await cli("sync", "status", "--property", "demo") == 1
    shown = capsys.readouterr().out
    assert "FAILING" in shown
    assert "the feed answered 404 since 2 days: the URL was probably regenerated on Airbnb" in shown

    feed_server.routes["/a.ics"] = Route(airbnb([(day(0), day(3))]))
    assert await cli("sync", "run", "--property", "demo", "--feed", "Airbnb") == 0
    printed = capsys.readouterr().out
    assert "Room 1 · Airbnb: 1 change(s)" in printed and f"added {day(0)} to {day(3)}" in printed
    assert owner_mails(demo_property)[-1] == (
        "owner_sync_recovered",
        "Airbnb calendar of Room 1 is syncing again",
    )
    assert await cli("sync", "status", "--property", "demo") == 0
    assert "Room 1 · Airbnb: OK" in capsys.readouterr().out


async def test_a_half_applied_feed_changes_nothing(
    demo_property: psycopg.Connection[Any],
    feed_server: FeedServer,
    synced: Settings,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One fetch is one transaction: a failure after the events were stored undoes them."""
    import widget.sync.importer as importer

    feed_server.routes["/a.ics"] = Route(airbnb([(day(0), day(3)), (day(5), day(6))]))
    connect_feeds(demo_property, feed_server, [("Room 1", "Airbnb", "/a.ics")])
    placed = importer._place_together
    calls = 0

    async def place_then_fail(*args: Any) -> bool:
        nonlocal calls
        calls += 1
        await placed(*args)  # the nights are written...
        raise RuntimeError("the worker died here")  # ...and then the worker dies

    monkeypatch.setattr(importer, "_place_together", place_then_fail)
    with pytest.raises(RuntimeError):
        await run(database_url, synced)
    assert calls == 1
    assert blocked(demo_property) == []
    assert demo_property.execute("SELECT count(*) FROM imported_event").fetchone() == (0,)
