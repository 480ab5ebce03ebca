"""The Litestar application factory: ``create_app(settings)``."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig
from litestar.types import Message, Middleware, Scope

from widget.api import route_handlers
from widget.api.bodies import ClosedStructSchemas, strict_body
from widget.api.docs import swagger_ui
from widget.background import running_jobs
from widget.console import console_router
from widget.db import Conn, create_pool
from widget.edge import FrontDoor
from widget.embedding import OriginLookup, PublicApiCors
from widget.http_errors import exception_handlers
from widget.idempotency import KeptAnswer, answer_kept
from widget.intake import JSON_BODY_LIMIT, RequestIntake
from widget.inventory.notifications import listening
from widget.metrics import UNMATCHED
from widget.paths import TEMPLATES_DIR
from widget.redact import install_log_redaction
from widget.settings import Settings, SettingsError, require_secret_key
from widget.shared_redis import connect, trying_after_rests
from widget.state import Services, ServicesDep, build_services

log = logging.getLogger("innkeep")


def create_app(settings: Settings) -> Litestar:
    """Build the service for ``settings``; connections open in the lifespan, not here."""
    _server_urls(settings)
    require_secret_key(settings)
    install_log_redaction()
    return Litestar(
        route_handlers=[
            *route_handlers(settings.testing_token if settings.testing_api else None),
            console_router(),
        ],
        dependencies=_dependencies(),
        # Everything finds the services here (see `services_of`), the console's guards too:
        # they run before dependencies are resolved.
        state=State({"services": worker_services(settings)}),
        lifespan=[_lifespan],
        # Bodies are exactly what the schema says: strict types, no unknown keys.
        before_request=strict_body,
        plugins=[ClosedStructSchemas()],
        middleware=_middleware(settings),
        before_send=[_counting],
        request_max_body_size=JSON_BODY_LIMIT,
        # A request with an Idempotency-Key is answered with the bytes kept for it.
        exception_handlers={**exception_handlers, KeptAnswer: answer_kept},
        template_config=TemplateConfig(directory=TEMPLATES_DIR, engine=JinjaTemplateEngine),
        compression_config=CompressionConfig(
            backend="gzip",
            minimum_size=500,
            # The calendar keeps its answers compressed already (widget.api.calendar).
            exclude=r"^/api/v1/properties/[^/]+/calendar$",
        ),
        openapi_config=OpenAPIConfig(
            title="Innkeep", version="1.0.0", path="/schema", render_plugins=[swagger_ui()]
        ),
    )


def _server_urls(settings: Settings) -> tuple[str, str]:
    if settings.database_url is None or settings.redis_url is None:
        raise SettingsError(
            "INNKEEP_DATABASE_URL and INNKEEP_REDIS_URL must be set "
            "(`innkeep demo` starts embedded servers and sets them)"
        )
    return settings.database_url, settings.redis_url


def worker_services(settings: Settings) -> Services:
    """The parts of one worker for ``settings``: its pool and Redis (opened by the app's
    lifespan, not here) and its memories."""
    database_url, _ = _server_urls(settings)
    return build_services(
        settings,
        create_pool(database_url, settings.db_pool_max, pooled=settings.pooled),
        connect(settings),
    )


def services_of(app: Litestar) -> Services:
    """The services `create_app` put in the app's state. The lifespan, the dependencies, the
    middleware and the hooks all look them up there rather than keeping their own
    reference, so the app's parts never disagree (and a test may serve one app, built once,
    with fresh services: only before its lifespan starts)."""
    services: Services = app.state["services"]
    return services


@asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncIterator[None]:
    """Open the pool, listen for changes (on a direct connection: ``listen_url`` never goes
    through a pooler) and run the jobs while the app serves."""
    services = services_of(app)
    settings = services.settings
    await services.pool.open(wait=False)
    try:
        async with (
            listening(services.freshness, settings.listen_url or _server_urls(settings)[0]),
            running_jobs(services, enabled=settings.background_jobs),
            trying_after_rests(services.redis_watch, services.redis),
        ):
            yield
    finally:
        await services.pool.close()
        await services.redis.aclose()


async def _counting(message: Message, scope: Scope) -> None:
    """Count every answer by its route template (one label for paths no route matched) and
    status class, as it starts: errors and refusals included."""
    if message["type"] == "http.response.start":
        metrics = services_of(scope["app"]).metrics
        metrics.answered(scope.get("path_template", UNMATCHED), message["status"])


def _dependencies() -> dict[str, Provide]:
    async def provide_services(state: State) -> Services:
        services: Services = state["services"]
        return services

    # Taking ``services`` puts the two dependencies in sequence: independent ones are
    # resolved in an anyio task group per request, which costs more than both together.
    async def provide_db(services: ServicesDep) -> AsyncIterator[Conn]:
        async with services.pool.connection() as conn:
            yield conn

    return {
        "services": Provide(provide_services),
        "db": Provide(provide_db),
    }


def _middleware(settings: Settings) -> list[Middleware]:
    """One pass (`widget.edge.FrontDoor`): unprintable characters in the URL are refused
    before anything looks them up; CORS per property (only the origins a property lists may
    call its public API, and a browser's write must come from the service itself or such an
    origin); then the body is read in full, in time, before any handler takes a connection;
    HTML answers may not be framed unless they say who may (the widget page)."""
    cors = PublicApiCors(
        lambda scope: OriginLookup(services_of(scope["app"]).pool), settings.public_url
    )
    return [FrontDoor(cors, RequestIntake(settings.body_read_seconds))]


def create_app_from_env() -> Litestar:
    """Factory for ``uvicorn --factory`` and worker processes: settings from the environment."""
    from widget.settings import load_settings

    app = create_app(load_settings())
    # The modules and the app live as long as the worker. Left to the garbage collector,
    # every full collection walks all of them again (25-65 ms under load, which the guests
    # of that moment wait through); frozen, it only looks at what requests made.
    gc.collect()
    gc.freeze()
    # A young collection walks every object in flight: with a race's 100 requests at once,
    # all their frames, every 700 allocations. One in 20,000 spares a loser 3-5 % of its
    # instructions (docs/performance.md); what requests leave behind is short-lived.
    gc.set_threshold(20_000, 10, 10)
    return app
