"""What a request must bring before any handler sees it: its whole body, in time, small
enough, and of a type the endpoint reads.

Handlers take a pooled Postgres connection as a dependency, and some read the body only
after that (the beacon release, idempotent replays). A client that sends its headers and
then stalls would keep that connection for as long as it liked; a handful of them would
take the pool from every guest. So `RequestIntake` reads the body first, under a deadline
(408 ``request_timeout``) and the endpoint's size limit (413 ``too_large``), checks its
media type (415 ``unsupported_media_type``), and hands the app a body that is already here.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar.enums import ScopeType
from litestar.handlers import HTTPRouteHandler
from litestar.types import Message, Receive, Scope, Send

from widget.errors import error_body

#: The route handler ``opt`` key naming the media types an endpoint reads (JSON unless it
#: says otherwise; None: any, for an endpoint whose gate is a signature on the raw body).
ACCEPTS = "accepts"
#: A body sent without a Content-Type.
UNTYPED = ""
JSON = ("application/json",)
FORM = ("application/x-www-form-urlencoded", "multipart/form-data")
#: What ``navigator.sendBeacon`` sends: a string (text/plain), a Blob (its own type, or none),
#: or form data.
BEACON = (*JSON, "text/plain", *FORM, UNTYPED)

#: Every JSON body of the widget API fits easily (a checkout with a 1000-character note is
#: a few KB); the Stripe webhook has its own, larger limit.
JSON_BODY_LIMIT = 32 * 1024
WEBHOOK_BODY_LIMIT = 512 * 1024

_BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class _ClientGone(Exception):
    pass


class RequestIntake:
    """Reads each request body in full, within ``read_seconds`` and the endpoint's
    ``request_max_body_size``, and refuses media types the endpoint does not read (the
    handler's ``opt["accepts"]``; JSON unless it says otherwise). One step of
    `widget.edge.FrontDoor`."""

    def __init__(self, read_seconds: float) -> None:
        self.read_seconds = read_seconds

    async def admit(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """The ``receive`` the app reads the body from (already here), or None when the
        request was answered (refused, or its client left)."""
        if scope["type"] != ScopeType.HTTP or scope["method"] in _BODILESS:
            return receive
        handler = scope["route_handler"]
        assert isinstance(handler, HTTPRouteHandler)  # an HTTP scope's handler
        try:
            body = await self._intake(scope, receive, handler)
        except _Refusal as refusal:
            await _refuse(send, refusal)
            return None
        except _ClientGone:
            return None
        return _replay(body, receive)

    async def _intake(self, scope: Scope, receive: Receive, handler: HTTPRouteHandler) -> bytes:
        limit = handler.resolve_request_max_body_size()
        accepts: tuple[str, ...] | None = handler.opt.get(ACCEPTS, JSON)
        media = media_type_of(_header(scope, b"content-type"))
        if accepts is not None and media is not None and media not in accepts:
            raise _unsupported(accepts)
        declared = _header(scope, b"content-length") or ""
        if limit is not None and declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)  # refused before a byte of it is read
        try:
            async with asyncio.timeout(self.read_seconds):
                body = await _read_body(receive, limit)
        except TimeoutError:
            message = "The request body did not arrive in time; please send it again."
            raise _Refusal(408, "request_timeout", message) from None
        if accepts is not None and body and media is None and UNTYPED not in accepts:
            raise _unsupported(accepts)
        return body


def media_type_of(content_type: str | None) -> str | None:
    """``application/json; charset=utf-8`` → ``application/json``; None when not sent."""
    if content_type is None:
        return None
    return content_type.partition(";")[0].strip().lower()


async def _read_body(receive: Receive, limit: int | None) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message: Any = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands over the body read already, then waits for the client."""
    delivered = False

    async def replay() -> Any:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _unsupported(accepts: tuple[str, ...]) -> _Refusal:
    named = " or ".join(a for a in accepts if a)
    message = f"Send the body as {named}, with that Content-Type."
    return _Refusal(415, "unsupported_media_type", message)


def _too_large(limit: int) -> _Refusal:
    message = f"The request body is larger than this endpoint takes ({limit // 1024} KB at most)."
    return _Refusal(413, "too_large", message)


async def _refuse(send: Send, refusal: _Refusal) -> None:
    """Answer with the service's error shape; the connection closes, since what is left
    of the body will not be read."""
    body = msgspec.json.encode(error_body(refusal.code, refusal.message))
    start: Message = {
        "type": "http.response.start",
        "status": refusal.status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})
