"""The property file's ``[[webhooks]]``: where the owner's other tools want to be told.

Each endpoint names a URL, the events it wants and a Standard Webhooks secret
(``whsec_`` and base64), and whether the guest's name and e-mail may travel to it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlsplit

import msgspec
from msgspec import Meta

from widget.properties.secrets import SecretRef

#: Every event an owner may subscribe to (the payloads are described in docs/webhooks.md).
EVENT_TYPES: tuple[str, ...] = (
    "booking.confirmed",
    "booking.cancelled",
    "booking.room_cancelled",
    "sync.conflict",
    "sync.feed_failed",
)
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
#: The Standard Webhooks specification asks for 24 to 64 random bytes.
MIN_SECRET_BYTES, MAX_SECRET_BYTES = 24, 64
MAX_URL_LENGTH = 2000

Fail = Callable[[tuple[str | int, ...], str], Exception]


class WebhookSpec(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """One ``[[webhooks]]`` table of a property file."""

    url: Annotated[str, Meta(min_length=1, max_length=MAX_URL_LENGTH)]
    #: Some of `EVENT_TYPES` (checked by `check_webhooks`, whose message lists them).
    events: Annotated[list[str], Meta(min_length=1)]
    #: ``whsec_`` followed by the base64 of 24 to 64 random bytes; or a reference to the
    #: stored one (``{ kept = "sha256:…" }``, as exported; ``{ env = "NAME" }``), or left
    #: out to keep the stored one (`widget.properties.secrets`).
    secret: Annotated[str, Meta(min_length=1, max_length=200)] | SecretRef | None = None
    #: The guest's name and e-mail go only to endpoints whose owner opted in.
    include_guest: bool = False


def secret_problem(secret: str) -> str | None:
    """Why ``secret`` is not a Standard Webhooks secret, or None if it is one. Never quotes
    the secret: the message reaches terminals and logs."""
    if not secret.startswith(SECRET_PREFIX):
        return f"must start with {SECRET_PREFIX!r} (a Standard Webhooks secret)"
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        # Unpadded base64 is common (and accepted by the standardwebhooks package).
        raw = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        return f"must be {SECRET_PREFIX!r} followed by base64 (A-Z, a-z, 0-9, + and /)"
    if not MIN_SECRET_BYTES <= len(raw) <= MAX_SECRET_BYTES:
        return (
            f"must encode {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} random bytes "
            f"(this one has {len(raw)}); make one with: "
            "python -c \"import base64, os; print('whsec_' + base64.b64encode(os.urandom(32))"
            '.decode())"'
        )
    return None


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot receive webhooks, or None. Where it points is judged when sending
    (on the address actually connected to), not here."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http:// or https:// URL with a host"
    if parts.fragment:
        return "must not have a #fragment"
    try:
        parts.port  # noqa: B018 (a port out of range raises)
    except ValueError:
        return "has an invalid port"
    return None


def check_webhooks(webhooks: list[WebhookSpec], fail: Fail) -> None:
    """Each endpoint's URL, secret and events make sense, and no URL is listed twice."""
    seen: set[str] = set()
    for index, hook in enumerate(webhooks):
        problem = url_problem(hook.url)
        if problem:
            raise fail(("webhooks", index, "url"), problem)
        if hook.url in seen:
            raise fail(("webhooks", index, "url"), "this URL is listed twice")
        seen.add(hook.url)
        problem = secret_problem(hook.secret) if isinstance(hook.secret, str) else None
        if problem:
            raise fail(("webhooks", index, "secret"), problem)
        _check_events(hook.events, index, fail)


def _check_events(events: list[str], index: int, fail: Fail) -> None:
    for position, event in enumerate(events):
        if event not in EVENT_TYPES:
            raise fail(
                ("webhooks", index, "events", position),
                f"unknown event {event!r}: must be one of {', '.join(EVENT_TYPES)}",
            )
        if event in events[:position]:
            raise fail(("webhooks", index, "events", position), f"{event!r} is listed twice")


def shown_url(url: str) -> str:
    """``https://hooks.example.com/catch/123/abc`` → ``https://hooks.example.com/…``: a
    webhook URL's path often is its credential, so logs and terminals get only its host."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if _valid_port(url) and parts.port else ""
    return f"{parts.scheme}://{host}{port}/…"


def _valid_port(url: str) -> bool:
    try:
        urlsplit(url).port  # noqa: B018
    except ValueError:
        return False
    return True
