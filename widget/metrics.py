"""What the service counts for Prometheus (``GET /metrics``, text exposition).

One `Metrics` per app, in a registry of its own (two apps in one process count apart).
Under ``innkeep serve --workers N`` every worker is a process of its own: the command sets
``PROMETHEUS_MULTIPROC_DIR`` to a fresh folder for the run before any worker starts, each
worker's counters are kept in files there, and `Metrics.exposition` adds up every worker's
(so whichever worker answers ``/metrics`` shows the whole service).
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

#: prometheus-client's own variable: where the workers of one run keep their counters.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
#: The route label of a request no route matched (a 404 for an unknown path): one label for
#: all of them, so scanners cannot grow the series without bound.
UNMATCHED = "unmatched"


class Metrics:
    """The counters of one worker; the methods are what the rest of the service calls."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "innkeep_requests",
            "HTTP requests answered, by route template and status class.",
            ["route", "status"],
            registry=self.registry,
        )
        self.holds = Counter(
            "innkeep_holds",
            "Hold requests: outcome made or refused, reason the refusal's error code.",
            ["outcome", "reason"],
            registry=self.registry,
        )
        self.sync_fetches = Counter(
            "innkeep_sync_fetches",
            "Channel calendar fetches by outcome: ok, not_modified, http_error, unreadable, "
            "refused, unreachable, lease_lost, locked.",
            ["outcome"],
            registry=self.registry,
        )
        self.redis_errors = Counter(
            "innkeep_redis_errors",
            "Redis calls that failed (the service went on without Redis), by operation.",
            ["operation"],
            registry=self.registry,
        )
        self.redis_skipped_calls = Counter(
            "innkeep_redis_skipped",
            "Redis calls not made because the circuit breaker was open, by operation.",
            ["operation"],
            registry=self.registry,
        )
        self.redis_breaker_trips = Counter(
            "innkeep_redis_breaker_trips",
            "Times the Redis circuit breaker opened after failures in a row.",
            registry=self.registry,
        )
        # With several workers: how many of them have their breaker open now.
        self.redis_breaker_open = Gauge(
            "innkeep_redis_breaker_open",
            "Workers whose Redis circuit breaker is open (Redis not called for a while).",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        # Which Redis node each worker rests (a cluster's primary, or "redis" for a single
        # server): summed over the workers, how many rest it now.
        self.redis_node_resting = Gauge(
            "innkeep_redis_node_resting",
            "Workers whose circuit breaker for this Redis node is open.",
            ["node"],
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        # Label lookups cost more than the increment: keep each route's children.
        self._answered: dict[tuple[str, int], object] = {}
        self._holds: dict[tuple[str, str], object] = {}

    def answered(self, route: str, status: int) -> None:
        """One HTTP answer of ``status`` for the route template ``route``."""
        key = (route, status // 100)
        child = self._answered.get(key)
        if child is None:
            child = self.requests.labels(route, f"{key[1]}xx")
            self._answered[key] = child
        child.inc()  # type: ignore[attr-defined]

    def hold_made(self) -> None:
        self._hold("made", "")

    def hold_refused(self, reason: str) -> None:
        """A hold refused; ``reason`` is the refusal's error code (``taken``, ...)."""
        self._hold("refused", reason)

    def _hold(self, outcome: str, reason: str) -> None:
        # Every loser of a race counts one: its children are kept, as `answered` keeps its.
        child = self._holds.get((outcome, reason))
        if child is None:
            child = self._holds[(outcome, reason)] = self.holds.labels(outcome, reason)
        child.inc()  # type: ignore[attr-defined]

    def sync_fetched(self, outcome: str) -> None:
        """One fetch of a channel's calendar feed, and how it went."""
        self.sync_fetches.labels(outcome).inc()

    def redis_failed(self, operation: str) -> None:
        self.redis_errors.labels(operation).inc()

    def redis_skipped(self, operation: str) -> None:
        """A Redis call of ``operation`` not made: the circuit breaker is open."""
        self.redis_skipped_calls.labels(operation).inc()

    def redis_breaker(self, *, opened: bool, node: str, any_open: bool) -> None:
        """The circuit breaker of the Redis ``node`` opened (a trip) or closed again;
        ``any_open``: whether this worker rests some node still."""
        if opened:
            self.redis_breaker_trips.inc()
        self.redis_breaker_open.set(1 if any_open else 0)
        self.redis_node_resting.labels(node).set(1 if opened else 0)

    def exposition(self) -> bytes:
        """Every counter in Prometheus' text format: all workers' when they share a folder."""
        # prometheus-client chose where values live when it was imported (from the variable):
        # read them from where they are, whatever the environment says now.
        if values.ValueClass is not values.MutexValue:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)
