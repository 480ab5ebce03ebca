"""Telling the owner what the import found: a conflict, a feed failing, a feed back.

E-mails go through the outbox in the same transaction as what they tell of, so a conflict
that was rolled back is never announced and one that was recorded always is.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from typing import Any

from widget.db import Conn
from widget.deliveries.outbox import enqueue as enqueue_webhook
from widget.mail.compose import Message
from widget.mail.outbox import enqueue
from widget.sync.channel_feed import Clash, LeasedFeed


async def owner_event(conn: Conn, property_id: int, event_type: str, data: dict[str, Any]) -> None:
    """A ``sync.conflict`` or ``sync.feed_failed`` event for the owner's webhooks, written in
    ``conn``'s transaction beside the e-mail (to every endpoint subscribed to it)."""
    await enqueue_webhook(conn, property_id, event_type, data)


def _message(feed: LeasedFeed, kind: str, subject: str, lines: list[str]) -> Message:
    text = "\n\n".join(lines) + "\n"
    html = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return Message(kind, feed.contact_email, subject, text, html)


async def conflict_found(conn: Conn, feed: LeasedFeed, clash: Clash) -> None:
    """E-mail the owner about a new conflict (once per conflict), with both sides."""
    first, end = clash.nights
    lines = [
        f"{feed.name} lists a stay in {feed.unit} from {clash.event[0]} to {clash.event[1]} "
        f"(event {clash.uid}).",
        f"The nights from {first} to {end} (check-out) were already taken in Innkeep by "
        f"{clash.other}. Innkeep did not overwrite them; the other nights of the {feed.name} "
        "stay are blocked, so nothing else is sold on them.",
        f"One of the two guests has no room on those nights. Move or cancel one of the stays "
        f"(on {feed.name} or in Innkeep); `innkeep sync status --property {feed.slug}` shows "
        "the conflict until it is gone.",
    ]
    subject = f"Double booking in {feed.unit} ({first}): {feed.name} and Innkeep"
    await enqueue(conn, None, [_message(feed, "owner_sync_conflict", subject, lines)])
    await owner_event(
        conn,
        feed.property_id,
        "sync.conflict",
        {
            "unit": feed.unit,
            "channel": feed.name,
            "uid": clash.uid,
            "event": {"check_in": str(clash.event[0]), "check_out": str(clash.event[1])},
            "nights": {"check_in": str(first), "check_out": str(end)},
            "other": clash.other,
        },
    )


async def feed_failing(conn: Conn, feed: LeasedFeed, words: str) -> None:
    """E-mail the owner that the feed has failed for longer than the setting allows."""
    lines = [
        f"Innkeep could not import the {feed.name} calendar of {feed.unit}: {words}.",
        f"Until it works again, nights sold on {feed.name} do not reach Innkeep, and a guest "
        "may book them here. Check the feed's address in the property file, then run "
        f"`innkeep sync run --property {feed.slug} --feed {feed.name}`.",
    ]
    subject = f"{feed.name} calendar of {feed.unit} is not syncing"
    await enqueue(conn, None, [_message(feed, "owner_sync_failing", subject, lines)])
    await owner_event(
        conn,
        feed.property_id,
        "sync.feed_failed",
        {"unit": feed.unit, "channel": feed.name, "error": words},
    )


async def feed_recovered(conn: Conn, feed: LeasedFeed) -> None:
    """E-mail the owner that a feed they were told about works again."""
    lines = [f"The {feed.name} calendar of {feed.unit} is importing again."]
    subject = f"{feed.name} calendar of {feed.unit} is syncing again"
    await enqueue(conn, None, [_message(feed, "owner_sync_recovered", subject, lines)])


def how_long(since: datetime, now: datetime) -> str:
    """``"2 days"``, ``"3 hours"``, ``"5 minutes"``: how long something has lasted."""
    elapsed = max(now - since, timedelta(0))
    if elapsed >= timedelta(days=2):
        return f"{elapsed.days} days"
    hours = int(elapsed.total_seconds() // 3600)
    if hours >= 2:
        return f"{hours} hours"
    minutes = int(elapsed.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
