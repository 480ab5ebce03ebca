"""Each feed's health at a glance: when it was last tried and last worked, what it answered,
how many events it lists, how stale the unit's imported nights are, the last error in words,
and the conflicts still open. `innkeep sync status` prints it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from widget.db import Conn
from widget.outbound import url_for_logs
from widget.sql import queries
from widget.sync.notices import how_long


@dataclass(frozen=True)
class FeedHealth:
    unit: str
    name: str
    #: The URL as logs may show it (it is a credential).
    url: str
    interval_minutes: int
    #: "ok", "stale", "failing" or "waiting" (never fetched yet).
    state: str
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_status: int | None
    event_count: int | None
    #: How old the imported nights are, in words ("12 minutes"); None if never fetched.
    staleness: str | None
    #: The last error (or the problems of the last good fetch), in words.
    error: str | None
    conflicts: list[dict[str, Any]]
    #: When the next fetch is due (a worker takes it then, or soon after).
    next_fetch_at: datetime | None = None
    #: Failed fetches in a row (0 after a good one).
    failures: int = 0


async def feed_health(conn: Conn, slug: str) -> list[FeedHealth]:
    """The health of every feed of the property ``slug``."""
    cur = await conn.execute(queries("imports")["feed_status"], {"slug": slug})
    return [_health(row) for row in await cur.fetchall()]


def _health(row: dict[str, Any]) -> FeedHealth:
    now, success = row["now"], row["last_success_at"]
    return FeedHealth(
        unit=row["unit"],
        name=row["name"],
        url=url_for_logs(row["url"]),
        interval_minutes=row["interval_seconds"] // 60,
        state=_state(row),
        last_attempt_at=row["last_attempt_at"],
        last_success_at=success,
        last_status=row["last_status"],
        event_count=row["event_count"],
        staleness=how_long(success, now) if success else None,
        error=_error_words(row),
        conflicts=list(row["conflicts"]),
        next_fetch_at=row["next_fetch_at"],
        failures=row["failures"],
    )


def _state(row: dict[str, Any]) -> str:
    if row["failing_since"] is not None:
        return "failing"
    if row["last_success_at"] is None:
        return "waiting"
    # Two intervals without a good fetch: the workers are not getting to it.
    late = timedelta(seconds=2 * row["interval_seconds"] + 60)
    return "stale" if row["now"] - row["last_success_at"] > late else "ok"


def _error_words(row: dict[str, Any]) -> str | None:
    """The last error, saying for how long it has lasted: "the feed answered 404 since
    2 days: the URL was probably regenerated on Airbnb; ..."."""
    words: str | None = row["last_error"]
    since: datetime | None = row["failing_since"]
    if words is None or since is None:
        return words
    age = how_long(since, row["now"])
    answered = f"the feed answered {row['last_status']}"
    if row["last_status"] is not None and words.startswith(answered):
        return words.replace(answered, f"{answered} since {age}", 1)
    return f"{words} (since {age})"


def health_lines(feeds: list[FeedHealth]) -> list[str]:
    """The status as an owner reads it in a terminal."""
    if not feeds:
        return ["no feeds: add [[feeds]] to the property file (see docs/sync.md)"]
    out: list[str] = []
    for f in feeds:
        fetched = f"fetched {f.staleness} ago" if f.staleness else "not fetched yet"
        events = f"{f.event_count} events" if f.event_count is not None else "no events yet"
        status = f"HTTP {f.last_status}" if f.last_status else "no answer"
        out.append(
            f"{f.unit} · {f.name}: {f.state.upper()} ({fetched}, {status}, {events}, "
            f"every {f.interval_minutes} min) {f.url}"
        )
        if f.error:
            out.append(f"    {'error' if f.state == 'failing' else 'note'}: {f.error}")
        for c in f.conflicts:
            out.append(
                f"    CONFLICT #{c['id']}: nights {c['check_in']} to {c['check_out']} of "
                f"{f.name}'s stay {c['event_check_in']} to {c['event_check_out']} clash with "
                f"{c['other']}"
            )
    return out
