"""The workers' shared Redis: one server, or a Redis/Valkey Cluster (``INNKEEP_REDIS_CLUSTER=1``).

Every key of one property carries the hash tag ``{p:ID}``, so each script call and pipeline
stays on one cluster slot. Redis only makes the service fast (Postgres guards every stay), so
a failed call is never fatal; but it is never silent either: `RedisWatch` counts it, logs it
at a sane rate and keeps it for ``/readyz``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
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
    ``/readyz`` shows it."""

    def __init__(self, metrics: Metrics, clock: Callable[[], float] = time.monotonic) -> None:
        self._metrics = metrics
        self._clock = clock
        self._logs: dict[str, OutageLog] = {}
        self._last: tuple[float, str] | None = None

    def failed(self, operation: str, exc: BaseException) -> None:
        """One Redis call of ``operation`` failed with ``exc``; the caller goes on without."""
        self._metrics.redis_failed(operation)
        reason = _reason(operation, exc)
        self._last = (self._clock(), reason)
        # One warning per kind of failure (Redis away, MOVED, ...) whatever the operation:
        # when Redis is away every operation fails, and one line says so.
        kind = type(exc).__name__
        outage = self._logs.get(kind)
        if outage is None:
            outage = self._logs[kind] = OutageLog(log, "Redis", clock=self._clock)
        outage.failed(RuntimeError(reason))

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
