"""The Litestar application factory: ``create_app(settings)``."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig
from redis.asyncio import Redis

from widget.api import route_handlers
from widget.api.bodies import ClosedStructSchemas, strict_body
from widget.api.docs import swagger_ui
from widget.api.url_guard import PrintableUrls
from widget.background import running_jobs
from widget.db import Conn, create_pool
from widget.embedding import OriginLookup, PublicApiCors
from widget.framing import NotFramedByDefault
from widget.http_errors import exception_handlers
from widget.intake import JSON_BODY_LIMIT, RequestIntake
from widget.inventory.notifications import listening
from widget.paths import TEMPLATES_DIR
from widget.redact import install_log_redaction
from widget.settings import Settings, SettingsError, require_secret_key
from widget.state import Services, ServicesDep, build_services

log = logging.getLogger("innkeep")


def create_app(settings: Settings) -> Litestar:
    """Build the service for ``settings``; connections open in the lifespan, not here."""
    if settings.database_url is None or settings.redis_url is None:
        raise SettingsError(
            "INNKEEP_DATABASE_URL and INNKEEP_REDIS_URL must be set "
            "(`innkeep demo` starts embedded servers and sets them)"
        )
    require_secret_key(settings)
    install_log_redaction()
    database_url = settings.database_url
    pool = create_pool(database_url, settings.db_pool_max)
    redis = Redis.from_url(
        settings.redis_url,
        # A Redis that is away must cost a request milliseconds, not seconds.
        socket_timeout=0.25,
        socket_connect_timeout=0.25,
        retry_on_timeout=False,
    )
    services = build_services(settings, pool, redis)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await pool.open(wait=False)
        try:
            async with (
                listening(services.freshness, database_url),
                running_jobs(services, enabled=settings.background_jobs),
            ):
                yield
        finally:
            await pool.close()
            await redis.aclose()

    async def provide_services() -> Services:
        return services

    # Taking ``services`` puts the two dependencies in sequence: independent ones are
    # resolved in an anyio task group per request, which costs more than both together.
    async def provide_db(services: ServicesDep) -> AsyncIterator[Conn]:
        async with services.pool.connection() as conn:
            yield conn

    return Litestar(
        route_handlers=route_handlers(),
        dependencies={
            "services": Provide(provide_services, use_cache=True),
            "db": Provide(provide_db),
        },
        lifespan=[lifespan],
        # Bodies are exactly what the schema says: strict types, no unknown keys.
        guards=[strict_body],
        plugins=[ClosedStructSchemas()],
        # Unprintable characters in the URL are refused before anything looks them up.
        # CORS per property: only the origins a property lists may call its public API, and
        # a browser's write must come from the service itself or such an origin.
        # Then the body is read in full, in time, before any handler takes a connection.
        middleware=[
            PrintableUrls(),
            PublicApiCors(OriginLookup(pool), settings.public_url),
            RequestIntake(settings.body_read_seconds),
            # HTML answers may not be framed unless they say who may (the widget page).
            NotFramedByDefault,
        ],
        request_max_body_size=JSON_BODY_LIMIT,
        exception_handlers=exception_handlers,
        template_config=TemplateConfig(directory=TEMPLATES_DIR, engine=JinjaTemplateEngine),
        compression_config=CompressionConfig(
            backend="gzip",
            minimum_size=500,
            # The calendar keeps its answers compressed already (widget.api.calendar).
            exclude=r"^/api/v1/properties/[^/]+/calendar$",
        ),
        openapi_config=OpenAPIConfig(
            title="Innkeep",
            version="1.0.0",
            path="/schema",
            render_plugins=[swagger_ui()],
        ),
    )


def create_app_from_env() -> Litestar:
    """Factory for ``uvicorn --factory`` and worker processes: settings from the environment."""
    from widget.settings import load_settings

    app = create_app(load_settings())
    # The modules and the app live as long as the worker. Left to the garbage collector,
    # every full collection walks all of them again (25-65 ms under load, which the guests
    # of that moment wait through); frozen, it only looks at what requests made.
    gc.collect()
    gc.freeze()
    return app
