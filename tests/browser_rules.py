"""What a browser adds to a request that the HTTP test client does not: tests of HTML forms
send it too, so a page whose form no browser could submit fails here, not in production."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def form_origin(page: Any) -> str:
    """The ``Origin`` a browser sends when a form of ``page`` (an httpx response) posts back
    to its own site: ``null`` under ``Referrer-Policy: no-referrer`` (the Fetch standard's
    "serializing a request origin"), else the page's own origin."""
    if page.headers.get("referrer-policy", "").strip().lower() == "no-referrer":
        return "null"
    url = urlsplit(str(page.url))
    return f"{url.scheme}://{url.netloc}"
