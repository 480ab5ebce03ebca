"""The API docs page (``/schema``): Swagger UI served from our own assets, never a CDN.

The files come from the ``swagger-ui-bundle`` package (the swagger-ui dist, installed from
PyPI with the service), so the page works offline and loads no third-party script."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle  # type: ignore[import-untyped]
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router

#: Where the Swagger UI files are served.
ASSETS_PATH = "/api-docs/assets"
ASSETS_DIR = Path(swagger_ui_bundle.swagger_ui_path)


def swagger_ui() -> SwaggerRenderPlugin:
    """The render plugin pointed at our own copy of Swagger UI."""
    return SwaggerRenderPlugin(
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
    )


def swagger_assets() -> Router:
    """The static route for `swagger_ui`'s files."""
    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[ASSETS_DIR],
        name="api-docs-assets",
        include_in_schema=False,
        cache_control=CacheControlHeader(public=True, max_age=3600),
    )
