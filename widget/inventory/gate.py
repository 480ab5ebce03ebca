"""The Redis gate: a soft lock on all nights of one unit (or of a group's first free set of
units), taken all-or-nothing in one Lua call.

It only makes losing fast. Correctness lives in Postgres (the exclusion constraint and the
fenced updates), so every failure here, Redis away included, degrades to "go ask Postgres"
(and is counted: `widget.shared_redis.RedisWatch`). Keys of one property share its hash tag
(`widget.shared_redis.property_tag`) so each script call stays on one cluster slot.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID

from widget.shared_redis import REDIS_FAILURES, RedisWatch, SharedRedis, property_tag

# Sets of nights (one unit's, or a group's choices of units, first choice first): every night
# of the first set whose nights are all free (or this hold's, or a yielding hold's) is taken.
# KEYS: the nights of every set, one set after another. ARGV[1]: "hold-id:taken-at-ms",
# ARGV[2]: ttl ms, ARGV[3]: how many sets, ARGV[4 .. 3 + sets]: how many nights each has,
# then the hold ids whose gates may be taken over (Postgres no longer counts their hold as
# active). Returns {index} of the set taken, or {0, value in the way of each set, ...}.
_ACQUIRE_FIRST = """
local mine = string.match(ARGV[1], '^[^:]+')
local sets = tonumber(ARGV[3])
local yielding = {}
for i = 4 + sets, #ARGV do yielding[ARGV[i]] = true end
local found = {0}
local first = 1
for s = 1, sets do
  local last = first + tonumber(ARGV[3 + s]) - 1
  local blocker = false
  for k = first, last do
    local value = redis.call('GET', KEYS[k])
    if value then
      local holder = string.match(value, '^[^:]+')
      if holder ~= mine and not yielding[holder] then
        blocker = value
        break
      end
    end
  end
  if not blocker then
    for k = first, last do redis.call('SET', KEYS[k], ARGV[1], 'PX', ARGV[2]) end
    return {s}
  end
  found[s + 1] = blocker
  first = last + 1
end
return found
"""

# Compare-and-delete: only the gates this hold still owns.
_RELEASE = """
local released = 0
for _, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  if value and string.match(value, '^[^:]+') == ARGV[1] then
    redis.call('DEL', key)
    released = released + 1
  end
end
return released
"""


@dataclass(frozen=True)
class Holder:
    """Who has the gate in the way: a hold id and when it took the gate."""

    hold_id: str
    taken_at_ms: int

    @classmethod
    def parse(cls, value: bytes | str) -> Holder:
        text = value.decode() if isinstance(value, bytes) else value
        hold_id, _, taken = text.partition(":")
        return cls(hold_id, int(taken or 0))

    def age_seconds(self) -> float:
        return max(0.0, time.time() - self.taken_at_ms / 1000)


class GateUnavailable(Exception):
    """Redis did not answer; go on with Postgres alone."""


def night_keys(property_id: int, unit_id: int, check_in: date, check_out: date) -> list[str]:
    """The keys of the nights ``[check_in, check_out)`` of one unit: one slot for all."""
    return list(_night_keys(property_id, unit_id, check_in, check_out))


@lru_cache(maxsize=4096)  # every request of a race asks for the same nights' keys
def _night_keys(property_id: int, unit_id: int, check_in: date, check_out: date) -> tuple[str, ...]:
    nights = (check_out - check_in).days
    tag = property_tag(property_id)
    return tuple(
        f"innkeep:{tag}:gate:{unit_id}:{(check_in + timedelta(d)).isoformat()}"
        for d in range(nights)
    )


class Gate:
    """Acquire and release the nights of a hold's units."""

    def __init__(self, redis: SharedRedis, watch: RedisWatch) -> None:
        self.redis = redis
        self._watch = watch
        self._release: Any = redis.register_script(_RELEASE)
        self._acquire_first: Any = redis.register_script(_ACQUIRE_FIRST)

    async def acquire_first(
        self,
        sets: list[list[str]],
        hold_id: UUID,
        ttl_seconds: float,
        yielding: tuple[str, ...] = (),
    ) -> tuple[int | None, list[Holder]]:
        """Take every night of the first of ``sets`` whose nights are all free, in one call
        (one unit's nights, or a group's choices of units): its index; or None and, per set,
        the holder in its way."""
        keys = [key for nights in sets for key in nights]
        key = keys[0] if keys else None  # one slot for all (the property's hash tag)
        if not self._watch.may_call("gate.acquire", key):
            raise GateUnavailable("Redis is resting (circuit breaker open)")
        value = f"{hold_id}:{int(time.time() * 1000)}"
        args = [value, int(ttl_seconds * 1000), len(sets), *map(len, sets), *yielding]
        try:
            found = await self._acquire_first(keys=keys, args=args)
        except REDIS_FAILURES as exc:
            self._watch.failed("gate.acquire", exc, key)
            raise GateUnavailable(str(exc)) from exc
        self._watch.succeeded(key)
        index = int(found[0])
        if index:
            return index - 1, []
        return None, [Holder.parse(value) for value in found[1:]]

    async def release(self, keys: list[str], hold_id: UUID | str) -> None:
        """Give back the nights this hold still owns; never fails the caller."""
        key = keys[0] if keys else None
        if not self._watch.may_call("gate.release", key):
            return  # the gate lapses by itself (its TTL)
        try:
            await self._release(keys=keys, args=[str(hold_id)])
        except REDIS_FAILURES as exc:  # the gate lapses by itself (its TTL)
            self._watch.failed("gate.release", exc, key)
            return
        self._watch.succeeded(key)
