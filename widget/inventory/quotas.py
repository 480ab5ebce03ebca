"""Hold quotas: how many units a client may hold at once, and how often it may try.

Counted atomically in one Lua script per property and client; while Redis is away the
same limits are counted in Postgres under an advisory lock of the client.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Sequence
from typing import Any, cast
from uuid import UUID

import psycopg

from widget.db import Conn
from widget.errors import QuotaExceeded
from widget.settings import Settings
from widget.shared_redis import REDIS_FAILURES, RedisWatch, SharedRedis, property_tag
from widget.sql import queries

RATE_WINDOW_MS = 60_000

# KEYS: pairs (active holds zset, attempts counter) per client identity.
# ARGV: now ms, hold expiry ms, attempts limit, how many rooms, their hold ids, then the
# active limit per identity. A hold of several rooms is counted room by room, all or none.
# Returns {0, 0} when granted, {1, retry_ms} over the active limit, {2, retry_ms} throttled.
_CHARGE = """
local now = tonumber(ARGV[1])
local rooms = tonumber(ARGV[4])
local clients = #KEYS / 2
for i = 1, clients do
  local active = KEYS[2 * i - 1]
  redis.call('ZREMRANGEBYSCORE', active, '-inf', now)
  if redis.call('ZCARD', active) + rooms > tonumber(ARGV[4 + rooms + i]) then
    local first = redis.call('ZRANGE', active, 0, 0, 'WITHSCORES')
    local ends = first[2] and tonumber(first[2]) or now
    return {1, math.max(1000, ends - now)}
  end
end
for i = 1, clients do
  local attempts = KEYS[2 * i]
  local count = redis.call('INCRBY', attempts, rooms)
  if count == rooms then redis.call('PEXPIRE', attempts, 60000) end
  if count > tonumber(ARGV[3]) then return {2, math.max(1000, redis.call('PTTL', attempts))} end
end
for i = 1, clients do
  local active = KEYS[2 * i - 1]
  for r = 1, rooms do redis.call('ZADD', active, ARGV[2], ARGV[4 + r]) end
  redis.call('PEXPIRE', active, tonumber(ARGV[2]) - now + 60000)
end
return {0, 0}
"""

#: The most rooms one booking may have unless the property says otherwise (its file's
#: ``max_rooms_per_booking``; a hold of several rooms, issue 15).
MAX_ROOMS_PER_BOOKING = 4
#: No client's share is ever smaller than one booking's rooms: quotas count rooms, and a
#: family must be able to hold the rooms of one booking whatever the size of the house.
ROOMS_PER_BOOKING = MAX_ROOMS_PER_BOOKING
#: Verdicts of the script.
_OVER_LIMIT, _THROTTLED = 1, 2


def fair_share(units: int, percent: int, rooms_per_booking: int = ROOMS_PER_BOOKING) -> int:
    """The most units one client may hold at once of a property selling ``units``:
    ``percent`` of them, rounded down, but never fewer than one booking's rooms."""
    return max(rooms_per_booking, units * percent // 100)


class Client:
    """Who asks for holds: the widget session (if the widget sent one) and the address
    (an IPv6 client's /64, see `widget.clients.counted_address`).

    The address may be given as a way to find it (``find_address``), called once at first
    use: a loser of a race never charges a quota, and never pays for parsing it."""

    __slots__ = ("_address", "_find_address", "session")

    def __init__(
        self,
        session: str | None,
        address: str | None = None,
        *,
        find_address: Callable[[], str] | None = None,
    ) -> None:
        if (address is None) == (find_address is None):
            raise ValueError("give the address, or how to find it")
        self.session = session
        self._address = address
        self._find_address = find_address

    @property
    def address(self) -> str:
        if self._address is None:
            assert self._find_address is not None
            self._address = self._find_address()
        return self._address

    def __repr__(self) -> str:
        return f"Client(session={self.session!r}, address={self.address!r})"

    @property
    def key(self) -> str:
        return f"s:{self.session}" if self.session else f"a:{self.address}"


def _identities(client: Client) -> list[str]:
    return [f"a:{client.address}"] + ([f"s:{client.session}"] if client.session else [])


def quota_keys(property_id: int, client: Client) -> list[str]:
    """Pairs (active holds, attempts) per identity of the client: one slot for all."""
    keys = []
    tag = property_tag(property_id)
    for identity in _identities(client):
        who = hashlib.sha256(identity.encode()).hexdigest()[:20]
        keys += [f"innkeep:{tag}:holds:{who}", f"innkeep:{tag}:attempts:{who}"]
    return keys


class Quotas:
    """The hold quotas of every property, for one worker."""

    def __init__(self, redis: SharedRedis, settings: Settings, watch: RedisWatch) -> None:
        self.redis = redis
        self.settings = settings
        self._watch = watch
        self._charge: Any = redis.register_script(_CHARGE)

    def _limits(self, client: Client, share: int, floor: int) -> list[int]:
        """Per identity of `_keys`: the property's fair share, or less if the deployment's
        own limits say so, but never fewer than one booking's rooms (``floor``)."""
        limits = [max(floor, min(self.settings.holds_per_address, share))]
        if client.session:
            limits.append(max(floor, min(self.settings.holds_per_session, share)))
        return limits

    async def charge(
        self,
        conn: Conn,
        property_id: int,
        client: Client,
        hold_ids: Sequence[UUID],
        share: int,
        floor: int = ROOMS_PER_BOOKING,
    ) -> bool:
        """Count one hold attempt of ``hold_ids`` (its rooms: one each, all or none) against
        the client's ``share`` of the property (see `fair_share`; never below ``floor``, the
        property's rooms per booking); raise 429 if over a limit. False: Redis is away (or
        resting: the circuit breaker) and the caller must count in Postgres instead
        (`charge_in_postgres`)."""
        tag = property_tag(property_id)  # the slot of every key of the property
        if not self._watch.may_call("quotas.charge", tag):
            return False
        limits = self._limits(client, share, floor)
        try:
            verdict, retry_ms = await self._try_charge(property_id, client, hold_ids, limits)
            # Over the limit? Holds Postgres no longer counts (booked, released, lapsed before
            # their refund reached Redis) must not keep their places: drop them, ask again.
            if verdict == _OVER_LIMIT and await self._forget_ended(conn, property_id, client):
                verdict, retry_ms = await self._try_charge(property_id, client, hold_ids, limits)
        except psycopg.Error:  # `_forget_ended` asked Postgres: its fault is not Redis's
            raise
        except REDIS_FAILURES as exc:  # Postgres counts instead
            self._watch.failed("quotas.charge", exc, tag)
            return False
        self._watch.succeeded(tag)
        if verdict:
            raise _refusal(verdict, retry_ms / 1000)
        return True

    async def _try_charge(
        self, property_id: int, client: Client, hold_ids: Sequence[UUID], limits: list[int]
    ) -> tuple[int, int]:
        now = int(time.time() * 1000)
        # A hold lives at most this long (checkout extends it once, by the grace time).
        lifetime = self.settings.hold_seconds + self.settings.payment_grace_seconds
        verdict, retry_ms = await self._charge(
            keys=quota_keys(property_id, client),
            args=[
                now,
                now + lifetime * 1000,
                self.settings.hold_attempts_per_minute,
                len(hold_ids),
                *map(str, hold_ids),
                *limits,
            ],
        )
        return int(verdict), int(retry_ms)

    async def _forget_ended(self, conn: Conn, property_id: int, client: Client) -> bool:
        """Give back the places of the client's holds that Postgres no longer counts as held;
        True if there were any."""
        actives = quota_keys(property_id, client)[::2]
        counted: set[UUID] = set()
        for active in actives:
            for member in await self.redis.zrange(active, 0, -1):
                with contextlib.suppress(ValueError, AttributeError):
                    counted.add(UUID(cast(bytes, member).decode()))
        if not counted:
            return False
        cur = await conn.execute(
            queries("inventory")["holds_no_longer_held"], {"ids": list(counted)}
        )
        ended = [str(row["id"]) for row in await cur.fetchall()]
        if not ended:
            return False
        async with self.redis.pipeline(transaction=False) as pipe:
            for active in actives:
                pipe.zrem(active, *ended)
            await pipe.execute()
        return True

    async def charge_in_postgres(
        self,
        conn: Conn,
        property_id: int,
        client: Client,
        share: int,
        floor: int = ROOMS_PER_BOOKING,
        rooms: int = 1,
    ) -> None:
        """The same limits from the reservation table, for a hold of ``rooms`` rooms; call
        inside the hold's transaction, before its rows are written."""
        for identity in sorted(_identities(client)):  # one order for all: no deadlock
            digest = hashlib.sha256(identity.encode()).digest()
            lock = int.from_bytes(digest[:8], "big", signed=True)
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
        cur = await conn.execute(
            queries("inventory")["client_holds_in_postgres"],
            {"property_id": property_id, "key": client.key, "address": client.address},
        )
        row = await cur.fetchone()
        assert row is not None
        ends_in = float(row["first_ends_in"] or 60)
        by_address, *by_session = self._limits(client, share, floor)
        session_full = bool(by_session) and row["by_key"] + rooms > by_session[0]
        if session_full or row["by_address"] + rooms > by_address:
            raise _refusal(_OVER_LIMIT, ends_in)
        if row["attempts"] + rooms > self.settings.hold_attempts_per_minute:
            raise _refusal(_THROTTLED, 60)

    async def refund(self, property_id: int, client: Client, hold_id: UUID | str) -> None:
        """The hold ended (released, lost, expired): free its place at once."""
        keys = quota_keys(property_id, client)
        if not self._watch.may_call("quotas.refund", keys[0]):
            return  # the place lapses with the hold's own time
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for active in keys[::2]:
                    pipe.zrem(active, str(hold_id))
                await pipe.execute()
        except REDIS_FAILURES as exc:  # the place lapses with the hold's own time
            self._watch.failed("quotas.refund", exc, keys[0])
            return
        self._watch.succeeded(keys[0])


def _refusal(verdict: int, retry_after: float) -> QuotaExceeded:
    seconds = max(1, round(retry_after))
    if verdict == _OVER_LIMIT:
        message = (
            "You are already holding as many rooms as we allow at once; finish or release "
            "one of them first."
        )
    else:
        message = "Too many hold attempts in a short time; please wait a moment."
    return QuotaExceeded(message, retry_after=seconds)
