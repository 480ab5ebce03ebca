"""Applying what a channel's feed lists to the unit's inventory, in one transaction.

Each event becomes nights blocked under the one exclusion constraint (decision 12): a
``blocked`` reservation with its source (channel and UID), in one piece or, around a
conflict, several. Re-reading the same feed changes nothing; an event that vanished or was
cancelled releases its nights; one whose dates changed moves them.

- An **echo** (the channel sending back nights it fetched from our export) stores nothing:
  every night must be covered by stays that this channel's own export had served before the
  event first appeared with these dates.
- A **conflict** (a night Innkeep had sold or blocked, or another channel's stay) is
  recorded with both sides and told to the owner once; the other nights are still blocked.
- A live **hold** on the nights loses: it ends now, and its guest is told at confirmation
  that the room is gone, as when any other guest was faster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from psycopg import errors as pg_errors
from psycopg.types.range import Range

from widget.db import Conn
from widget.sql import queries
from widget.sync.channel_feed import Clash, LeasedFeed
from widget.sync.feed_events import FeedEvent, FeedReading
from widget.sync.notices import conflict_found

#: Attempts to place an event's nights while guests' holds race for them.
PLACE_ATTEMPTS = 5
#: What a guest's hold written at the same moment can do to a placement: be there first
#: (the exclusion constraint), or insert its row as we insert ours, each then waiting for
#: the other (exclusion constraints have no unique index's insert protocol), which Postgres
#: ends by failing one of the two. Either way the savepoint is undone and the nights read
#: again.
RACED = (pg_errors.ExclusionViolation, pg_errors.DeadlockDetected)


@dataclass
class ImportReport:
    """What one fetch changed, in words an owner can read."""

    added: list[tuple[str, date, date]] = field(default_factory=list)
    moved: list[tuple[str, date, date]] = field(default_factory=list)
    released: list[tuple[str, date, date]] = field(default_factory=list)
    echoes: list[tuple[str, date, date]] = field(default_factory=list)
    #: Nights of an unchanged event blocked now (a clash with them is over).
    filled: list[tuple[str, date, date]] = field(default_factory=list)
    conflicts: list[Clash] = field(default_factory=list)
    holds_ended: int = 0
    #: The guests' holds that ended (rows as ``displace_holds`` returns them): their gates
    #: and quota places are given back once the import has committed.
    ended_holds: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per change; none when nothing changed."""
        out = [f"added {_nights(a, b)} ({uid})" for uid, a, b in self.added]
        out += [f"moved {uid} to {_nights(a, b)}" for uid, a, b in self.moved]
        out += [f"released {_nights(a, b)} ({uid})" for uid, a, b in self.released]
        out += [f"echo of our own stays, not stored: {_nights(a, b)}" for _, a, b in self.echoes]
        out += [f"blocked {_nights(a, b)} of {uid}, free again" for uid, a, b in self.filled]
        out += [
            f"CONFLICT: {_nights(*c.nights)} of {c.uid} clash with {c.other}"
            for c in self.conflicts
        ]
        if self.holds_ended:
            out.append(f"ended {self.holds_ended} guest hold(s) on imported nights")
        return out + [f"problem: {p}" for p in self.problems]


def _nights(check_in: date, check_out: date) -> str:
    return f"{check_in} to {check_out} ({(check_out - check_in).days} nights)"


@dataclass(frozen=True)
class _Stored:
    stay: tuple[date, date]
    outcome: str
    first_seen_at: datetime


async def apply_reading(conn: Conn, feed: LeasedFeed, reading: FeedReading) -> ImportReport:
    """Make the unit's imported stays say what ``reading`` says. The caller holds the
    feed's lease and runs this inside the transaction that records the fetch."""
    report = ImportReport(problems=list(reading.problems))
    # Guests' holds on the unit being written finish first; new ones wait for the commit.
    await conn.execute(queries("imports")["lock_unit"], {"unit_id": feed.unit_id})
    stored = await _stored_events(conn, feed.channel_id)
    pieces = await _pieces(conn, feed.channel_id)
    gone = [
        uid
        for uid, event in stored.items()
        if uid not in reading.events
        and uid not in reading.unreadable
        and (uid in reading.cancelled or event.stay[1] > feed.today)
    ]
    ended = [
        uid
        for uid, event in stored.items()
        if uid not in reading.events and uid not in gone and uid not in reading.unreadable
    ]
    moved = [
        uid
        for uid, event in reading.events.items()
        if uid in stored and stored[uid].stay != (event.check_in, event.check_out)
    ]
    await _release(conn, feed, gone + moved, report, stored, gone)
    await _forget(conn, feed.channel_id, gone + ended)
    fresh: list[FeedEvent] = []
    for uid, event in reading.events.items():
        old = stored.get(uid)
        if old is None or old.stay != (event.check_in, event.check_out):
            fresh.append(event)
        elif old.outcome == "blocked" and not set(_each(*old.stay)) <= pieces.get(uid, set()):
            # Unchanged, but some nights were in conflict: try them again.
            await _place(conn, feed, event, report, refill=True)
    await _apply_fresh(conn, feed, fresh, stored, report)
    await conn.execute(
        queries("imports")["resolve_gone_conflicts"], {"channel_id": feed.channel_id}
    )
    return report


async def unchanged_reading(conn: Conn, channel_id: int) -> FeedReading:
    """What the feed said last time, as a reading: for a ``304``, so that nights an event
    could not block before (a conflict since cancelled) are still tried again."""
    stored = await _stored_events(conn, channel_id)
    return FeedReading(events={uid: FeedEvent(uid, *s.stay) for uid, s in stored.items()})


async def _stored_events(conn: Conn, channel_id: int) -> dict[str, _Stored]:
    cur = await conn.execute(queries("imports")["stored_events"], {"channel_id": channel_id})
    return {
        r["uid"]: _Stored((r["stay"].lower, r["stay"].upper), r["outcome"], r["first_seen_at"])
        for r in await cur.fetchall()
    }


async def _pieces(conn: Conn, channel_id: int) -> dict[str, set[date]]:
    """The nights each event of the channel blocks now."""
    cur = await conn.execute(queries("imports")["imported_pieces"], {"channel_id": channel_id})
    nights: dict[str, set[date]] = {}
    for row in await cur.fetchall():
        nights.setdefault(row["uid"], set()).update(_each(row["stay"].lower, row["stay"].upper))
    return nights


async def _release(
    conn: Conn,
    feed: LeasedFeed,
    uids: list[str],
    report: ImportReport,
    stored: dict[str, _Stored],
    gone: list[str],
) -> None:
    if not uids:
        return
    await conn.execute(
        queries("imports")["release_pieces"], {"channel_id": feed.channel_id, "uids": uids}
    )
    for uid in gone:
        if stored[uid].outcome == "blocked":
            report.released.append((uid, *stored[uid].stay))


async def _forget(conn: Conn, channel_id: int, uids: list[str]) -> None:
    if uids:
        await conn.execute(
            queries("imports")["forget_events"], {"channel_id": channel_id, "uids": uids}
        )


async def _apply_fresh(
    conn: Conn,
    feed: LeasedFeed,
    fresh: list[FeedEvent],
    stored: dict[str, _Stored],
    report: ImportReport,
) -> None:
    """Store new and moved events (a few queries for all of them, however many): echoes
    store nothing, the others block their nights."""
    if not fresh:
        return
    q = queries("imports")
    # New dates are a new appearance: the echo rule asks what was served before them.
    cur = await conn.execute(
        q["echoes"],
        {
            "channel_id": feed.channel_id,
            "uids": [e.uid for e in fresh],
            "stays": [Range(e.check_in, e.check_out) for e in fresh],
            "first_seen_at": feed.now,
        },
    )
    echoes = {row["uid"] for row in await cur.fetchall()}
    for e in fresh:
        kind = (
            report.echoes if e.uid in echoes else report.moved if e.uid in stored else report.added
        )
        kind.append((e.uid, e.check_in, e.check_out))
    await conn.execute(
        q["keep_events"],
        {
            "channel_id": feed.channel_id,
            "uids": [e.uid for e in fresh],
            "stays": [Range(e.check_in, e.check_out) for e in fresh],
            "outcomes": ["echo" if e.uid in echoes else "blocked" for e in fresh],
            "first_seen_at": feed.now,
        },
    )
    await _place_all(conn, feed, [e for e in fresh if e.uid not in echoes], report)


async def _place_all(
    conn: Conn, feed: LeasedFeed, events: list[FeedEvent], report: ImportReport
) -> None:
    """Block every event's nights in one statement when nothing is in their way (the usual
    case); otherwise, or if a guest's hold slipped in, event by event."""
    if not events:
        return
    attempt = ImportReport()
    try:
        async with conn.transaction():
            together = await _place_together(conn, feed, events, attempt)
    except RACED:
        together = False
    if together:
        report.holds_ended += attempt.holds_ended
        report.ended_holds += attempt.ended_holds
        return
    for event in events:
        await _place(conn, feed, event, report)


async def _place_together(
    conn: Conn, feed: LeasedFeed, events: list[FeedEvent], report: ImportReport
) -> bool:
    """All events' nights at once; False (nothing placed) if any is taken already."""
    q = queries("imports")
    span = Range(min(e.check_in for e in events), max(e.check_out for e in events))
    params = {"unit_id": feed.unit_id, "stay": span}
    await conn.execute(q["expire_lapsed_holds"], params)
    cur = await conn.execute(q["in_the_way"], params)
    taken: set[date] = set()
    for row in await cur.fetchall():
        taken.update(_each(row["stay"].lower, row["stay"].upper))
    if any(taken.intersection(_each(e.check_in, e.check_out)) for e in events):
        return False
    stays = [Range(e.check_in, e.check_out) for e in events]
    ended = await conn.execute(q["displace_holds_on"], {"unit_id": feed.unit_id, "stays": stays})
    _ended(report, await ended.fetchall())
    await conn.execute(
        q["insert_pieces"],
        {
            "property_id": feed.property_id,
            "unit_id": feed.unit_id,
            "channel_id": feed.channel_id,
            "uids": [e.uid for e in events],
            "stays": stays,
            "reason": f"imported from {feed.name}",
        },
    )
    return True


async def _place(
    conn: Conn, feed: LeasedFeed, event: FeedEvent, report: ImportReport, refill: bool = False
) -> None:
    """Block the event's nights that nothing else holds; record a conflict for the rest.
    A guest's hold made in between is met by the constraint, and the attempt is repeated."""
    for _ in range(PLACE_ATTEMPTS):
        attempt = ImportReport()
        try:
            async with conn.transaction():
                await _place_once(conn, feed, event, attempt)
        except RACED:
            continue
        report.conflicts += attempt.conflicts
        report.holds_ended += attempt.holds_ended
        report.ended_holds += attempt.ended_holds
        if refill:
            report.filled += attempt.filled
        return
    report.problems.append(
        f"event {event.uid!r}: its nights kept changing under it; it is tried again next time"
    )


async def _place_once(conn: Conn, feed: LeasedFeed, event: FeedEvent, report: ImportReport) -> None:
    q = queries("imports")
    stay = Range(event.check_in, event.check_out)
    params = {"unit_id": feed.unit_id, "stay": stay}
    await conn.execute(q["expire_lapsed_holds"], params)
    wanted = set(_each(event.check_in, event.check_out))
    cur = await conn.execute(q["in_the_way"], params)
    for row in await cur.fetchall():
        taken = wanted & set(_each(row["stay"].lower, row["stay"].upper))
        if not taken:
            continue
        wanted -= taken
        if row["source_channel_id"] != feed.channel_id:
            await _conflict(conn, feed, event, row, taken, report)
    for first, end in _runs(wanted):
        ended = await conn.execute(q["displace_holds"], {**params, "stay": Range(first, end)})
        _ended(report, await ended.fetchall())
        report.filled.append((event.uid, first, end))
        await conn.execute(
            q["insert_piece"],
            {
                "property_id": feed.property_id,
                "unit_id": feed.unit_id,
                "stay": Range(first, end),
                "channel_id": feed.channel_id,
                "uid": event.uid,
                "reason": f"imported from {feed.name}",
            },
        )


async def _conflict(
    conn: Conn,
    feed: LeasedFeed,
    event: FeedEvent,
    other: dict[str, Any],
    taken: set[date],
    report: ImportReport,
) -> None:
    """Record the clash with ``other`` (once while it lasts) and tell the owner of a new one."""
    nights = (min(taken), max(taken) + timedelta(days=1))
    cur = await conn.execute(
        queries("imports")["record_conflict"],
        {
            "property_id": feed.property_id,
            "channel_id": feed.channel_id,
            "uid": event.uid,
            "event_stay": Range(event.check_in, event.check_out),
            "reservation_id": other["id"],
            "nights": Range(*nights),
        },
    )
    row = await cur.fetchone()
    if row is None or not row["new"]:
        return  # known already: told once
    clash = Clash(
        event.uid, (event.check_in, event.check_out), nights, await _describe(conn, other)
    )
    report.conflicts.append(clash)
    await conflict_found(conn, feed, clash)


async def _describe(conn: Conn, other: dict[str, Any]) -> str:
    """The other side of a clash, as the owner knows it."""
    cur = await conn.execute(queries("imports")["other_side"], {"id": other["id"]})
    row = await cur.fetchone()
    assert row is not None
    span = _nights(other["stay"].lower, other["stay"].upper)
    if row["status"] == "confirmed":
        return f"booking {row['reference'] or '(no reference)'}, {span}"
    if row["other_channel"]:
        return f"a stay imported from {row['other_channel']}, {span}"
    return f"your block ({row['block_reason'] or 'no reason given'}), {span}"


def _ended(report: ImportReport, holds: list[dict[str, Any]]) -> None:
    report.holds_ended += len(holds)
    report.ended_holds += holds


def _each(first: date, end: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((end - first).days)]


def _runs(nights: set[date]) -> list[tuple[date, date]]:
    """Consecutive nights as half-open ranges."""
    runs: list[tuple[date, date]] = []
    for night in sorted(nights):
        if runs and runs[-1][1] == night:
            runs[-1] = (runs[-1][0], night + timedelta(days=1))
        else:
            runs.append((night, night + timedelta(days=1)))
    return runs
