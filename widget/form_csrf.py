"""CSRF for the service's HTML forms (the guest's manage page, the owner's console):
Litestar's `CSRFMiddleware` (a double-submit cookie signed with ``INNKEEP_SECRET_KEY``,
which every worker shares), set up per area of the site with its own cookie path.

A form without its token, or with one that does not match the cookie, is refused with
403 ``csrf_failed`` (`widget.http_errors`) before its handler runs.
"""

from __future__ import annotations

from typing import Literal

from litestar.config.csrf import CSRFConfig
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from widget.state import Services


def form_csrf(cookie_path: str, samesite: Literal["lax", "strict"] = "strict") -> type:
    """An ASGI middleware class checking the CSRF token of every unsafe request under
    ``cookie_path`` (the cookie is sent there only), configured on first use with the
    service's secret key."""

    class FormCSRF:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app
            self.inner: CSRFMiddleware | None = None

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if self.inner is None:
                services: Services = scope["litestar_app"].state["services"]  # widget.app's
                self.inner = CSRFMiddleware(
                    self.app,
                    CSRFConfig(
                        secret=services.settings.secret_key,
                        cookie_path=cookie_path,
                        cookie_secure=services.settings.env == "production",
                        cookie_samesite=samesite,
                    ),
                )
            await self.inner(scope, receive, send)

    FormCSRF.__name__ = FormCSRF.__qualname__ = f"FormCSRF[{cookie_path}]"
    return FormCSRF
