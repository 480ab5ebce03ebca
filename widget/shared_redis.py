"""The workers' shared Redis: one server, or a Redis/Valkey Cluster (``INNKEEP_REDIS_CLUSTER=1``).

Every key of one property carries the hash tag ``{p:ID}``, so each script call and pipeline
stays on one cluster slot. Redis only makes the service fast (Postgres guards every stay), so
a failed call is never fatal; but it is never silent either: `RedisWatch` counts it, logs it
at a sane rate and keeps it for ``/readyz``. After `TRIP_AFTER` failures in a row its circuit
breaker opens: for a short, jittered rest no call is made at all (each would only fail, or
wait out its time-out), then one trial call decides whether it closes again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import MovedError, RedisClusterException, RedisError

from widget.metrics import Metrics
from widget.outages import OutageLog
from widget.settings import Settings

log = logging.getLogger(__name__)

SharedRedis = Redis | RedisCluster
#: What a Redis call may raise when Redis (or one of its nodes) is away or misconfigured.
#: The cluster client's own errors (no reachable node, a slot not covered) are not
#: RedisErrors; socket errors and time-outs are OSErrors.
REDIS_FAILURES: tuple[type[BaseException], ...] = (RedisError, RedisClusterException, OSError)
#: A Redis that is away must cost a request milliseconds, not seconds.
TIMEOUT_SECONDS = 0.25
#: A failure on the hot path keeps Redis "degraded" in /readyz for this long.
RECENT_SECONDS = 5.0
#: Failures in a row on the hot path that open the circuit breaker.
TRIP_AFTER = 5
#: How long an open breaker rests (no Redis call at all), plus up to `REST_JITTER` of it
#: again, drawn per rest: the workers of a deployment do not all try Redis at one moment.
REST_SECONDS = 2.0
REST_JITTER = 0.5
#: After a rest one call tries Redis; others keep resting until it answers or this passes.
TRIAL_SECONDS = 1.0


def property_tag(property_id: int) -> str:
    """The hash tag every key of one property carries: one slot for all of them."""
    return f"{{p:{property_id}}}"


def connect(settings: Settings) -> SharedRedis:
    """The client ``INNKEEP_REDIS_URL`` and ``INNKEEP_REDIS_CLUSTER`` ask for (not connected
    until its first call)."""
    url = settings.redis_url or ""
    if not settings.redis_cluster:
        return Redis.from_url(
            url,
            socket_timeout=TIMEOUT_SECONDS,
            socket_connect_timeout=TIMEOUT_SECONDS,
            retry_on_timeout=False,
        )
    first, *others = url.split(",")
    seeds = [
        ClusterNode(parts.hostname or "127.0.0.1", parts.port or 6379)
        for parts in (urlsplit(other) for other in others)
    ]
    return RedisCluster.from_url(
        first,
        startup_nodes=seeds,
        socket_timeout=TIMEOUT_SECONDS,
        socket_connect_timeout=TIMEOUT_SECONDS,
        # One more try, at once, after a redirect (MOVED/ASK: a slot moved) or a node that
        # failed (the slot map is read again): a dead primary costs a request two quick
        # attempts, then the service goes on without Redis until a replica takes over.
        retry=Retry(NoBackoff(), 1),
    )


def _reason(operation: str, exc: BaseException) -> str:
    hint = ""
    if isinstance(exc, MovedError):
        hint = " (a cluster node answered: set INNKEEP_REDIS_CLUSTER=1)"
    return f"{operation} failed: {type(exc).__name__}: {exc}{hint}"


class RedisWatch:
    """What this worker's Redis calls have met. Each failure is counted by operation in
    ``innkeep_redis_errors_total``, warned about at most once per kind of failure every
    minute (`widget.outages.OutageLog`), and remembered for `RECENT_SECONDS` so that
    ``/readyz`` shows it.

    It is also the hot path's circuit breaker: a caller asks `may_call` first and reports
    `succeeded` or `failed`. `TRIP_AFTER` failures in a row open it for `REST_SECONDS` (plus
    jitter), during which `may_call` says no and the caller goes on as if Redis were away
    (Postgres decides every stay either way); then one trial call at a time is let through,
    and the first success closes it, the first failure rests again."""

    def __init__(
        self,
        metrics: Metrics,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._metrics = metrics
        self._clock = clock
        self._jitter = jitter
        self._logs: dict[str, OutageLog] = {}
        self._last: tuple[float, str] | None = None
        self._in_a_row = 0
        #: While open: no call before this moment (a rest, or a trial in flight).
        self._resting_until: float | None = None

    def may_call(self, operation: str) -> bool:
        """Whether ``operation`` may call Redis now; False while the breaker rests (the call
        is counted as skipped and the caller goes on without Redis)."""
        until = self._resting_until
        if until is None:
            return True
        now = self._clock()
        if now >= until:  # the rest is over: this call is the trial, the others wait for it
            self._resting_until = now + TRIAL_SECONDS
            return True
        self._metrics.redis_skipped(operation)
        return False

    def succeeded(self) -> None:
        """A Redis call answered: the count starts again, and an open breaker closes."""
        self._in_a_row = 0
        if self._resting_until is not None:
            self._resting_until = None
            self._metrics.redis_breaker(opened=False)
            log.warning("Redis answers again: circuit breaker closed")

    def probe_answered(self) -> None:
        """Readiness found Redis serving every property: a breaker whose rest is over closes
        now, rather than wait for a hot-path call that an idle worker may not get for long
        (its gauge and ``/readyz`` would say "open" meanwhile)."""
        until = self._resting_until
        if until is not None and self._clock() >= until:
            self.succeeded()

    def rested(self) -> float | None:
        """Seconds until the breaker's rest is over (0 when it is); None while closed."""
        if self._resting_until is None:
            return None
        return max(0.0, self._resting_until - self._clock())

    def breaker(self) -> str | None:
        """Why Redis is not being called, for ``/readyz``; None while the breaker is closed."""
        if self._resting_until is None:
            return None
        left = max(0.0, self._resting_until - self._clock())
        return (
            f"circuit breaker open after {self._in_a_row} failures in a row: Redis is not "
            f"called for {left:.1f} s more, then tried again"
        )

    def failed(self, operation: str, exc: BaseException) -> None:
        """One Redis call of ``operation`` failed with ``exc``; the caller goes on without."""
        self._metrics.redis_failed(operation)
        reason = _reason(operation, exc)
        now = self._clock()
        self._last = (now, reason)
        self._in_a_row += 1
        if self._resting_until is not None or self._in_a_row >= TRIP_AFTER:
            self._rest(now)
        # One warning per kind of failure (Redis away, MOVED, ...) whatever the operation:
        # when Redis is away every operation fails, and one line says so.
        kind = type(exc).__name__
        outage = self._logs.get(kind)
        if outage is None:
            outage = self._logs[kind] = OutageLog(log, "Redis", clock=self._clock)
        outage.failed(RuntimeError(reason))

    def _rest(self, now: float) -> None:
        if self._resting_until is None:
            self._metrics.redis_breaker(opened=True)
        self._resting_until = now + REST_SECONDS * (1 + REST_JITTER * self._jitter())

    def recent_failure(self) -> str | None:
        """The last failure, said for people, if it happened within `RECENT_SECONDS`."""
        if self._last is None:
            return None
        at, reason = self._last
        ago = self._clock() - at
        if ago > RECENT_SECONDS:
            return None
        return f"{reason} ({ago:.1f} s ago)"


async def probe(redis: SharedRedis) -> str | None:
    """Ask Redis whether it can serve every property; None when it can, else why not.

    A single server must not be a cluster node (it would answer MOVED for most
    properties); a cluster must say ``cluster_state:ok`` and every primary must answer."""
    if isinstance(redis, RedisCluster):
        info = await redis.cluster_info()
        state = info.get("cluster_state") if isinstance(info, dict) else None
        if state != "ok":
            return f"cluster state is {state!r}"
        await redis.ping(target_nodes=RedisCluster.PRIMARIES)
        return None
    info = await redis.info("cluster")
    if int(info.get("cluster_enabled", 0)):
        return (
            "this Redis is a node of a cluster and most properties' keys live on other "
            "nodes: set INNKEEP_REDIS_CLUSTER=1"
        )
    return None


#: How often a closed breaker is looked at by `trying_after_rests` (it costs no Redis call).
CLOSED_LOOK_SECONDS = 1.0


@contextlib.asynccontextmanager
async def trying_after_rests(watch: RedisWatch, redis: SharedRedis) -> AsyncIterator[None]:
    """While the worker serves: when its breaker's rest is over, try Redis once by itself.

    A worker that gets no request would otherwise keep its breaker open until a guest came
    (its gauge summed into ``innkeep_redis_breaker_open`` and that guest paying the trial);
    with this, every worker's fast path comes back on its own once Redis answers."""
    task = asyncio.create_task(_try_after_rests(watch, redis), name="redis-breaker-trial")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _try_after_rests(watch: RedisWatch, redis: SharedRedis) -> None:
    while True:
        left = watch.rested()
        if left is None or left > 0:
            await asyncio.sleep(CLOSED_LOOK_SECONDS if left is None else left)
            continue
        if not watch.may_call("trial"):  # a guest's call took the trial first
            continue
        try:
            async with asyncio.timeout(1):
                reason = await probe(redis)
        except REDIS_FAILURES as exc:  # asyncio's TimeoutError is an OSError
            watch.failed("trial", exc)
        else:
            if reason is None:
                watch.succeeded()
            else:
                watch.failed("trial", RedisClusterException(reason))
