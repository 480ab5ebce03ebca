"""A client of the testing API (``/api/testing/v1``) of a deployment in test mode.

Standard library only, so journeys and plugins can use it without another dependency.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


class TestingApiError(RuntimeError):
    """The testing API refused a call; the message carries its status and error body."""


@dataclass(frozen=True)
class TestingApi:
    """``TestingApi("https://booking.example", token)``: create, age and delete disposable
    properties, and read the e-mails their bookings wrote."""

    service: str
    token: str
    timeout: float = 30.0

    def _call(
        self, method: str, path: str, body: bytes | None = None, media: str | None = None
    ) -> Any:
        request = urllib.request.Request(  # noqa: S310 - the URL is the caller's service
            f"{self.service.rstrip('/')}/api/testing/v1{path}", data=body, method=method
        )
        request.add_header("Authorization", f"Bearer {self.token}")
        if media:
            request.add_header("Content-Type", media)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")
            raise TestingApiError(f"{method} {path}: {error.code} {detail}") from None

    def create_property(self, toml: str) -> dict[str, Any]:
        """Create a disposable property from a property file; its ``slug`` (``qa-…``)."""
        return dict(self._call("POST", "/properties", toml.encode(), "application/toml"))

    def delete_property(self, slug: str) -> None:
        """Delete a disposable property with everything it holds."""
        self._call("DELETE", f"/properties/{slug}")

    def advance_clock(self, slug: str, seconds: int) -> dict[str, Any]:
        """Move the property's clock forward: its holds lapse, its "today" moves."""
        body = json.dumps({"seconds": seconds}).encode()
        return dict(self._call("POST", f"/properties/{slug}/clock", body, "application/json"))

    def emails(self, slug: str) -> list[dict[str, Any]]:
        """The e-mails the outbox wrote about the property's bookings, oldest first."""
        return list(self._call("GET", f"/properties/{slug}/emails"))
