"""What every request of one worker can reach, built in one place (`build_services`).

Each part is made once, by `create_app`, and handed to what uses it: the parts to each
other through their constructors, handlers through the ``services`` dependency, background
jobs as arguments. No module keeps state of its own, so two apps in one process (every
test builds one) never share memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.params import SkipValidation
from redis.asyncio import Redis

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
from widget.payments import PaymentProvider, payment_provider
from widget.settings import Settings
from widget.sync.export import ExportMemory


# One object rather than one dependency per part: Litestar resolves independent dependencies
# of a handler in a task group per request, which costs more than the handler's own work on
# the hot paths; the calendar takes this alone and the holds take it and ``db`` (in sequence).
@dataclass(frozen=True, slots=True)
class Services:
    """The parts of one worker, made by `build_services`; nothing in it is made lazily."""

    settings: Settings
    pool: Pool
    redis: Redis
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


def build_services(settings: Settings, pool: Pool, redis: Redis) -> Services:
    """Make every per-worker part once, each handed what it needs."""
    freshness = Freshness()
    versions = VersionMemory(freshness, pool)
    catalogues = Catalogues()
    holds = Holds(
        settings, Gate(redis), Quotas(redis, settings), StockMemory(freshness), freshness
    )
    availability = Availability(pool, redis, versions, catalogues, CalendarBodies())
    return Services(
        settings=settings,
        pool=pool,
        redis=redis,
        freshness=freshness,
        versions=versions,
        catalogues=catalogues,
        holds=holds,
        availability=availability,
        payments=payment_provider(settings),
        exports=ExportMemory(),
    )

# Handlers take these unvalidated because they are our own objects, not request data.
ServicesDep = SkipValidation[Services]
DbDep = SkipValidation[Conn]
