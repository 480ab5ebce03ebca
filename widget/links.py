"""The service's own address, as guests see it: the one place links are built from.

Links go into e-mails and into the widget's address, so they never follow a request's
``Host`` header (``Host: evil.example`` would send a guest's manage link to that site).
Production sets INNKEEP_PUBLIC_URL (settings refuse to start without it); ``innkeep serve``
and ``innkeep demo`` fill it in from the address they listen on elsewhere.
"""

from __future__ import annotations

from widget.settings import Settings

#: Where a service with no configured address listens by default (``innkeep serve``'s port).
DEFAULT_LISTENING = ("127.0.0.1", 8000)


def listening_url(host: str, port: int) -> str:
    """The URL of a service listening on ``host``:``port`` of this machine."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def site_url(settings: Settings) -> str:
    """The origin guests reach the service on, without a trailing slash."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    return listening_url(*DEFAULT_LISTENING)


def manage_url(site: str, reference: str, key: str) -> str:
    """The guest's unguessable link to their booking (in the e-mail and the confirm answer)."""
    return f"{site.rstrip('/')}/manage/{reference}?key={key}"
