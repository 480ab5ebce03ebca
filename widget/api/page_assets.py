"""The widget page's own JavaScript modules and stylesheet, as the page links them.

No build step: every module in ``static/widget/`` is served as it is. Each URL carries a
hash of its file (``?v=…``), so a release is fetched at once and, within the cache's hour,
a returning guest asks for nothing. The page preloads every module in its head, so the
browser fetches them in parallel instead of discovering one import after another, and an
import map sends each module's plain imports (``./api.js``) to the same versioned URLs.
"""

from __future__ import annotations

import hashlib
from functools import cache

import msgspec

from widget.paths import STATIC_DIR

#: Where the page's assets are served from (the static files router) and found on disk.
URL_PREFIX = "/static/widget/"
ENTRY = "main.js"
STYLESHEET = "widget.css"


class WidgetAssets(msgspec.Struct, frozen=True):
    """What ``templates/widget/page.html`` links."""

    stylesheet: str
    #: The module the page runs; it imports the others.
    entry: str
    #: Every module, versioned, for ``<link rel="modulepreload">``.
    modules: tuple[str, ...]
    #: ``{"imports": {plain URL: versioned URL}}``, the page's import map.
    import_map: dict[str, dict[str, str]]


def _versioned(name: str) -> str:
    digest = hashlib.sha256((STATIC_DIR / "widget" / name).read_bytes()).hexdigest()
    return f"{URL_PREFIX}{name}?v={digest[:12]}"


@cache
def widget_assets() -> WidgetAssets:
    """The page's assets, hashed once per process (the files change only with a release)."""
    names = sorted(p.name for p in (STATIC_DIR / "widget").glob("*.js"))
    modules = {f"{URL_PREFIX}{name}": _versioned(name) for name in names}
    return WidgetAssets(
        stylesheet=_versioned(STYLESHEET),
        entry=modules[f"{URL_PREFIX}{ENTRY}"],
        modules=tuple(modules.values()),
        import_map={"imports": modules},
    )
