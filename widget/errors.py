"""Errors a caller can act on, and the handlers that render every error as JSON.

Shape: ``{"error": "not_found", "message": "…", "field": "check_in"}`` (``field`` only for
validation), plus whatever extra data helps the caller recover (free room types, a new quote).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import psycopg
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from psycopg_pool import PoolTimeout

from widget.redact import describe_error

log = logging.getLogger(__name__)


class ApiError(Exception):
    """Base of the service's own errors; ``code`` is stable, ``message`` is for people."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}
        self.headers = headers or {}
        if code:
            self.code = code


class NotFound(ApiError):
    status_code = 404
    code = "not_found"


class Conflict(ApiError):
    status_code = 409
    code = "conflict"


class Unprocessable(ApiError):
    status_code = 422
    code = "invalid"


class Forbidden(ApiError):
    status_code = 403
    code = "forbidden"


class PricingBroken(ApiError):
    """A pricing rule or the owner's rule set failed: our side's fault, logged, 500."""

    status_code = 500
    code = "pricing_failed"


class TooManyRequests(ApiError):
    status_code = 429
    code = "too_many_requests"


#: No error answer repeats more than this much of anything: a message or field name may
#: quote what the client sent, and a client may send megabytes.
MESSAGE_LIMIT = 300
FIELD_LIMIT = 64
#: How much of a value a message quotes (see `shown`).
SHOWN_LIMIT = 40


def shown(value: object, limit: int = SHOWN_LIMIT) -> str:
    """``value`` quoted for a message, as ``repr`` does, but at most ``limit`` characters of
    it: an error says which value it means without sending a client's input back whole."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def clipped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    """The one shape of every error answer; message and field are clipped (see
    `MESSAGE_LIMIT`)."""
    body: dict[str, Any] = {"error": code, "message": clipped(message, MESSAGE_LIMIT)}
    if field is not None:
        body["field"] = clipped(field, FIELD_LIMIT)
    body.update(extra)
    return body


def _api_error(_: Request[Any, Any, Any], exc: ApiError) -> Response[dict[str, Any]]:
    return Response(
        error_body(exc.code, exc.message, exc.field, **exc.extra),
        status_code=exc.status_code,
        headers=exc.headers,
        media_type=MediaType.JSON,
    )


#: A value the decoder quotes in its message (`…` or '…'), e.g. an unknown field's name.
_QUOTED = re.compile(rf"(`|')([^`']{{{SHOWN_LIMIT + 1},}})\1")


def _shorten_quoted(found: re.Match[str]) -> str:
    return f"{found[1]}{found[2][:SHOWN_LIMIT]}…{found[1]}"


def quoting_briefly(message: str) -> str:
    """A decoder's ``message`` with every value it quotes cut to a short prefix."""
    return _QUOTED.sub(_shorten_quoted, message)


def _validation_error(
    _: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    details = exc.extra if isinstance(exc.extra, list) else []
    first = details[0] if details and isinstance(details[0], dict) else {}
    field = first.get("key") or None
    message = first.get("message") or exc.detail
    if field == "data":  # the body as a whole: the message names the field, e.g. a missing one
        named = re.search(r"field `([^`]+)`", str(message))
        field = clipped(named[1], SHOWN_LIMIT) if named else None
    message = quoting_briefly(str(message))
    if field:
        message = f"{field}: {message}"
    # A value that breaks a rule (a bad date, a missing field) is 422 naming the field;
    # a body that is not JSON at all stays 400.
    return Response(
        error_body("invalid", str(message), field),
        status_code=422 if field else 400,
        media_type=MediaType.JSON,
    )


#: Litestar's own refusals, by status, under the codes the public API documents.
_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}
#: What Litestar's CSRF middleware says when a form's token does not match its cookie.
CSRF_REFUSAL = "CSRF token verification failed"


def _http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    code = _HTTP_CODES.get(
        exc.status_code, "bad_request" if exc.status_code < 500 else "server_error"
    )
    if exc.status_code == 403 and exc.detail == CSRF_REFUSAL:
        code = "csrf_failed"
    return Response(
        error_body(code, exc.detail),
        status_code=exc.status_code,
        headers=exc.headers,
        media_type=MediaType.JSON,
    )


def _database_unavailable(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.error("database unavailable: %s", describe_error(exc))
    return Response(
        error_body("unavailable", "The booking service is briefly unavailable; please retry."),
        status_code=503,
        headers={"Retry-After": "5"},
        media_type=MediaType.JSON,
    )


def _unexpected(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    # The traceback is described safely by widget.redact (no row values, no passwords).
    log.error("unhandled error: %s", describe_error(exc), exc_info=exc)
    return Response(
        error_body("server_error", "Something went wrong on our side; nothing was charged."),
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        media_type=MediaType.JSON,
    )


exception_handlers: dict[type[Exception] | int, Any] = {
    ApiError: _api_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    # No connection to be had (Postgres away or every connection busy): retry shortly.
    PoolTimeout: _database_unavailable,
    psycopg.OperationalError: _database_unavailable,
    Exception: _unexpected,
}
