"""Hold quotas: how many units a client may hold at once, and how often it may try.

Counted atomically in one Lua script per property and client; while Redis is away the
same limits are counted in Postgres under an advisory lock of the client.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError

from widget.db import Conn
from widget.errors import QuotaExceeded
from widget.settings import Settings

log = logging.getLogger(__name__)

RATE_WINDOW_MS = 60_000

# KEYS: pairs (active holds zset, attempts counter) per client identity.
# ARGV: now ms, hold id, hold expiry ms, attempts limit, then the active limit per identity.
# Returns {0, 0} when granted, {1, retry_ms} over the active limit, {2, retry_ms} throttled.
_CHARGE = """
local now = tonumber(ARGV[1])
local clients = #KEYS / 2
for i = 1, clients do
  local active = KEYS[2 * i - 1]
  redis.call('ZREMRANGEBYSCORE', active, '-inf', now)
  if redis.call('ZCARD', active) >= tonumber(ARGV[4 + i]) then
    local first = redis.call('ZRANGE', active, 0, 0, 'WITHSCORES')
    return {1, math.max(1000, tonumber(first[2]) - now)}
  end
end
for i = 1, clients do
  local attempts = KEYS[2 * i]
  local count = redis.call('INCR', attempts)
  if count == 1 then redis.call('PEXPIRE', attempts, 60000) end
  if count > tonumber(ARGV[4]) then return {2, math.max(1000, redis.call('PTTL', attempts))} end
end
for i = 1, clients do
  local active = KEYS[2 * i - 1]
  redis.call('ZADD', active, ARGV[3], ARGV[2])
  redis.call('PEXPIRE', active, tonumber(ARGV[3]) - now + 60000)
end
return {0, 0}
"""

_COUNT_IN_POSTGRES = """
SELECT
  count(*) FILTER (WHERE client_key = %(key)s AND status = 'held'
                   AND hold_expires_at > innkeep_now()) AS by_key,
  count(*) FILTER (WHERE client_address = %(address)s AND status = 'held'
                   AND hold_expires_at > innkeep_now()) AS by_address,
  count(*) FILTER (WHERE client_address = %(address)s
                   AND created_at > innkeep_now() - interval '1 minute') AS attempts
FROM reservation
WHERE property_id = %(property_id)s AND client_key IS NOT NULL
  AND (client_key = %(key)s OR client_address = %(address)s)
"""


@dataclass(frozen=True)
class Client:
    """Who asks for holds: the widget session (if the widget sent one) and the address."""

    session: str | None
    address: str

    @property
    def key(self) -> str:
        return f"s:{self.session}" if self.session else f"a:{self.address}"


def _keys(property_id: int, client: Client) -> list[str]:
    identities = [f"a:{client.address}"] + ([f"s:{client.session}"] if client.session else [])
    keys = []
    for identity in identities:
        tag = hashlib.sha256(identity.encode()).hexdigest()[:20]
        keys += [
            f"innkeep:{{p:{property_id}}}:holds:{tag}",
            f"innkeep:{{p:{property_id}}}:attempts:{tag}",
        ]
    return keys


class Quotas:
    def __init__(self, redis: Redis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings
        self._charge: Any = redis.register_script(_CHARGE)

    def _limits(self, client: Client) -> list[int]:
        limits = [self.settings.holds_per_address]
        if client.session:
            limits.append(self.settings.holds_per_session)
        return limits

    async def charge(self, property_id: int, client: Client, hold_id: UUID) -> bool:
        """Count one hold attempt; raise 429 if over a limit. False: Redis is away and the
        caller must count in Postgres instead (`charge_in_postgres`)."""
        now = int(time.time() * 1000)
        expiry = now + int(
            (self.settings.hold_seconds + self.settings.payment_grace_seconds) * 1000
        )
        try:
            verdict, retry_ms = await self._charge(
                keys=_keys(property_id, client),
                args=[
                    now,
                    str(hold_id),
                    expiry,
                    self.settings.hold_attempts_per_minute,
                    *self._limits(client),
                ],
            )
        except (RedisError, OSError) as exc:
            log.info("hold quotas counted in Postgres, Redis unavailable: %s", exc)
            return False
        if verdict:
            raise _refusal(int(verdict), int(retry_ms) / 1000)
        return True

    async def charge_in_postgres(self, conn: Conn, property_id: int, client: Client) -> None:
        """The same limits from the reservation table; call inside the hold's transaction."""
        lock = int.from_bytes(
            hashlib.sha256(client.address.encode()).digest()[:8], "big", signed=True
        )
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
        cur = await conn.execute(
            _COUNT_IN_POSTGRES,
            {"property_id": property_id, "key": client.key, "address": client.address},
        )
        row = await cur.fetchone()
        assert row is not None
        if client.session and row["by_key"] >= self.settings.holds_per_session:
            raise _refusal(1, 60)
        if row["by_address"] >= self.settings.holds_per_address:
            raise _refusal(1, 60)
        if row["attempts"] >= self.settings.hold_attempts_per_minute:
            raise _refusal(2, 60)

    async def refund(self, property_id: int, client: Client, hold_id: UUID | str) -> None:
        """The hold ended (released, lost, expired): free its place at once."""
        keys = _keys(property_id, client)
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for active in keys[::2]:
                    pipe.zrem(active, str(hold_id))
                await pipe.execute()
        except (RedisError, OSError) as exc:
            log.info("quota refund skipped, Redis unavailable: %s", exc)


def _refusal(verdict: int, retry_after: float) -> QuotaExceeded:
    seconds = max(1, round(retry_after))
    if verdict == 1:
        message = (
            "You are already holding as many rooms as we allow at once; finish or release "
            "one of them first."
        )
    else:
        message = "Too many hold attempts in a short time; please wait a moment."
    return QuotaExceeded(message, retry_after=seconds)
