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

A handler opts in by taking ``request`` and wrapping its work; it keeps its own answer type
(so OpenAPI documents it), and its status code is the one its decorator declares::

    @post("/{hold_id:uuid}/checkout", status_code=200)
    async def checkout(self, request: Request, db: DbDep, data: CheckoutIn) -> CheckoutOut:
        return await idempotent(request, db, lambda: start_checkout(db, ...), settings)

Without a key, ``work``'s answer is returned as it is. With one, the answer is encoded once,
sealed and kept, and those very bytes are sent: `KeptAnswer` carries them to the edge
(`answer_kept`, registered with the app), on the first run as on every replay, so a replay
is byte for byte the first answer and nothing is encoded twice.

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
from typing import Any, TypeVar

import msgspec
from litestar import MediaType, Request, Response

from widget.clients import client_of
from widget.db import Conn, Pool
from widget.errors import Conflict, InnkeepError, Invalid
from widget.headers import HOLD_TOKEN, IDEMPOTENCY_KEY
from widget.http_errors import headers_of, refusal_body, status_of
from widget.settings import Settings
from widget.sql import queries
from widget.tokens import Sealed, seal, sealing_keys, unseal

HEADER = IDEMPOTENCY_KEY
T = TypeVar("T")
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


def caller_of(request: Request[Any, Any, Any], settings: Settings) -> str:
    """Who is asking: the hold token, else the widget session, else the client's address
    (looking through trusted proxies only, as quotas do: `widget.clients`).

    Secrets are hashed: the scope is stored, and a token must never be."""
    token = request.headers.get(HOLD_TOKEN)
    if token:
        return "hold:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    client = client_of(request, settings)
    if client.session:
        return "session:" + hashlib.sha256(client.session.encode()).hexdigest()[:32]
    return f"client:{client.address}"


def scope_of(request: Request[Any, Any, Any], settings: Settings) -> str:
    """The namespace one key lives in: method, path and caller."""
    return f"{request.method} {request.url.path} {caller_of(request, settings)}"


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


class KeptAnswer(Exception):
    """The answer to a request with an ``Idempotency-Key``, as it was kept (sealed in
    Postgres): `answer_kept` sends it as it is."""

    def __init__(self, stored: _Stored, *, replayed: bool) -> None:
        super().__init__(stored.status_code)
        self.stored = stored
        self.replayed = replayed


def answer_kept(_: Request[Any, Any, Any], kept: KeptAnswer) -> Response[bytes]:
    """The app's handler for `KeptAnswer`: the kept bytes, status and headers."""
    return _response(kept.stored, kept.replayed)


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
    work: Callable[[], Awaitable[T]],
    settings: Settings,
) -> T:
    """Run ``work`` once per ``Idempotency-Key`` (if the request carries one) and answer.

    Without a key, returns ``work``'s answer. With one, raises `KeptAnswer` with the answer
    as kept (the first run's, or the one kept before); an `InnkeepError` ``work`` raises is
    kept and replayed like any other answer. The answer's status is the handler's own
    ``status_code``; INNKEEP_SECRET_KEY salts the derivation of the sealing key.
    """
    key = request.headers.get(HEADER)
    if key is None:
        return await work()
    if not _VALID_KEY.match(key):
        raise InnkeepError(
            f"{HEADER} must be 1 to 255 visible ASCII characters.", field=HEADER, code="invalid"
        )
    sealing = sealing_keys(settings.secret_key, scope_of(request, settings), key)
    params = {
        "key_hash": sealing.lookup,
        "request_hash": await _request_hash(request, sealing.key),
        "keep_hours": KEEP_HOURS,
        "abandoned_after": ABANDONED_AFTER_SECONDS,
    }
    await _claim(db, params, sealing)
    try:
        result = await work()
    except InnkeepError as exc:
        await _settle(db, params, sealing, _refusal(exc))
        raise
    except BaseException:
        await _release(db, params)
        raise
    stored = _as_stored(result, request.route_handler.status_code or 200)
    await _settle(db, params, sealing, stored)
    raise KeptAnswer(stored, replayed=False)


async def _claim(db: Conn, params: dict[str, Any], sealing: Sealed) -> None:
    """Claim the key for this request; raises `KeptAnswer` with the answer kept for it
    before, or refuses a key in flight or used with another body."""
    q = queries("payments")
    cur = await db.execute(q["claim_idempotency_key"], params)
    if await cur.fetchone() is not None:
        return
    cur = await db.execute(q["idempotency_key"], params)
    seen = await cur.fetchone()
    if seen is None:  # removed between the two statements (cleanup): claim again
        cur = await db.execute(q["claim_idempotency_key"], params)
        if await cur.fetchone() is not None:
            return
        raise _in_flight()
    if bytes(seen["request_hash"]) != params["request_hash"]:
        raise Invalid(
            f"This {HEADER} was already used with a different request body; "
            "use a new key for a new request.",
            field=HEADER,
            code="idempotency_key_reused",
        )
    if seen["status_code"] is None:
        raise _in_flight()
    raise KeptAnswer(_unsealed(sealing, seen["response"]), replayed=True)


def _in_flight() -> Conflict:
    return Conflict(
        f"A request with this {HEADER} is still being processed; retry shortly.",
        field=HEADER,
        code="request_in_progress",
    )


def _refusal(exc: InnkeepError) -> _Stored:
    """A refusal as it is answered (the edge's one table gives its status and headers)."""
    return _Stored(
        status_of(exc),
        msgspec.json.encode(refusal_body(exc)),
        {
            "content-type": MediaType.JSON.value,
            **{k.lower(): v for k, v in headers_of(exc).items()},
        },
    )


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
