"""The availability service: calendar answers as the widget asks for them.

An answer is found in this worker's memory, else in Redis (shared by the workers), else
computed from Postgres, the truth; it carries an ETag that changes with any booking, rule
change or the property's local date, so a widget that has it already gets a 304.
"""

from __future__ import annotations

import hashlib
from datetime import date

import msgspec

from engine import Party
from widget.db import Pool
from widget.inventory.availability import calendar, check_calendar_window
from widget.inventory.calendar_cache import CalendarBodies
from widget.inventory.catalogue import Catalogues
from widget.inventory.versions import VersionMemory, Versions
from widget.shared_redis import REDIS_FAILURES, RedisWatch, SharedRedis, property_tag

#: How long Redis keeps an answer for the other workers.
CACHE_SECONDS = 600


#: ``(etag, key, body)``: the ETag quoted as its header carries it, where the answer is kept
#: (for `Availability.gzipped`) and the answer as JSON, None when the caller's copy (its
#: If-None-Match) is still current. A plain tuple: this is built on every request.
CalendarAnswer = tuple[bytes, str, bytes | None]


def calendar_key(property_id: int, digest: str) -> str:
    """Where Redis keeps one calendar answer of a property (its hash tag: its slot)."""
    return f"innkeep:{property_tag(property_id)}:calendar:{digest}"


class Availability:
    """Calendars of every property, for one worker."""

    def __init__(
        self,
        pool: Pool,
        redis: SharedRedis,
        watch: RedisWatch,
        versions: VersionMemory,
        catalogues: Catalogues,
        bodies: CalendarBodies,
    ) -> None:
        self._pool = pool
        self._redis = redis
        self._versions = versions
        self._catalogues = catalogues
        self._bodies = bodies
        self._watch = watch
        #: ``gzipped(key, body)``: an answer's body compressed, once per answer kept (not on
        #: every request). The memory's own method: no extra call on the hot path.
        self.gzipped = bodies.gzipped

    async def calendar(
        self, slug: str, first: date, last: date, who: Party, if_none_match: str
    ) -> CalendarAnswer:
        """Units free, prices and restrictions of every night of ``[first, last)`` for the
        party; no body when ``if_none_match`` is the answer's ETag."""
        # The hot path touches no server and awaits nothing: versions and answers come from
        # this worker's memory, which Postgres keeps honest (see widget.inventory.freshness).
        seen = self._versions.remembered(slug) or await self._versions.read(slug)
        check_calendar_window(first, last, seen.today, seen.horizon_days)
        digest = hashlib.sha256(
            f"{seen.version}|{seen.inventory_version}|{seen.today}|{first}|{last}|"
            f"{who.adults}|{who.children}".encode()
        ).hexdigest()[:32]
        etag = f'"{digest}"'
        if if_none_match == etag:
            return etag.encode(), "", None
        key = calendar_key(seen.property_id, digest)
        body = self._bodies.body(key) or await self._cached(key)
        if body is None:
            body = await self._computed(slug, seen, first, last, who)
            await self._store(key, body)
        self._bodies.keep(key, body)
        return etag.encode(), key, body

    async def _computed(
        self, slug: str, seen: Versions, first: date, last: date, who: Party
    ) -> bytes:
        async with self._pool.connection() as db:
            catalogue = await self._catalogues.of(db, slug, seen)
            answer = await calendar(db, catalogue, first, last, who, seen.today)
        return msgspec.json.encode(answer)

    async def _cached(self, key: str) -> bytes | None:
        if not self._watch.may_call("calendar.get", key):
            return None  # Redis resting: compute from Postgres, the truth, instead
        try:
            value = await self._redis.get(key)
        except REDIS_FAILURES as exc:  # Redis away: compute from Postgres, the truth, instead
            self._watch.failed("calendar.get", exc, key)
            return None
        self._watch.succeeded(key)
        return value if isinstance(value, bytes) else None

    async def _store(self, key: str, body: bytes) -> None:
        if not self._watch.may_call("calendar.set", key):
            return
        try:
            await self._redis.set(key, body, ex=CACHE_SECONDS)
        except REDIS_FAILURES as exc:
            self._watch.failed("calendar.set", exc, key)
            return
        self._watch.succeeded(key)
