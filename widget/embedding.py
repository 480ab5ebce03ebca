"""Which websites may embed a property, and what the widget page may load (decision 8).

A property lists the origins allowed to embed it. That list decides three things:
the loader's embed check (asked before it creates anything), the ``frame-ancestors`` of the
widget page, and CORS on the property's public API paths. Nothing here knows about HTTP
frameworks except `PublicApiCors`, a small step of the ASGI front door (`widget.edge`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import msgspec
from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope, Send
from psycopg_pool import AsyncConnectionPool

from engine import MAX_CHILD_AGE, MIN_ADULTS
from widget.db import Conn
from widget.errors import error_body
from widget.headers import HOLD_TOKEN, IDEMPOTENCY_KEY, SESSION
from widget.i18n import LANGUAGES
from widget.limits import MAX_ADULTS, MAX_CHILDREN
from widget.properties.file import SLUG_PATTERN, normalise_origin
from widget.sql import queries

log = logging.getLogger(__name__)

#: Headers a widget or another site's script may send to the public API.
ALLOW_HEADERS = ("Content-Type", IDEMPOTENCY_KEY, "If-None-Match", HOLD_TOKEN, SESSION)
#: Response headers such a script may read.
EXPOSE_HEADERS = ("ETag", IDEMPOTENCY_KEY, "Retry-After", HOLD_TOKEN, SESSION)
ALLOW_METHODS = ("GET", "POST", "DELETE", "OPTIONS")
#: How long a browser may reuse a preflight answer (seconds).
PREFLIGHT_MAX_AGE = 600

#: The public paths whose CORS follows a property's list: its own and its holds'.
_PUBLIC_PATH = re.compile(
    r"^/api/v1/(?:properties/(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)"
    r"|holds/(?P<hold>[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}))(?:/.*)?$"
)
#: The embed check answers every origin itself (see `widget.api.embed`).
_EMBED_CHECK = re.compile(r"^/api/v1/properties/[^/]+/embed$")


@dataclass(frozen=True)
class EmbedPolicy:
    """A property's embedding rules as the loader and the widget page need them."""

    property_id: int
    slug: str
    name: str
    locale: str
    version: int
    allowed_origins: frozenset[str]

    def allows(self, origin: str | None) -> bool:
        """True if a page on ``origin`` may show this property's widget."""
        return origin_allowed(self.allowed_origins, origin)

    def frame_ancestors(self) -> str:
        """The CSP ``frame-ancestors`` source list: exactly the allowed origins."""
        return " ".join(sorted(self.allowed_origins)) or "'none'"


def origin_allowed(allowed: Iterable[str], origin: str | None) -> bool:
    """Compare origins as browsers send them: scheme, host and port, case-insensitively."""
    if not origin:
        return False
    normal = normalise_origin(origin)
    return normal is not None and normal in {normalise_origin(o) for o in allowed}


async def embed_policy(conn: Conn, slug: str) -> EmbedPolicy | None:
    """The embedding rules of ``slug``, or None if no property is called that."""
    cur = await conn.execute(queries("embedding")["embed_policy"], {"slug": slug})
    row = await cur.fetchone()
    if row is None:
        return None
    return EmbedPolicy(
        property_id=int(row["id"]),
        slug=str(row["slug"]),
        name=str(row["name"]),
        locale=str(row["locale"]),
        version=int(row["version"]),
        allowed_origins=_normalised(row["allowed_origins"]),
    )


#: The most properties the loader's hint names (a site embeds one or a few).
HINT_SIZE = 20


async def properties_allowing(pool: AsyncConnectionPool[Conn], origin: str) -> list[str]:
    """The slugs of the properties a page on ``origin`` may embed, at most `HINT_SIZE`;
    none when ``origin`` is not an origin or Postgres is away (it is a hint: the embed check
    still decides)."""
    normal = normalise_origin(origin)
    if normal is None:
        return []
    try:
        async with pool.connection() as conn:
            cur = await conn.execute(
                queries("embedding")["properties_allowing"], {"origin": normal, "most": HINT_SIZE}
            )
            return [str(row["slug"]) for row in await cur.fetchall()]
    except Exception as exc:  # the loader is served without a hint rather than not at all
        log.warning("loader hint lookup failed: %s", exc)
        return []


def _normalised(origins: Iterable[str]) -> frozenset[str]:
    return frozenset(n for n in (normalise_origin(o) for o in origins) if n is not None)


# ------------------------------------------------------------------ the widget page


@dataclass(frozen=True)
class WidgetOptions:
    """The look and defaults an owner sets with ``data-*`` attributes, checked so that
    nothing from a query string reaches the page's CSS or markup unvalidated."""

    language: str
    accent: str | None = None
    font: str | None = None
    radius: int | None = None
    adults: int | None = None
    children: tuple[int, ...] = ()
    room_type: str | None = None


_HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
# A font family name, quoted in CSS by us: letters, digits, spaces and hyphens only.
_FONT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{0,39}$")
_SLUG = re.compile(SLUG_PATTERN)


def widget_options(policy: EmbedPolicy, params: dict[str, str]) -> WidgetOptions:
    """Options from the widget page's query string; a value that does not fit is dropped
    (the widget then looks like the default), never passed on."""
    language = params.get("lang", "")[:2].lower()
    if language not in LANGUAGES:
        language = policy.locale if policy.locale in LANGUAGES else "en"
    accent = params.get("accent")
    font = params.get("font")
    room_type = params.get("room")
    return WidgetOptions(
        language=language,
        accent=accent if accent and _HEX_COLOUR.match(accent) else None,
        font=font if font and _FONT.match(font) else None,
        radius=_int_in(params.get("radius"), 0, 24),
        adults=_int_in(params.get("adults"), MIN_ADULTS, MAX_ADULTS),
        children=tuple(
            age
            for age in (_int_in(a, 0, MAX_CHILD_AGE) for a in params.get("children", "").split(","))
            if age is not None
        )[:MAX_CHILDREN],
        room_type=room_type if room_type and _SLUG.match(room_type) else None,
    )


def _int_in(raw: str | None, low: int, high: int) -> int | None:
    if raw is None or not raw.strip().isdigit():
        return None
    value = int(raw)
    return value if low <= value <= high else None


def new_nonce() -> str:
    """A fresh CSP nonce for one response."""
    return secrets.token_urlsafe(18)


#: Where Stripe.js and its frames live (Stripe's security guide); allowed only when the
#: provider is Stripe.
STRIPE_SCRIPTS = ("https://js.stripe.com", "https://*.js.stripe.com")
STRIPE_FRAMES = ("https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com")
STRIPE_CONNECT = "https://api.stripe.com"


#: How long the console's preview of the widget may frame it (seconds).
PREVIEW_SECONDS = 3600


def _preview_mac(secret_key: str, slug: str, until: int) -> str:
    message = f"widget preview\n{slug}\n{until}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def preview_token(secret_key: str, slug: str, now: float | None = None) -> str:
    """A token the owner's console puts in the widget page's address so that the console
    (the service's own origin) may frame it for an hour: the Website page's preview."""
    until = int(time.time() if now is None else now) + PREVIEW_SECONDS
    return f"{until}.{_preview_mac(secret_key, slug, until)}"


def preview_allowed(secret_key: str, slug: str, token: str | None) -> bool:
    """Whether ``token`` is a live `preview_token` for ``slug``."""
    until, _, mac = (token or "").partition(".")
    if not until.isdigit() or int(until) < time.time() or not secret_key:
        return False
    return hmac.compare_digest(mac, _preview_mac(secret_key, slug, int(until)))


def _ancestors(policy: EmbedPolicy, preview: bool) -> str:
    """Who may frame the widget page: the allowed origins, and the service itself for the
    console's preview (a signed token, see `preview_token`)."""
    allowed = policy.frame_ancestors()
    if not preview:
        return allowed
    return "'self'" if allowed == "'none'" else f"{allowed} 'self'"


def widget_csp(policy: EmbedPolicy, nonce: str, *, stripe: bool, preview: bool = False) -> str:
    """The Content-Security-Policy of the widget page: our own nonce'd scripts and styles,
    calls to our own API, Stripe only with the Stripe provider, and framing only by the
    property's allowed origins."""
    script = [f"'nonce-{nonce}'"]
    frame = ["'none'"]
    connect = ["'self'"]
    if stripe:
        script.extend(STRIPE_SCRIPTS)
        frame = list(STRIPE_FRAMES)
        connect.append(STRIPE_CONNECT)
    directives = [
        "default-src 'none'",
        f"script-src {' '.join(script)}",
        f"style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data:",
        "font-src 'self'",
        f"connect-src {' '.join(connect)}",
        f"frame-src {' '.join(frame)}",
        "base-uri 'none'",
        "form-action 'none'",
        f"frame-ancestors {_ancestors(policy, preview)}",
    ]
    return "; ".join(directives)


# ------------------------------------------------------------------ CORS


class OriginLookup:
    """Reads which origins a public path's property allows, from Postgres."""

    def __init__(self, pool: AsyncConnectionPool[Conn]) -> None:
        self.pool = pool

    async def allowed(self, *, slug: str | None, hold: str | None) -> frozenset[str]:
        """The allowed origins of property ``slug``, or of the property of hold ``hold``;
        empty when there is no such property or hold (or Postgres is away: the request
        itself will then answer 404 or 503, without CORS headers)."""
        try:
            async with self.pool.connection() as conn:
                if slug is not None:
                    policy = await embed_policy(conn, slug)
                    return policy.allowed_origins if policy else frozenset()
                assert hold is not None
                cur = await conn.execute(
                    queries("embedding")["hold_property_origins"], {"id": UUID(hold)}
                )
                row = await cur.fetchone()
                return _normalised(row["allowed_origins"]) if row else frozenset()
        except Exception as exc:  # never turn a CORS lookup into a 500 of its own
            log.warning("CORS origin lookup failed: %s", exc)
            return frozenset()


class PublicApiCors:
    """CORS for ``/api/v1/properties/{slug}/…`` and ``/api/v1/holds/{id}/…``, allowing
    exactly the origins of the property concerned, preflight included; and the origin check
    of every write.

    The widget itself calls the API from its own (same) origin and needs none of the CORS;
    it is for owners' and QA's own scripts on an allowed site. No cookies are involved, so
    credentials are never allowed.

    A write (any method but GET, HEAD and OPTIONS) that carries an ``Origin`` must come from
    the service itself (its public URL, or the Host it was asked on) or from an origin the
    property concerned allows; anything else is 403 ``origin_not_allowed`` before the body is
    read. A browser always sends ``Origin`` with a cross-site POST, even a "simple" one that
    needs no preflight; servers, QA scripts and curl send none and are not affected.
    """

    def __init__(
        self, lookup: Callable[[Scope], OriginLookup], public_url: str | None = None
    ) -> None:
        """``lookup`` gives the request's `OriginLookup` (on the pool of the app's services)."""
        self.lookup = lookup
        self.public_origin = normalise_origin(_origin_of(public_url)) if public_url else None

    async def admit(self, scope: Scope, send: Send) -> Send | None:
        """The ``send`` the app answers through (with the CORS headers of a public path), or
        None when the request was answered here (a preflight, a write refused)."""
        origin = _header(scope, b"origin")
        if origin is None:
            return send
        path: str = scope["path"]
        if _EMBED_CHECK.match(path):
            return send
        match = _PUBLIC_PATH.match(path)
        allowed = match is not None and origin_allowed(
            await self.lookup(scope).allowed(slug=match["slug"], hold=match["hold"]), origin
        )
        method = scope.get("method")
        if match and method == "OPTIONS" and _header(scope, b"access-control-request-method"):
            await _preflight(send, origin if allowed else None)
            return None
        if method not in _SAFE_METHODS and not allowed and not self._own(scope, origin):
            await _refuse_origin(send)
            return None
        if match is None:
            return send
        return _with_cors(send, origin if allowed else None)

    def _own(self, scope: Scope, origin: str) -> bool:
        """True if ``origin`` is the service's own: its public URL, or the Host asked."""
        normal = normalise_origin(origin)
        if normal is None:
            return False
        if normal == self.public_origin:
            return True
        host = _header(scope, b"host")
        scheme = normal.partition(":")[0]
        return host is not None and normalise_origin(f"{scheme}://{host}") == normal


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def _refuse_origin(send: Send) -> None:
    body = msgspec.json.encode(
        error_body(
            "origin_not_allowed",
            "This property does not allow writes from the site this request came from.",
        )
    )
    start: Any = {
        "type": "http.response.start",
        "status": 403,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"vary", b"Origin"),
        ],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _cors_headers(origin: str) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": ", ".join(EXPOSE_HEADERS),
    }


async def _preflight(send: Send, origin: str | None) -> None:
    """Answer a preflight: 204 with the allowances for an allowed origin, 403 otherwise."""
    headers: dict[str, str] = {"Vary": "Origin", "Content-Length": "0"}
    if origin is not None:
        headers |= _cors_headers(origin) | {
            "Access-Control-Allow-Methods": ", ".join(ALLOW_METHODS),
            "Access-Control-Allow-Headers": ", ".join(ALLOW_HEADERS),
            "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE),
        }
    start: Any = {
        "type": "http.response.start",
        "status": 204 if origin is not None else 403,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    await send(start)
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def _with_cors(send: Send, origin: str | None) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableScopeHeaders.from_message(message)
            # The answer differs by Origin: caches must keep them apart (once is enough).
            if "origin" not in headers.get("vary", "").lower():
                headers.add("Vary", "Origin")
            if origin is not None:
                for name, value in _cors_headers(origin).items():
                    headers[name] = value
        await send(message)

    return wrapped
