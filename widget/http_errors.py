"""The HTTP edge of every error: one table from the domain's refusals to status codes, and
the handlers that render every error (ours, Litestar's, the database's) as the one JSON shape
``{"error": "not_found", "message": "…", "field": "check_in"}``.
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

from widget.errors import (
    SHOWN_LIMIT,
    Conflict,
    InnkeepError,
    Invalid,
    NotFound,
    PaymentRefused,
    PricingBroken,
    QuotaExceeded,
    Refused,
    ServiceDown,
    TooLarge,
    Unauthenticated,
    UnsupportedMedia,
    clipped,
    error_body,
)
from widget.redact import describe_error

log = logging.getLogger(__name__)

#: Each kind of refusal and its status; a refusal takes the status of its nearest kind.
STATUS: dict[type[InnkeepError], int] = {
    InnkeepError: 400,
    Unauthenticated: 401,
    PaymentRefused: 402,
    Refused: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    UnsupportedMedia: 415,
    Invalid: 422,
    QuotaExceeded: 429,
    PricingBroken: 500,
    ServiceDown: 503,
}


def status_of(error: InnkeepError) -> int:
    """The HTTP status that answers ``error``."""
    return next(STATUS[kind] for kind in type(error).__mro__ if kind in STATUS)


def headers_of(error: InnkeepError) -> dict[str, str]:
    """Headers that go with ``error``'s answer: when to retry a quota refusal."""
    if isinstance(error, QuotaExceeded):
        return {"Retry-After": str(error.retry_after)}
    if isinstance(error, Unauthenticated):
        return {"WWW-Authenticate": 'Bearer realm="innkeep-testing"'}
    return {}


def refusal_body(error: InnkeepError) -> dict[str, Any]:
    return error_body(error.code, error.message, error.field, **error.extra)


def refusal_response(_: Request[Any, Any, Any], exc: InnkeepError) -> Response[dict[str, Any]]:
    """The answer to one of our refusals (the handler every route uses)."""
    return Response(
        refusal_body(exc),
        status_code=status_of(exc),
        headers=headers_of(exc),
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
    InnkeepError: refusal_response,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    # No connection to be had (Postgres away or every connection busy): retry shortly.
    PoolTimeout: _database_unavailable,
    psycopg.OperationalError: _database_unavailable,
    Exception: _unexpected,
}
