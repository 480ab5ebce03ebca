"""Fetching the channels' feeds on schedule, on whichever worker is free.

Each feed is claimed with a lease (an UPDATE that succeeds only where the last lease
lapsed), fetched with no lock or transaction open, and applied in one transaction that
first checks the lease is still this worker's: a worker that stalled past its lease applies
nothing, and a crashed one's claim simply runs out. Fetches are conditional (``ETag``,
``If-Modified-Since``) and the next one is scheduled with jitter so that feeds added at
once do not stay in step.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from psycopg import errors as pg_errors

from widget.db import Conn, Pool
from widget.inventory.holds import Holds
from widget.metrics import Metrics
from widget.outbound import (
    Fetched,
    OutboundFailed,
    OutboundRefused,
    Resolver,
    fetch,
    networks,
    url_for_logs,
)
from widget.rows import decoded
from widget.settings import Settings
from widget.sql import queries
from widget.sync.channel_feed import LeasedFeed
from widget.sync.feed_events import FeedUnreadable, read_feed
from widget.sync.importer import ImportReport, apply_reading, unchanged_reading
from widget.sync.notices import feed_failing, feed_recovered, how_long

log = logging.getLogger(__name__)

#: How a step gets its connection: a pool's ``connection``, or one a command already has.
Connect = Callable[[], AbstractAsyncContextManager[Conn]]

#: Longer than a fetch and its apply can take; a lease that outlives its worker lapses.
LEASE_SECONDS = 120
FETCH_SECONDS = 30.0
#: Two years of a busy unit is well under 1 MB; anything far bigger is not a unit's calendar.
MAX_FEED_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
CLAIM_BATCH = 20
JITTER = 0.1
#: How long an import waits for a row another transaction has (a guest's hold being
#: written, a booking being confirmed) before it gives up until its next fetch. Never
#: forever: a transaction left open elsewhere must not stop a worker's imports.
LOCK_SECONDS = 5.0


@dataclass(frozen=True)
class SyncOptions:
    """What a worker (or `innkeep sync run`) fetches with."""

    settings: Settings
    #: Tests map their test names to loopback; None asks the system.
    resolver: Resolver | None = None
    fetch_seconds: float = FETCH_SECONDS
    max_bytes: int = MAX_FEED_BYTES
    holder: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    )
    #: The worker's holds: guests' holds an import ended give back their gates and quota
    #: places at once (None, as in `innkeep sync run`: they lapse with the holds' own time).
    holds: Holds | None = None
    #: The worker's counters: each fetch is counted by outcome (`FETCH_OUTCOMES`).
    metrics: Metrics | None = None
    #: At most this long waiting for a lock, in each of the import's statements.
    lock_seconds: float = LOCK_SECONDS


#: The outcomes ``innkeep_sync_fetches_total`` counts: a calendar applied, unchanged (304),
#: an HTTP error status, an answer that is no calendar, a URL or address refused, no usable
#: answer (network, time, size), the lease lost to another worker, or the unit's rows
#: locked by another transaction for longer than the import waits (`LOCK_SECONDS`).
FETCH_OUTCOMES = (
    "ok",
    "not_modified",
    "http_error",
    "unreadable",
    "refused",
    "unreachable",
    "lease_lost",
    "locked",
)


@dataclass
class FeedOutcome:
    """One feed's fetch: its name and unit, whether it worked, what changed."""

    unit: str
    name: str
    ok: bool
    status: int | None = None
    error: str | None = None
    report: ImportReport | None = None


async def import_due_feeds(pool: Pool, options: SyncOptions) -> list[FeedOutcome]:
    """The background job: claim the feeds that are due, one by one, and import them (at
    most `CLAIM_BATCH` a round; the rest wait for the next round or another worker)."""
    outcomes: list[FeedOutcome] = []
    # One at a time, so that a lease never waits behind other feeds' slow fetches; and a
    # connection only around each step, none while the feed is being fetched.
    for _ in range(CLAIM_BATCH):
        async with pool.connection() as conn:
            claimed = await _claim(conn, "claim_due_feeds", options, {"limit": 1})
        if not claimed:
            break
        outcomes.append(await import_feed(pool.connection, claimed[0], options))
    return outcomes


async def import_now(
    conn: Conn, slug: str, name: str | None, options: SyncOptions
) -> list[FeedOutcome]:
    """`innkeep sync run`: import the property's feeds (or the one called ``name``) now,
    whatever their schedule; a feed a worker is fetching at this moment is left to it."""
    claimed = await _claim(conn, "claim_feeds_now", options, {"slug": slug, "name": name})
    return [await import_feed(_this(conn), channel_id, options) for channel_id in claimed]


def _this(conn: Conn) -> Connect:
    """``conn`` as a `Connect` (a command has one connection for everything)."""

    @contextlib.asynccontextmanager
    async def same() -> AsyncIterator[Conn]:
        yield conn

    return same


async def _claim(conn: Conn, query: str, options: SyncOptions, params: dict[str, Any]) -> list[int]:
    async with conn.transaction():
        # A feed a worker is applying right now is locked by it for a moment, never long.
        await _bounded(conn, options)
        cur = await conn.execute(
            queries("imports")[query],
            {**params, "lease_seconds": LEASE_SECONDS, "holder": options.holder},
        )
        return [row["channel_id"] for row in await cur.fetchall()]


async def _bounded(conn: Conn, options: SyncOptions) -> None:
    """Give up on any lock this transaction waits for longer than ``lock_seconds``."""
    await conn.execute(
        "SELECT set_config('lock_timeout', %(ms)s, true)",
        {"ms": f"{max(1, round(options.lock_seconds * 1000))}ms"},
    )


async def _leased(conn: Conn, channel_id: int, holder: str) -> LeasedFeed | None:
    cur = await conn.execute(
        queries("imports")["leased_feed"], {"channel_id": channel_id, "holder": holder}
    )
    row = await cur.fetchone()
    return None if row is None else decoded(row, LeasedFeed)


async def import_feed(connect: Connect, channel_id: int, options: SyncOptions) -> FeedOutcome:
    """Fetch one leased feed and apply it (or record why not); the lease ends either way.
    ``connect`` gives a connection for each step; none is held while the feed is fetched.
    Counted in ``innkeep_sync_fetches_total`` by outcome; guests' holds the import ended
    give back their places once it has committed."""
    kind, outcome = await _import(connect, channel_id, options)
    if options.metrics is not None:
        options.metrics.sync_fetched(kind)
    if options.holds is not None and outcome.report is not None:
        await options.holds.ended_elsewhere(outcome.report.ended_holds)
    return outcome


async def _import(
    connect: Connect, channel_id: int, options: SyncOptions
) -> tuple[str, FeedOutcome]:
    """`import_feed`'s work: the outcome, and its kind (one of `FETCH_OUTCOMES`)."""
    async with connect() as conn, conn.transaction():
        await _bounded(conn, options)
        feed = await _leased(conn, channel_id, options.holder)
    if feed is None:
        return "lease_lost", FeedOutcome(
            "?", "?", False, error="the lease was lost before the fetch"
        )
    try:
        answer = await _fetch(feed, options)
    except (OutboundRefused, OutboundFailed) as failed:
        kind = "refused" if isinstance(failed, OutboundRefused) else "unreachable"
        return kind, await _failed(connect, feed, options, None, str(failed))
    if answer.status == 304:
        try:
            return _applied("not_modified", await _fetched(connect, feed, options, answer, None))
        except pg_errors.LockNotAvailable:
            return "locked", await _failed(connect, feed, options, 304, _locked_words(options))
    if answer.status != 200:
        words = _status_words(feed, answer)
        return "http_error", await _failed(connect, feed, options, answer.status, words)
    try:
        reading = read_feed(answer.body, time_zone=feed.time_zone, today=feed.today)
    except FeedUnreadable as unreadable:
        return "unreadable", await _failed(connect, feed, options, answer.status, str(unreadable))
    try:
        return _applied("ok", await _fetched(connect, feed, options, answer, reading))
    except pg_errors.LockNotAvailable:
        # Rolled back: nothing of this fetch is applied; the next fetch tries again.
        return "locked", await _failed(
            connect, feed, options, answer.status, _locked_words(options)
        )


def _locked_words(options: SyncOptions) -> str:
    return (
        "the unit's calendar was locked by another change for more than "
        f"{options.lock_seconds:g} seconds; nothing was applied, the next fetch tries again"
    )


def _applied(kind: str, outcome: FeedOutcome) -> tuple[str, FeedOutcome]:
    """A usable answer's kind, unless the lease was lost before it could be applied."""
    return (kind if outcome.ok else "lease_lost"), outcome


async def _fetch(feed: LeasedFeed, options: SyncOptions) -> Fetched:
    headers = {"accept": "text/calendar, */*;q=0.5"}
    if feed.etag:
        headers["if-none-match"] = feed.etag
    if feed.last_modified:
        headers["if-modified-since"] = feed.last_modified
    return await fetch(
        "GET",
        feed.url,
        headers=headers,
        max_bytes=options.max_bytes,
        timeout=options.fetch_seconds,
        max_redirects=MAX_REDIRECTS,
        resolver=options.resolver,
        allow_networks=networks(options.settings.sync_allow_private_networks),
    )


def _next_in(feed: LeasedFeed) -> float:
    return feed.interval_seconds * random.uniform(1 - JITTER, 1 + JITTER)


async def _fetched(
    connect: Connect, feed: LeasedFeed, options: SyncOptions, answer: Fetched, reading: Any
) -> FeedOutcome:
    """Apply a usable answer (``reading`` None: 304, nothing changed) in one transaction."""
    outcome = FeedOutcome(feed.unit, feed.name, True, answer.status)
    async with connect() as conn, conn.transaction():
        await _bounded(conn, options)
        locked = await _leased(conn, feed.channel_id, options.holder)
        if locked is None:
            return FeedOutcome(feed.unit, feed.name, False, error="the lease was lost")
        if reading is not None:
            outcome.report = await apply_reading(conn, locked, reading)
            problems = outcome.report.problems
        else:
            # Unchanged: only what changed on our side (a clash since cancelled) is redone.
            again = await apply_reading(
                conn, locked, await unchanged_reading(conn, feed.channel_id)
            )
            outcome.report = again if again.lines() else None
            problems = []
        await conn.execute(
            queries("imports")["feed_fetched"],
            {
                "channel_id": feed.channel_id,
                "holder": options.holder,
                "status": answer.status,
                "event_count": len(reading.events) if reading is not None else None,
                "etag": answer.headers.get("etag"),
                "last_modified": answer.headers.get("last-modified"),
                "problems": ("; ".join(problems)[:2000] or None) if reading else None,
                "next_in": _next_in(feed),
            },
        )
        if locked.failure_told_at is not None:
            await feed_recovered(conn, locked)
    log.info("feed %s (%s) imported: %s", feed.name, url_for_logs(feed.url), answer.status)
    return outcome


async def _failed(
    connect: Connect, feed: LeasedFeed, options: SyncOptions, status: int | None, words: str
) -> FeedOutcome:
    """Record the failure; past the setting's threshold, tell the owner (once)."""
    async with connect() as conn, conn.transaction():
        await _bounded(conn, options)
        cur = await conn.execute(
            queries("imports")["feed_failed"],
            {
                "channel_id": feed.channel_id,
                "holder": options.holder,
                "status": status,
                "error": words[:2000],
                "next_in": _next_in(feed),
            },
        )
        row = await cur.fetchone()
        threshold = timedelta(hours=options.settings.sync_failure_hours)
        if (
            row is not None
            and row["failure_told_at"] is None
            and row["now"] - row["failing_since"] >= threshold
        ):
            since = how_long(row["failing_since"], row["now"])
            await feed_failing(conn, feed, f"{words} (failing for {since})")
            await conn.execute(queries("imports")["failure_told"], {"channel_id": feed.channel_id})
    log.warning("feed %s (%s) failed: %s", feed.name, url_for_logs(feed.url), words)
    return FeedOutcome(feed.unit, feed.name, False, status, words)


def _status_words(feed: LeasedFeed, answer: Fetched) -> str:
    """Why an HTTP status is a failure, and what the owner can do about it."""
    status = answer.status
    if status in (404, 410):
        return (
            f"the feed answered {status}: the URL was probably regenerated on {feed.name}; "
            "copy the new export link into the property file"
        )
    if status in (401, 403):
        return (
            f"the feed answered {status}: {feed.name} no longer lets this link in; "
            "copy the export link again"
        )
    if status == 429:
        return f"the feed answered 429: {feed.name} asks us to fetch less often"
    if status >= 500:
        return f"the feed answered {status}: {feed.name} is having trouble; Innkeep keeps trying"
    if 300 <= status < 400:
        return f"the feed answered {status} without a usable redirect"
    return f"the feed answered {status}"
