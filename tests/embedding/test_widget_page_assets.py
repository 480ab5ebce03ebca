"""The widget page's own modules and stylesheet, as a guest's browser fetches them."""

from __future__ import annotations

import gzip
import re

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.helpers import DEMO_TOML
from widget.paths import STATIC_DIR
from widget.property_apply import apply_property
from widget.property_file import parse_property

Client = AsyncTestClient  # type: ignore[type-arg]

#: DESIGN: size is a feature. The widget's own JS and CSS, each file gzipped at level 9 as
#: served, added up: 29.3 KB when the modules were split out (JSDoc types included).
WIDGET_BUDGET = 32 * 1024

IMPORT = re.compile(r"""^import [^'"]*['"](\./[\w-]+\.js)['"]""", re.MULTILINE)


@pytest.fixture
def demo(database_url: str, clean: None) -> None:
    with psycopg.connect(database_url) as conn:
        apply_property(conn, parse_property(DEMO_TOML))


def test_the_widgets_own_js_and_css_fit_their_budget() -> None:
    files = [*sorted((STATIC_DIR / "widget").glob("*.js")), STATIC_DIR / "widget" / "widget.css"]
    sizes = {f.name: len(gzip.compress(f.read_bytes(), compresslevel=9)) for f in files}
    total = sum(sizes.values())
    assert total <= WIDGET_BUDGET, f"the widget's JS and CSS are {total} bytes gzipped: {sizes}"


async def test_every_module_is_preloaded_with_the_pages_nonce(client: Client, demo: None) -> None:
    page = await client.get("/embed/demo")
    nonce = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"])
    assert nonce
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)" nonce="([^"]+)">', page.text)
    assert {n for _, n in preloaded} == {nonce[1]}
    urls = {href.replace("&amp;", "&") for href, _ in preloaded}
    # Whatever a module imports is preloaded too: no round trip waits on another.
    for module in (STATIC_DIR / "widget").glob("*.js"):
        for imported in IMPORT.findall(module.read_text()):
            assert any(u.startswith(f"/static/widget/{imported[2:]}?v=") for u in urls), imported
    entry = re.search(r'<script type="module" src="([^"]+)" nonce="([^"]+)"></script>', page.text)
    assert entry and entry[2] == nonce[1] and entry[1] in urls
    for url in urls:
        served = await client.get(url)
        assert served.status_code == 200 and "javascript" in served.headers["content-type"]


async def test_the_page_gives_the_currencys_digits(client: Client, demo: None) -> None:
    page = await client.get("/embed/demo")
    assert '"currency_exponents":{"EUR":2}' in page.text.replace(" ", "")
