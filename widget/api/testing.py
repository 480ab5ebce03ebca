"""The testing API (decision 16), at ``/api/testing/v1``: disposable properties, their clocks
and their e-mails, for QA journeys against a staging deployment.

It is routed only when `Settings.testing_api` is true (staging with ``INNKEEP_TESTING_TOKEN``),
so elsewhere every path of it is a plain 404; it is left out of the public OpenAPI document.
Every call carries ``Authorization: Bearer <token>``, compared in constant time.
"""

from __future__ import annotations

import asyncio
import hmac
from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import JSONBody

from widget.api.params import PropertySlug
from widget.errors import Invalid, Unauthenticated
from widget.intake import ACCEPTS, UNTYPED
from widget.state import DbDep, ServicesDep
from widget.testmode import (
    ClockMoved,
    OutboxEmail,
    TestProperty,
    advance_clock,
    create_disposable,
    delete_disposable,
    disposable_spec,
    outbox_of,
)

#: A property file is plain text; `innkeep qa` sends it as TOML.
TOML = ("application/toml", "text/plain", UNTYPED)


class ClockMove(msgspec.Struct, forbid_unknown_fields=True):
    """How far to move the property's clock forward, in seconds (1 s to a year)."""

    seconds: int


class Deleted(msgspec.Struct):
    deleted: str


def testing_token_guard(token: str) -> Any:
    """A guard admitting only requests that carry ``token`` as their bearer token."""
    expected = f"Bearer {token}".encode()

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        given = connection.headers.get("authorization", "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, expected):
            raise Unauthenticated("The testing API needs 'Authorization: Bearer <token>'.")

    return guard


class TestingController(Controller):
    path = "/api/testing/v1"
    tags = ("testing",)
    include_in_schema = False

    @post("/properties", status_code=201, opt={ACCEPTS: TOML})
    async def create_property(
        self, request: Request[Any, Any, Any], services: ServicesDep
    ) -> TestProperty:
        """Create a disposable property from a property file (TOML); its slug gets a fresh
        ``qa-…`` prefix, its allowed origins are the file's."""
        try:
            text = (await request.body()).decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid("The property file must be UTF-8 text.", field="body") from None
        spec = disposable_spec(text)
        assert services.settings.database_url is not None
        return await asyncio.to_thread(create_disposable, services.settings.database_url, spec)

    @delete("/properties/{slug:str}", status_code=200)
    async def delete_property(
        self, slug: PropertySlug, db: DbDep, services: ServicesDep
    ) -> Deleted:
        """Delete a test property with everything it holds."""
        await delete_disposable(db, services.redis, slug)
        return Deleted(deleted=slug)

    @post("/properties/{slug:str}/clock", status_code=200)
    async def move_clock(
        self, slug: PropertySlug, data: JSONBody[ClockMove], db: DbDep, services: ServicesDep
    ) -> ClockMoved:
        """Move a test property's clock forward: holds lapse, "today" moves."""
        return await advance_clock(db, services.redis, slug, data.seconds)

    @get("/properties/{slug:str}/emails", cache=False)
    async def emails(self, slug: PropertySlug, db: DbDep) -> list[OutboxEmail]:
        """The e-mails the outbox wrote about the test property's bookings."""
        return await outbox_of(db, slug)
