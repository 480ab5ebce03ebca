"""Test mode (decision 16): disposable properties for QA, their clocks and their e-mails.

Served only by the testing API (`widget.api.testing`), which exists on a staging service with
a testing token. Everything here acts only on properties the testing API created itself, so
a token can never reach an owner's guesthouse.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

import msgspec
import psycopg

from widget.db import Conn
from widget.errors import Invalid, NotFound
from widget.properties.apply import apply_property
from widget.properties.errors import PropertyApplyError
from widget.properties.file import PropertyFileError, PropertySpec, parse_property
from widget.shared_redis import SharedRedis, property_tag
from widget.sql import queries

#: Every disposable property's slug starts so: an owner's listing tells them apart at once.
SLUG_PREFIX = "qa-"
#: The longest clock move one call may make (a leap year of seconds), so a typo cannot
#: overflow a date.
MAX_ADVANCE_SECONDS = 31_622_400
#: Lua: shorten every given key's lifetime by ARGV[1] ms; a key whose time is up goes.
_AGE_KEYS = """
local gone = 0
for _, key in ipairs(KEYS) do
  local ttl = redis.call('PTTL', key)
  if ttl > 0 then
    if ttl <= tonumber(ARGV[1]) then
      redis.call('DEL', key)
      gone = gone + 1
    else
      redis.call('PEXPIRE', key, ttl - tonumber(ARGV[1]))
    end
  end
end
return gone
"""


class TestProperty(msgspec.Struct, kw_only=True):
    """A disposable property the testing API created."""

    slug: str
    name: str
    allowed_origins: list[str]


class ClockMoved(msgspec.Struct, kw_only=True):
    """A test property's clock after a move: its now, its today, and its whole offset."""

    slug: str
    now: datetime
    today: date
    shift_seconds: int


class OutboxEmail(msgspec.Struct, kw_only=True):
    """One e-mail the outbox wrote about a booking of the property."""

    kind: str
    recipient: str
    subject: str
    body_text: str
    reference: str | None
    created_at: datetime
    sent: bool


def disposable_spec(text: str) -> PropertySpec:
    """Parse a property file sent to the testing API and give it a fresh ``qa-`` slug."""
    try:
        spec = parse_property(text, source="body")
    except PropertyFileError as error:
        raise Invalid(f"The property file is wrong: {error}", field="body") from None
    slug = f"{SLUG_PREFIX}{secrets.token_hex(4)}-{spec.property.slug}"[:64].rstrip("-")
    info = msgspec.structs.replace(spec.property, slug=slug)
    return msgspec.structs.replace(spec, property=info)


def create_disposable(database_url: str, spec: PropertySpec) -> TestProperty:
    """Apply ``spec`` as `innkeep property apply` does and mark it as the testing API's,
    in one transaction (blocking: run it in a thread)."""
    with psycopg.connect(database_url, prepare_threshold=None) as conn, conn.transaction():
        try:
            apply_property(conn, spec)
        except PropertyApplyError as error:
            raise Invalid(str(error), field="body") from None
        row = conn.execute(
            queries("testmode")["mark_created_by_testing"], {"slug": spec.property.slug}
        ).fetchone()
    assert row is not None
    return TestProperty(slug=row[1], name=row[2], allowed_origins=list(row[3] or []))


async def _test_property_id(conn: Conn, slug: str) -> int:
    """The id of a property the testing API created; any other slug is not found."""
    cursor = await conn.execute(queries("testmode")["test_property"], {"slug": slug})
    row = await cursor.fetchone()
    if row is None:
        raise NotFound(f"No test property {slug!r} (only properties the testing API created).")
    return int(row["id"])


async def delete_disposable(conn: Conn, redis: SharedRedis, slug: str) -> None:
    """Delete a test property with everything it holds: stays, payments, e-mails, rooms,
    feeds, webhooks, and its keys in Redis."""
    q = queries("testmode")
    async with conn.transaction():
        property_id = await _test_property_id(conn, slug)
        for name in (
            "delete_outbox_of_property",
            "delete_demo_payments_of_property",
            "delete_payment_links_of_property",
            "delete_charge_attempts_of_property",
            "delete_charges_of_property",
            "delete_console_history_of_property",
            "delete_reservations_of_property",
            "delete_test_property",
        ):
            await conn.execute(q[name], {"property_id": property_id})
    keys = [key async for key in redis.scan_iter(match=_redis_pattern(property_id), count=500)]
    if keys:
        await redis.delete(*keys)


async def advance_clock(conn: Conn, redis: SharedRedis, slug: str, seconds: int) -> ClockMoved:
    """Let ``seconds`` pass on one test property's clock: the database's clock for it (hold
    expiry, "today", quotas counted in Postgres) and the lifetimes of its Redis keys."""
    if not 0 < seconds <= MAX_ADVANCE_SECONDS:
        raise Invalid(f"seconds must be between 1 and {MAX_ADVANCE_SECONDS}", field="seconds")
    async with conn.transaction():
        property_id = await _test_property_id(conn, slug)
        cursor = await conn.execute(
            queries("testmode")["advance_property_clock"],
            {"property_id": property_id, "seconds": seconds},
        )
        row = await cursor.fetchone()
    assert row is not None
    await _age_redis_keys(redis, property_id, seconds)
    return ClockMoved(
        slug=slug, now=row["now"], today=row["today"], shift_seconds=int(row["shift_seconds"])
    )


async def _age_redis_keys(redis: SharedRedis, property_id: int, seconds: int) -> None:
    """Gates, quota counters and cached answers of the property live ``seconds`` less."""
    keys = [key async for key in redis.scan_iter(match=_redis_pattern(property_id), count=500)]
    if keys:
        # One hash tag per property: every key is on one slot, so one script sees them all.
        await redis.eval(_AGE_KEYS, len(keys), *keys, seconds * 1000)


async def outbox_of(conn: Conn, slug: str) -> list[OutboxEmail]:
    """The e-mails the outbox wrote about the test property's bookings, oldest first."""
    property_id = await _test_property_id(conn, slug)
    cursor = await conn.execute(
        queries("testmode")["property_outbox"], {"property_id": property_id}
    )
    return [_email(row) for row in await cursor.fetchall()]


def _email(row: dict[str, Any]) -> OutboxEmail:
    return OutboxEmail(
        kind=row["kind"],
        recipient=row["recipient"],
        subject=row["subject"],
        body_text=row["body_text"],
        reference=row["reference"],
        created_at=row["created_at"],
        sent=bool(row["sent"]),
    )


def _redis_pattern(property_id: int) -> str:
    """Every Redis key of one property: each carries the property's hash tag."""
    return f"*{property_tag(property_id)}:*"
