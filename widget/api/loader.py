"""``GET /widget.js``: the loader script a guesthouse pastes into its website."""

from __future__ import annotations

from litestar import Controller, Response, get

from widget.paths import STATIC_DIR


class LoaderController(Controller):
    include_in_schema = False

    @get("/widget.js", operation_id="widgetLoader", cache=False)
    async def loader(self) -> Response[bytes]:
        """Served with a short cache so owners get fixes within minutes."""
        body = (STATIC_DIR / "widget.js").read_bytes()
        return Response(
            body,
            media_type="application/javascript; charset=utf-8",
            headers={
                "Cache-Control": "public, max-age=300",
                # Any site may load the script; whether it may embed a property is asked later.
                "Access-Control-Allow-Origin": "*",
                "Cross-Origin-Resource-Policy": "cross-origin",
            },
        )
