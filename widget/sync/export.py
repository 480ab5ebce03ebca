"""A unit's iCal export: its confirmed bookings and blocks as all-day events, no guest data.

Each worker remembers which token opens which export (until the property's version moves,
which a rotation does) and the rendered feed of each export at the property's inventory
version, which a Postgres trigger bumps on every reservation change. So an unchanged feed
costs no query at all, like a calendar answer, and a changed one costs one; the answer is
never older than the last committed booking.
"""

from __future__ import annotations

import gzip
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from icalendar import Calendar, Event

from widget.coalesce import Coalesced
from widget.db import Conn
from widget.errors import NotFound
from widget.inventory.versions import Versions
from widget.sql import queries

PRODID = "-//Innkeep//Innkeep iCal export//EN"
#: Stays that ended longer ago than this are history: OTAs only need what is still ahead.
PAST_DAYS = 30
#: Tokens and rendered feeds a worker keeps in memory (a feed is a few KB).
TOKENS = 4096
FEEDS = 512
SUMMARIES = {"confirmed": "Booked", "blocked": "Blocked"}
#: HTTP dates have whole seconds, so two versions of a feed changed within one second would
#: share a Last-Modified, and a client holding the first would be told it has the second.
#: A feed carries a Last-Modified only once it was read this long after its last change
#: (which also covers the transaction that stamped the change committing a little later).
SETTLE_SECONDS = 2.0


@dataclass(frozen=True)
class ExportFeed:
    """What a token opens, as read at the property's ``version``."""

    id: int
    unit_id: int
    #: None for the full feed; else the channel whose own imported stays it leaves out.
    channel_id: int | None
    property_id: int
    slug: str
    version: int
    time_zone: str


@dataclass(frozen=True)
class ExportedStay:
    id: UUID
    check_in: date
    check_out: date
    status: str
    updated_at: datetime


@dataclass
class RenderedFeed:
    body: bytes
    etag: bytes
    #: None while the last change is too recent to name by the second (`SETTLE_SECONDS`).
    last_modified: datetime | None
    stays: tuple[ExportedStay, ...]
    #: When (monotonic) to read again, so that an unsettled feed gets its Last-Modified.
    settles_at: float | None = None
    #: Whether this worker has recorded that the feed's channel was served these stays.
    recorded: bool = False
    gzipped: bytes | None = field(default=None, repr=False)

    def compressed(self) -> bytes:
        """The body gzipped, computed once per rendered feed."""
        if self.gzipped is None:
            self.gzipped = gzip.compress(self.body, compresslevel=6)
        return self.gzipped


def stay_uid(reservation_id: UUID) -> str:
    """A stable UID for a reservation's event that does not reveal its id."""
    return hashlib.sha256(b"ical-uid:" + reservation_id.bytes).hexdigest()[:32] + "@innkeep"


def render(feed: ExportFeed, stays: tuple[ExportedStay, ...]) -> bytes:
    """The feed as iCalendar text: one all-day event per stay, check-out exclusive."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-timezone", feed.time_zone)
    for stay in stays:
        event = Event()
        changed = stay.updated_at.astimezone(UTC)
        event.add("uid", stay_uid(stay.id))
        event.add("dtstamp", changed)
        event.add("last-modified", changed)
        event.add("dtstart", stay.check_in)
        event.add("dtend", stay.check_out)
        event.add("summary", SUMMARIES[stay.status])
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    return bytes(cal.to_ical())


async def read_feed(conn: Conn, token_hash: bytes) -> ExportFeed:
    """The export ``token_hash`` opens; a wrong token is a plain 404."""
    cur = await conn.execute(queries("sync")["feed_by_token"], {"token_hash": token_hash})
    row = await cur.fetchone()
    if row is None:
        raise NotFound("No calendar at this address.")
    return ExportFeed(
        row["id"],
        row["unit_id"],
        row["channel_id"],
        row["property_id"],
        row["slug"],
        row["version"],
        row["time_zone"],
    )


async def read_stays(conn: Conn, feed: ExportFeed, today: date) -> RenderedFeed:
    """The export's stays, rendered (one query)."""
    params = {
        "unit_id": feed.unit_id,
        "property_id": feed.property_id,
        "channel_id": feed.channel_id,
        "today": today,
        "past_days": PAST_DAYS,
    }
    cur = await conn.execute(queries("sync")["exported_stays"], params)
    rows = await cur.fetchall()
    stays = tuple(
        ExportedStay(r["id"], r["check_in"], r["check_out"], r["status"], r["updated_at"])
        for r in rows
        if r["id"] is not None
    )
    body = render(feed, stays)
    etag = b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'
    last_modified, settles_at = _last_modified(rows[0]["changed_at"], rows[0]["read_at"])
    return RenderedFeed(body, etag, last_modified, stays, settles_at)


def _last_modified(
    changed_at: datetime | None, read_at: datetime
) -> tuple[datetime | None, float | None]:
    """The feed's Last-Modified (whole seconds, GMT) if it has settled, else when it will."""
    if changed_at is None:
        return None, None
    unsettled = SETTLE_SECONDS - (read_at - changed_at).total_seconds()
    if unsettled > 0:
        return None, time.monotonic() + unsettled
    return changed_at.astimezone(UTC).replace(microsecond=0), None


async def record_served(conn: Conn, feed: ExportFeed, stays: tuple[ExportedStay, ...]) -> None:
    """Note that the feed's channel has now been served ``stays`` (the first time counts)."""
    await conn.execute(
        queries("sync")["record_served"],
        {
            "feed_id": feed.id,
            "ids": [s.id for s in stays],
            "check_ins": [s.check_in for s in stays],
            "check_outs": [s.check_out for s in stays],
        },
    )


class ExportMemory:
    """Per-worker memory of export tokens and rendered feeds, both bounded."""

    def __init__(self) -> None:
        self._feeds: OrderedDict[bytes, ExportFeed] = OrderedDict()
        self._rendered: OrderedDict[tuple[Any, ...], RenderedFeed] = OrderedDict()
        self._reading: Coalesced[tuple[Any, ...], RenderedFeed] = Coalesced()

    def feed(self, token_hash: bytes) -> ExportFeed | None:
        """The export remembered for ``token_hash``; the caller checks its version against
        the property's (a rotation moves it, so a replaced token is never trusted)."""
        feed = self._feeds.get(token_hash)
        if feed is not None:
            self._feeds.move_to_end(token_hash)
        return feed

    def drop(self, token_hash: bytes) -> None:
        self._feeds.pop(token_hash, None)

    def keep_feed(self, token_hash: bytes, feed: ExportFeed) -> None:
        _bounded_put(self._feeds, token_hash, feed, TOKENS)

    async def rendered(
        self,
        feed: ExportFeed,
        seen: Versions,
        read: Callable[[], Awaitable[RenderedFeed]],
    ) -> RenderedFeed:
        """The export rendered at the property's versions and today's date: remembered, or
        read once (concurrent requests for the same feed share the read)."""
        key = (feed.id, seen.version, seen.inventory_version, seen.today)
        kept = self._rendered.get(key)
        if kept is not None and (kept.settles_at is None or time.monotonic() < kept.settles_at):
            self._rendered.move_to_end(key)
            return kept

        async def read_and_keep() -> RenderedFeed:
            fresh = await read()
            # Older renderings of this export can never be asked for again; what was recorded
            # as served stays recorded if the feed did not change.
            for old in [k for k in self._rendered if k[0] == feed.id]:
                previous = self._rendered.pop(old)
                fresh.recorded |= previous.recorded and previous.etag == fresh.etag
            _bounded_put(self._rendered, key, fresh, FEEDS)
            return fresh

        return await self._reading.run(key, read_and_keep)


def _bounded_put(store: OrderedDict[Any, Any], key: Any, value: Any, bound: int) -> None:
    store[key] = value
    store.move_to_end(key)
    while len(store) > bound:
        store.popitem(last=False)
