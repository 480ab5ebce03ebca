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
from litestar.response.base import ASGIResponse
from litestar.types import Scope

from widget.errors import error_body
from widget.printable import has_unseen


def _answer(status: int, body: dict[str, Any]) -> ASGIResponse:
    return ASGIResponse(
        body=msgspec.json.encode(body), status_code=status, media_type="application/json"
    )


#: A query string of visible ASCII with no escapes cannot hide an unprintable character: the
#: common case (every widget request) is settled without parsing it.
_PLAIN_QUERY = re.compile(rb"[\x21-\x24\x26-\x7e]*")


def url_refusal(scope: Scope) -> ASGIResponse | None:
    """The answer to a URL holding an unprintable character (a step of
    `widget.edge.FrontDoor`), or None for a URL that may go on."""
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
