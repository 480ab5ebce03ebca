"""What may be said in a message or a log line: no passwords, no guest data.

Connection URLs carry passwords (``postgresql://innkeep:s3cret@db/innkeep``) and psycopg's
errors carry the row they were about (``DETAIL: Key (...)=(...)``, ``CONTEXT: JSON data``,
the guest's own words). `install_log_redaction` makes every log record of the process pass
through `redact`, and replaces a database error with its sqlstate and constraint name.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

import psycopg

#: ``scheme://user:password@`` (or a scheme-less ``user:password@host``): the password goes.
_USERINFO = re.compile(r"(?P<head>(?:[a-z][a-z0-9+.-]*://)?[^\s:/@'\"]*):(?P<secret>[^\s@/'\"]+)@")
#: ``password=…`` in DSNs and query strings, ``password: …`` in messages.
_KEYED = re.compile(
    r"(?P<head>\b(?:password|passwd|pwd|sslpassword|secret|token|api_key)\s*[=:]\s*)"
    r"(?P<secret>'[^']*'|\"[^\"]*\"|[^\s&;,]+)",
    re.IGNORECASE,
)
#: Secrets in a URL's query: the manage link's ``key`` (an access log line carries it).
_QUERY = re.compile(r"(?P<head>[?&](?:key|token|secret|client_secret|password)=)[^&\s'\"]+")
HIDDEN = "***"
#: Sqlstate classes whose message is about the server, never a row: connection (08),
#: authorisation (28), resources (53), operator intervention (57), unknown database (3D).
_ABOUT_THE_SERVER = frozenset({"08", "28", "53", "57", "3D"})


def redact(text: str) -> str:
    """``text`` with every credential it carries replaced by ``***``."""
    text = _USERINFO.sub(lambda m: f"{m['head']}:{HIDDEN}@", text)
    text = _QUERY.sub(lambda m: f"{m['head']}{HIDDEN}", text)
    return _KEYED.sub(lambda m: f"{m['head']}{HIDDEN}", text)


def redact_url(url: str) -> str:
    """A URL as it may be shown: user, host and path, never a password."""
    return redact(url)


def describe_error(exc: BaseException) -> str:
    """An exception as a log line may carry it.

    A database error names its class, sqlstate and constraint, never its message: that
    quotes the values of the row (a guest's name, e-mail, JSON) in DETAIL and CONTEXT."""
    if isinstance(exc, psycopg.Error):
        parts = [type(exc).__name__]
        if exc.sqlstate:
            parts.append(f"sqlstate={exc.sqlstate}")
        diag = exc.diag
        for name in ("constraint_name", "table_name", "column_name"):
            value = getattr(diag, name, None)
            if value:
                parts.append(f"{name.removesuffix('_name')}={value}")
        if exc.sqlstate is None or exc.sqlstate[:2] in _ABOUT_THE_SERVER:
            first = str(exc).strip().splitlines()
            parts.append(redact(first[0]) if first else "")
        return " ".join(p for p in parts if p)
    return redact(str(exc))


def _chain(exc: BaseException | None) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def _traceback_text(exc_info: Any) -> str:
    """The traceback as the formatter would print it, database errors described safely."""
    text = "".join(traceback.format_exception(*exc_info)).rstrip("\n")
    for exc in _chain(exc_info[1]):
        if isinstance(exc, psycopg.Error) and str(exc):
            text = text.replace(str(exc), describe_error(exc))
    return redact(text)


def _redacted_record(record: logging.LogRecord) -> logging.LogRecord:
    args = record.args
    if isinstance(args, tuple):
        args = tuple(describe_error(a) if isinstance(a, BaseException) else a for a in args)
    try:
        message = record.msg % args if args else str(record.msg)
    except (TypeError, ValueError):
        message = str(record.msg)
    record.msg, record.args = redact(message), ()
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = _traceback_text(record.exc_info)
    return record


def install_log_redaction() -> None:
    """Make every log record of this process pass through `redact` (once; idempotent).

    A record factory rather than a handler filter: it covers every logger and handler
    (uvicorn's, psycopg_pool's, a test's caplog) without knowing how logging is set up."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "innkeep_redacts", False):
        return

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _redacted_record(factory(*args, **kwargs))

    redacting_factory.innkeep_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting_factory)
