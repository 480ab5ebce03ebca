"""The front door: every check a request meets before the app, in one ASGI pass.

In order: unprintable characters in the URL are refused (`widget.api.url_guard`); CORS per
property, and the origin check of every write (`widget.embedding.PublicApiCors`); the body
is read in full, in time, before any handler takes a connection (`widget.intake`); HTML
answers may not be framed unless they say who may (`widget.framing`). They were four
middleware layers; one pass spares every request three wrappers (a race's losers, 100 at a
time on one core, each paid them: see "Holds" in docs/performance.md).
"""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from widget.api.url_guard import url_refusal
from widget.embedding import PublicApiCors
from widget.framing import not_framed_by_default
from widget.intake import RequestIntake


class FrontDoor(ASGIMiddleware):
    """The URL guard, CORS and origins, the intake and the framing default, in that order."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, cors: PublicApiCors, intake: RequestIntake) -> None:
        self.cors = cors
        self.intake = intake

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        refusal = url_refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        answering = await self.cors.admit(scope, send)
        if answering is None:
            return  # a preflight answered, or a write from a site not allowed refused
        reading = await self.intake.admit(scope, receive, answering)
        if reading is None:
            return  # refused (size, time, media type), or the client left
        await next_app(scope, reading, not_framed_by_default(scope, answering))
