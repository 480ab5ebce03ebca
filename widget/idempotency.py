"""``Idempotency-Key`` for POST endpoints: a retried request gets the first answer again.

A key is scoped to the method, the path and the caller (the hold token, else the widget
session, else the client address) and kept 24 hours in Postgres, so it works with Redis away
and across workers. Answers carry secrets (hold tokens, manage links), so the table keeps
only a hash of the key and the answer sealed under a key derived from the raw
``Idempotency-Key`` (HKDF salted with INNKEEP_SECRET_KEY, AES-GCM; `widget.tokens`): a
database reader recovers neither, a genuine retry gets its answer back.

The same key with the same body replays the first response (status, body and the headers
that matter); with another body it is refused with 422; while the first request is still
running, 409.

A handler opts in by taking ``request`` and wrapping its work::

    @post("/{hold_id:uuid}/checkout")
    async def checkout(self, request: Request, db: DbDep, data: CheckoutIn) -> Response[Any]:
        return await idempotent(
            request, db, lambda: start_checkout(db, ...), secret_key=settings.secret_key
        )

Only answers below 500 (and not 429) are kept: a server error or a quota refusal leaves the
key free, so the retry runs again.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any

import msgspec
from litestar import MediaType, Request, Response

from widget.db import Conn, Pool
from widget.errors import Conflict, InnkeepError, Invalid
from widget.http_errors import headers_of, refusal_body, status_of
from widget.sql import queries
from widget.tokens import Sealed, seal, sealing_keys, unseal

HEADER = "Idempotency-Key"
#: Response headers a replay does not carry: the server sets them for each answer anew.
NOT_REPLAYED = frozenset(
    {
        "content-length",
        "content-encoding",
        "date",
        "server",
        "set-cookie",
        "transfer-encoding",
        "connection",
        "vary",
    }
)
#: How long a key is remembered (also what the cleanup job uses).
KEEP_HOURS = 24
#: A request that has been "in flight" this long died with its worker; its key may be reused.
ABANDONED_AFTER_SECONDS = 300
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def caller_of(request: Request[Any, Any, Any]) -> str:
    """Who is asking: the hold token, else the widget session, else the client address.

    Secrets are hashed: the scope is stored, and a token must never be."""
    token = request.headers.get("x-hold-token")
    if token:
        return "hold:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    session = request.headers.get("x-innkeep-session")
    if session:
        return "session:" + hashlib.sha256(session.encode()).hexdigest()[:32]
    client = request.client.host if request.client else "unknown"
    return f"client:{client}"


def scope_of(request: Request[Any, Any, Any], caller: str | None = None) -> str:
    """The namespace one key lives in: method, path and caller."""
    return f"{request.method} {request.url.path} {caller or caller_of(request)}"


async def _request_hash(request: Request[Any, Any, Any], key: bytes) -> bytes:
    """Keyed, so the hash of a checkout body cannot be used to test guesses of a guest's
    details."""
    body = await request.body()
    digest = hmac.new(key, request.url.query.encode(), hashlib.sha256)
    digest.update(b"\n")
    digest.update(body)
    return digest.digest()


class _Stored(msgspec.Struct):
    status_code: int
    body: bytes
    headers: dict[str, str]


def _as_stored(result: Any, status_code: int) -> _Stored:
    """A handler's answer as bytes, encoded exactly as the client will receive it."""
    if isinstance(result, Response):
        content = result.content
        code = result.status_code or status_code
        headers = {k.lower(): v for k, v in result.headers.items()}
        media = result.media_type
    else:
        content, code, headers, media = result, status_code, {}, MediaType.JSON
    if isinstance(content, bytes):
        body = content
    elif isinstance(content, str):
        body = content.encode()
    else:
        body = msgspec.json.encode(content)
    media_text = media.value if isinstance(media, Enum) else str(media or MediaType.JSON.value)
    headers.setdefault("content-type", media_text)
    kept = {k: v for k, v in headers.items() if k not in NOT_REPLAYED}
    return _Stored(code, body, kept)


def _response(stored: _Stored, replayed: bool) -> Response[bytes]:
    headers = dict(stored.headers)
    media_type = headers.pop("content-type", MediaType.JSON.value)
    if replayed:
        headers["idempotent-replayed"] = "true"
    return Response(
        stored.body, status_code=stored.status_code, headers=headers, media_type=media_type
    )


def _keepable(status_code: int) -> bool:
    return status_code < 500 and status_code != 429


async def idempotent(
    request: Request[Any, Any, Any],
    db: Conn,
    work: Callable[[], Awaitable[Any]],
    *,
    secret_key: str,
    status_code: int = 201,
    caller: str | None = None,
) -> Response[Any]:
    """Run ``work`` once per ``Idempotency-Key`` (if the request carries one) and answer.

    ``work`` returns a `Response` or a msgspec-encodable value (answered with
    ``status_code``); an `InnkeepError` it raises is kept and replayed like any other answer.
    ``caller`` overrides who is asking (for example a client address behind trusted proxies).
    ``secret_key`` (the server's) salts the derivation of the sealing key.
    """
    key = request.headers.get(HEADER.lower())
    if key is None:
        result = await work()
        return result if isinstance(result, Response) else Response(result, status_code=status_code)
    if not _VALID_KEY.match(key):
        raise InnkeepError(
            f"{HEADER} must be 1 to 255 visible ASCII characters.", field=HEADER, code="invalid"
        )
    q = queries("payments")
    sealing = sealing_keys(secret_key, scope_of(request, caller), key)
    request_hash = await _request_hash(request, sealing.key)
    params = {
        "key_hash": sealing.lookup,
        "request_hash": request_hash,
        "keep_hours": KEEP_HOURS,
        "abandoned_after": ABANDONED_AFTER_SECONDS,
    }
    cur = await db.execute(q["claim_idempotency_key"], params)
    claimed = await cur.fetchone()
    if claimed is None:
        cur = await db.execute(q["idempotency_key"], params)
        seen = await cur.fetchone()
        if seen is None:  # removed between the two statements (cleanup): claim again
            cur = await db.execute(q["claim_idempotency_key"], params)
            claimed = await cur.fetchone()
            if claimed is None:
                raise Conflict(
                    f"A request with this {HEADER} is still being processed; retry shortly.",
                    field=HEADER,
                    code="request_in_progress",
                )
        else:
            if bytes(seen["request_hash"]) != request_hash:
                raise Invalid(
                    f"This {HEADER} was already used with a different request body; "
                    "use a new key for a new request.",
                    field=HEADER,
                    code="idempotency_key_reused",
                )
            if seen["status_code"] is None:
                raise Conflict(
                    f"A request with this {HEADER} is still being processed; retry shortly.",
                    field=HEADER,
                    code="request_in_progress",
                )
            return _response(_unsealed(sealing, seen["response"]), replayed=True)

    try:
        result = await work()
    except InnkeepError as exc:
        stored = _Stored(
            status_of(exc),
            msgspec.json.encode(refusal_body(exc)),
            {
                "content-type": MediaType.JSON.value,
                **{k.lower(): v for k, v in headers_of(exc).items()},
            },
        )
        await _settle(db, params, sealing, stored)
        raise
    except BaseException:
        await _release(db, params)
        raise
    stored = _as_stored(result, status_code)
    await _settle(db, params, sealing, stored)
    return _response(stored, replayed=False)


def _unsealed(sealing: Sealed, response: bytes) -> _Stored:
    opened = unseal(sealing.key, bytes(response), sealing.lookup)
    if opened is None:  # only a tampered row (or one moved between keys) gets here
        raise Conflict(
            f"The answer kept for this {HEADER} cannot be read back; use a new key.",
            field=HEADER,
            code="request_in_progress",
        )
    return msgspec.msgpack.decode(opened, type=_Stored)


async def _settle(db: Conn, params: dict[str, Any], sealing: Sealed, stored: _Stored) -> None:
    if not _keepable(stored.status_code):
        await _release(db, params)
        return
    sealed = seal(sealing.key, msgspec.msgpack.encode(stored), sealing.lookup)
    await db.execute(
        queries("payments")["settle_idempotency_key"],
        {**params, "status_code": stored.status_code, "response": sealed},
    )


async def _release(db: Conn, params: dict[str, Any]) -> None:
    """Forget a key whose request failed on our side, so that a retry runs again."""
    # The original error matters more; a key left behind lapses as abandoned anyway.
    with contextlib.suppress(Exception):
        await db.execute(queries("payments")["release_idempotency_key"], params)


async def forget_old_keys(conn: Conn) -> int:
    """Delete keys older than 24 hours (a background job); returns how many."""
    cur = await conn.execute(
        queries("payments")["forget_idempotency_keys"], {"keep_hours": KEEP_HOURS}
    )
    return cur.rowcount


async def forget_old_idempotency_keys(pool: Pool) -> int:
    """The background job around `forget_old_keys`."""
    async with pool.connection() as conn:
        return await forget_old_keys(conn)
