"""``GET /widget.js``: the loader script a guesthouse pastes into its website."""

from __future__ import annotations

import json
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from litestar import Controller, Request, Response, get

from widget.api.page_assets import without_comment_lines
from widget.embedding import properties_allowing
from widget.paths import STATIC_DIR
from widget.state import ServicesDep

#: Where the loader takes the properties that allow the page asking (`loader_source`).
HINT = "/*innkeep:allowed*/[]"


@cache
def loader_source() -> str:
    """``static/widget.js`` without its whole-line comments (they are for readers: a quarter
    of the bytes), once per process."""
    source = without_comment_lines((STATIC_DIR / "widget.js").read_text())
    if source.count(HINT) != 1:
        raise RuntimeError(f"static/widget.js must hold {HINT} exactly once")
    return source


def _page_origin(request: Request[Any, Any, Any]) -> str | None:
    """The origin of the page that asked for the loader, from its ``Referer`` (browsers send
    at least the origin to another site, unless the page's referrer policy says not to)."""
    parts = urlsplit(request.headers.get("referer", ""))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


class LoaderController(Controller):
    include_in_schema = False

    @get("/widget.js", operation_id="widgetLoader", cache=False)
    async def loader(
        self, request: Request[Any, Any, Any], services: ServicesDep
    ) -> Response[bytes]:
        """Served with a short cache so owners get fixes within minutes. It names the
        properties that allow the page asking (decision 17): for those the loader asks for
        the widget page beside the embed check, which still decides what is shown."""
        origin = _page_origin(request)
        allowing = await properties_allowing(services.pool, origin) if origin else []
        body = loader_source().replace(HINT, json.dumps(allowing, separators=(",", ":")))
        return Response(
            body.encode(),
            media_type="application/javascript; charset=utf-8",
            headers={
                "Cache-Control": "public, max-age=300",
                # The hint depends on the page asking: a shared cache must keep them apart.
                "Vary": "Referer",
                # Any site may load the script; whether it may embed a property is asked later.
                "Access-Control-Allow-Origin": "*",
                "Cross-Origin-Resource-Policy": "cross-origin",
            },
        )
