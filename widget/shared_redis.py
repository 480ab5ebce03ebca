"""The workers' shared Redis: one server, or a Redis/Valkey Cluster (``INNKEEP_REDIS_CLUSTER=1``).

Every key of one property carries the hash tag ``{p:ID}``, so each script call and pipeline
stays on one cluster slot. Redis only makes the service fast (Postgres guards every stay), so
a failed call is never fatal; but it is never silent either: `RedisWatch` counts it, logs it
at a sane rate and keeps it for ``/readyz``. After `TRIP_AFTER` failures in a row its circuit
breaker opens: for a short, jittered rest no call is made at all (each would only fail, or
wait out its time-out), then one trial call decides whether it closes again. With a cluster
there is one breaker per node, so a dead primary does not rest the properties of the others.
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
#: What a Redis call raises when Redis (or one of its nodes) is away or misconfigured.
#: The cluster client's own errors (no reachable node, a slot not covered) are not
#: RedisErrors; socket errors and time-outs are OSErrors.
REDIS_AWAY: tuple[type[BaseException], ...] = (RedisError, RedisClusterException, OSError)
#: What every Redis call site catches: Redis away, and also the client library's own faults
#: while a cluster changes under it (mid-failover its slot map can name no node for a while:
#: redis-py #3835, an AttributeError). Postgres decides every stay, so no fault of the fast
#: path may fail a guest's request, nor turn a release that committed into a 500.
REDIS_FAILURES: tuple[type[BaseException], ...] = (Exception,)
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


#: The breaker's name with a single server: there is one.
SERVER = "redis"
#: With a cluster, the breaker of calls whose node is not known yet (the client has not read
#: the slot map) or that name no key.
UNKNOWN_NODE = "cluster"


def node_of_key(redis: SharedRedis) -> Callable[[str], str] | None:
    """For a cluster client, what names the primary that serves a key now (``host:port``,
    from the client's slot map; no call is made); None for a single server."""
    if not isinstance(redis, RedisCluster):
        return None
    cluster = redis

    def node_of(key: str) -> str:
        try:
            node = cluster.get_node_from_key(key)
        except REDIS_FAILURES:  # the slot map is not read yet, or has a gap
            return UNKNOWN_NODE
        return node.name if node is not None else UNKNOWN_NODE

    return node_of


class _Breaker:
    """One node's breaker: failures in a row, and the end of its rest while open."""

    __slots__ = ("in_a_row", "resting_until")

    def __init__(self) -> None:
        self.in_a_row = 0
        #: While open: no call before this moment (a rest, or a trial in flight).
        self.resting_until: float | None = None


class RedisWatch:
    """What this worker's Redis calls have met. Each failure is counted by operation in
    ``innkeep_redis_errors_total``, warned about at most once per kind of failure every
    minute (`widget.outages.OutageLog`), and remembered for `RECENT_SECONDS` so that
    ``/readyz`` shows it.

    It is also the hot path's circuit breaker: a caller asks `may_call` first and reports
    `succeeded` or `failed`, each naming a ``key`` of the call. `TRIP_AFTER` failures in a
    row open it for `REST_SECONDS` (plus jitter), during which `may_call` says no and the
    caller goes on as if Redis were away (Postgres decides every stay either way); then one
    trial call at a time is let through, and the first success closes it, the first failure
    rests again.

    With a cluster (``node_of`` names the primary serving a key) there is one breaker per
    node: a dead primary rests only the properties whose slots it serves, and those on the
    healthy primaries keep the fast path. A single server has one breaker (`SERVER`)."""

    def __init__(
        self,
        metrics: Metrics,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        node_of: Callable[[str], str] | None = None,
    ) -> None:
        self._metrics = metrics
        self._clock = clock
        self._jitter = jitter
        self._node_of = node_of
        self._logs: dict[str, OutageLog] = {}
        self._last: tuple[float, str] | None = None
        #: Per node; a node's breaker is made at its first failure (a healthy node has none).
        self._breakers: dict[str, _Breaker] = {}

    def _node(self, key: str | None) -> str:
        if self._node_of is None:
            return SERVER
        return UNKNOWN_NODE if key is None else self._node_of(key)

    def may_call(self, operation: str, key: str | None = None) -> bool:
        """Whether ``operation`` (on ``key``) may call Redis now; False while the breaker of
        its node rests (the call is counted as skipped and the caller goes on without)."""
        if not self._breakers:
            return True  # nothing failed lately: the common case costs no lookup
        return self.may_call_node(operation, self._node(key))

    def may_call_node(self, operation: str, node: str) -> bool:
        """`may_call` for the calls served by ``node``."""
        breaker = self._breakers.get(node)
        until = None if breaker is None else breaker.resting_until
        if breaker is None or until is None:
            return True
        now = self._clock()
        if now >= until:  # the rest is over: this call is the trial, the others wait for it
            breaker.resting_until = now + TRIAL_SECONDS
            return True
        self._metrics.redis_skipped(operation)
        return False

    def succeeded(self, key: str | None = None) -> None:
        """A Redis call (on ``key``) answered: its node's count starts again, and its open
        breaker closes."""
        if self._breakers:
            self.succeeded_node(self._node(key))

    def succeeded_node(self, node: str) -> None:
        """`succeeded` for a call served by ``node``."""
        breaker = self._breakers.pop(node, None)
        if breaker is not None and breaker.resting_until is not None:
            self._metrics.redis_breaker(opened=False, node=node, any_open=self._open_count() > 0)
            log.warning("Redis answers again: circuit breaker of %s closed", node)

    def _open_count(self) -> int:
        return sum(1 for b in self._breakers.values() if b.resting_until is not None)

    def probe_answered(self) -> None:
        """Readiness found Redis serving every property: a breaker whose rest is over closes
        now, rather than wait for a hot-path call that an idle worker may not get for long
        (its gauge and ``/readyz`` would say "open" meanwhile)."""
        now = self._clock()
        for node, breaker in list(self._breakers.items()):
            if breaker.resting_until is not None and now >= breaker.resting_until:
                self.succeeded_node(node)

    def resting(self) -> dict[str, float]:
        """Seconds until each open breaker's rest is over (0 when it is), by node."""
        now = self._clock()
        return {
            node: max(0.0, b.resting_until - now)
            for node, b in self._breakers.items()
            if b.resting_until is not None
        }

    def breaker(self) -> str | None:
        """Why Redis is not being called, for ``/readyz``; None while every breaker is
        closed. With a cluster it names each resting node."""
        resting = self.resting()
        if not resting:
            return None
        said = []
        for node, left in sorted(resting.items()):
            where = "Redis" if node == SERVER else f"node {node}"
            said.append(
                f"circuit breaker open after {self._breakers[node].in_a_row} failures in a "
                f"row: {where} is not called for {left:.1f} s more, then tried again"
            )
        return "; ".join(said)

    def failed(self, operation: str, exc: BaseException, key: str | None = None) -> None:
        """One Redis call of ``operation`` (on ``key``) failed with ``exc``; the caller goes
        on without."""
        self.failed_node(operation, exc, self._node(key))

    def failed_node(self, operation: str, exc: BaseException, node: str) -> None:
        """`failed` for a call served by ``node``."""
        self._metrics.redis_failed(operation)
        reason = _reason(operation, exc)
        if node not in (SERVER, UNKNOWN_NODE):
            reason = f"{reason} (node {node})"
        now = self._clock()
        self._last = (now, reason)
        breaker = self._breakers.setdefault(node, _Breaker())
        breaker.in_a_row += 1
        if breaker.resting_until is not None or breaker.in_a_row >= TRIP_AFTER:
            opened = breaker.resting_until is None
            breaker.resting_until = now + REST_SECONDS * (1 + REST_JITTER * self._jitter())
            if opened:
                self._metrics.redis_breaker(opened=True, node=node, any_open=True)
        # One warning per kind of failure (Redis away, MOVED, ...) whatever the operation:
        # when Redis is away every operation fails, and one line says so.
        kind = type(exc).__name__
        outage = self._logs.get(kind)
        if outage is None:
            outage = self._logs[kind] = OutageLog(log, "Redis", clock=self._clock)
            if not isinstance(exc, REDIS_AWAY):  # the client's own fault: keep its traceback
                log.warning("Redis client fault in %s", operation, exc_info=exc)
        outage.failed(RuntimeError(reason))

    def forget(self, node: str) -> None:
        """``node`` serves no slot any more (a replica took over, or it left the cluster):
        its breaker goes, as no call will close it."""
        self.succeeded_node(node)

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
        resting = watch.resting()
        if not resting or min(resting.values()) > 0:
            await asyncio.sleep(min(resting.values()) if resting else CLOSED_LOOK_SECONDS)
            continue
        for node, left in resting.items():
            if left == 0:
                await _trial(watch, redis, node)


async def _trial(watch: RedisWatch, redis: SharedRedis, node: str) -> None:
    """One trial call for ``node``'s rested breaker: that cluster node pinged, or the whole
    server (or cluster, for `UNKNOWN_NODE`) asked as readiness asks it."""
    target = None
    if isinstance(redis, RedisCluster) and node != UNKNOWN_NODE:
        target = redis.get_node(node_name=node)
        primaries = {primary.name for primary in redis.get_primaries()}
        if target is None or node not in primaries:
            watch.forget(node)  # its slots are served elsewhere now: nothing calls it
            return
    if not watch.may_call_node("trial", node):  # a guest's call took the trial first
        return
    try:
        async with asyncio.timeout(1):
            if target is None:
                reason = await probe(redis)
            else:
                assert isinstance(redis, RedisCluster)
                await redis.ping(target_nodes=target)
                reason = None
    except REDIS_FAILURES as exc:  # asyncio's TimeoutError is an OSError
        watch.failed_node("trial", exc, node)
    else:
        if reason is None:
            watch.succeeded_node(node)
        else:
            watch.failed_node("trial", RedisClusterException(reason), node)
