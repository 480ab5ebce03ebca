"""Refuse URLs that carry characters no slug, reference or parameter can hold.

One check for every route, before routing: a NUL in a path parameter used to reach
Postgres (which refuses it inside text) and answer 500. A path with such a character
names nothing (404); a query parameter with one is a 422 `invalid` naming it (every
operation that takes query parameters documents 422).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.response.base import ASGIResponse
from litestar.types import ASGIApp, Receive, Scope, Send

from widget.errors import error_body
from widget.printable import has_unseen


class PrintableUrls(ASGIMiddleware):
    """Answer 404 to a path and 422 to a query string holding an unprintable character."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        refusal = _refusal(scope)
        if refusal is None:
            await next_app(scope, receive, send)
            return
        await refusal(scope, receive, send)


def _answer(status: int, body: dict[str, Any]) -> ASGIResponse:
    return ASGIResponse(
        body=msgspec.json.encode(body), status_code=status, media_type="application/json"
    )


#: A query string of visible ASCII with no escapes cannot hide an unprintable character: the
#: common case (every widget request) is settled without parsing it.
_PLAIN_QUERY = re.compile(rb"[\x21-\x24\x26-\x7e]*")


def _refusal(scope: Scope) -> ASGIResponse | None:
    if has_unseen(scope["path"]):
        return _answer(
            404, error_body("not_found", "Nothing is found at a path with unprintable characters.")
        )
    raw: bytes = scope.get("query_string", b"")
    if _PLAIN_QUERY.fullmatch(raw):
        return None
    query = raw.decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if has_unseen(name) or has_unseen(value):
            field = name if not has_unseen(name) else "query"
            return _answer(
                422, error_body("invalid", f"{field} holds an unprintable character", field=field)
            )
    return None
