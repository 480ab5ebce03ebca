"""What every request of one worker can reach, built in one place (`build_services`).

Each part is made once, by `create_app`, which keeps them in the app's state, and handed to
what uses it: the parts to each other through their constructors, handlers through the
``services`` dependency (which reads the app's state, as the middleware and lifespan do),
background jobs as arguments. No module keeps state of its own, so two apps in one process (every
test builds one) never share memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.params import SkipValidation

from widget.db import Conn, Pool
from widget.inventory.calendar_cache import CalendarBodies
from widget.inventory.calendars import Availability
from widget.inventory.catalogue import Catalogues
from widget.inventory.freshness import Freshness
from widget.inventory.gate import Gate
from widget.inventory.holds import Holds
from widget.inventory.quotas import Quotas
from widget.inventory.stock_memory import StockMemory
from widget.inventory.versions import VersionMemory
from widget.metrics import Metrics
from widget.payments import PaymentProvider, payment_provider
from widget.settings import Settings
from widget.shared_redis import RedisWatch, SharedRedis, node_of_key
from widget.sync.export import ExportMemory


# One object rather than one dependency per part: Litestar resolves independent dependencies
# of a handler in a task group per request, which costs more than the handler's own work on
# the hot paths; the calendar takes this alone and the holds take it and ``db`` (in sequence).
@dataclass(frozen=True, slots=True)
class Services:
    """The parts of one worker, made by `build_services`; nothing in it is made lazily."""

    settings: Settings
    pool: Pool
    #: One server or a cluster client (`widget.shared_redis.connect`).
    redis: SharedRedis
    #: This worker's counters (``/metrics``) and what its Redis calls have met (``/readyz``).
    metrics: Metrics
    redis_watch: RedisWatch
    #: Whether this worker may trust its memories; the notification listener drives it.
    freshness: Freshness
    #: The one way to read a property's versions.
    versions: VersionMemory
    catalogues: Catalogues
    #: Holds, their gate and quotas.
    holds: Holds
    #: Calendar answers.
    availability: Availability
    payments: PaymentProvider
    #: iCal export tokens and rendered feeds.
    exports: ExportMemory


def build_services(settings: Settings, pool: Pool, redis: SharedRedis) -> Services:
    """Make every per-worker part once, each handed what it needs."""
    metrics = Metrics()
    watch = RedisWatch(metrics, node_of=node_of_key(redis))
    freshness = Freshness()
    # Every memory is bounded: one deployment may serve thousands of guesthouses.
    size = settings.worker_properties
    versions = VersionMemory(freshness, pool, size)
    catalogues = Catalogues(size)
    stock = StockMemory(freshness, size)
    holds = Holds(settings, Gate(redis, watch), Quotas(redis, settings, watch), stock, freshness)
    bodies = CalendarBodies(settings.worker_calendars)
    availability = Availability(pool, redis, watch, versions, catalogues, bodies)
    return Services(
        settings=settings,
        pool=pool,
        redis=redis,
        metrics=metrics,
        redis_watch=watch,
        freshness=freshness,
        versions=versions,
        catalogues=catalogues,
        holds=holds,
        availability=availability,
        payments=payment_provider(settings),
        exports=ExportMemory(),
    )


def command_holds(settings: Settings, redis: SharedRedis) -> tuple[Holds, RedisWatch]:
    """Holds for a command that runs once (`innkeep sync run`): the workers' gates and
    quotas on the shared Redis, with memories of its own; and the watch that says whether
    its Redis calls failed (they never fail the command)."""
    freshness = Freshness()
    watch = RedisWatch(Metrics())
    holds = Holds(
        settings,
        Gate(redis, watch),
        Quotas(redis, settings, watch),
        StockMemory(freshness, 1),
        freshness,
    )
    return holds, watch


def services_in(connection: ASGIConnection[Any, Any, Any, Any]) -> Services:
    """The worker's services, as `widget.app.create_app` keeps them in the app's state: for
    guards, which run before dependencies, and for the hot routes (``ServicesDep`` costs
    each request a provider call and a signature model: about 8 % of a losing hold)."""
    services: Services = connection.app.state["services"]
    return services


# Handlers take these unvalidated because they are our own objects, not request data.
ServicesDep = SkipValidation[Services]
DbDep = SkipValidation[Conn]
