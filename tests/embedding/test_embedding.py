"""Who may embed a property: the embed check, the widget page's CSP and per-property CORS."""

from __future__ import annotations

import json
import re

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import with_settings
from tests.helpers import DEMO_TOML, add_reservation
from widget.app import create_app
from widget.db import create_pool
from widget.embedding import OriginLookup
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings

SITE = "http://127.0.0.1:8001"  # listed in properties/demo.toml
STRANGER = "https://copycat.example"

Client = AsyncTestClient  # type: ignore[type-arg]


@pytest.fixture
def demo(database_url: str, clean: None) -> None:
    with psycopg.connect(database_url) as conn:
        apply_property(conn, parse_property(DEMO_TOML))


def _config(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="innkeep-config">(.*?)</script>', html)
    assert found, "the widget page carries its configuration"
    return json.loads(found[1])  # type: ignore[no-any-return]


async def test_an_allowed_site_learns_where_the_widget_is(client: Client, demo: None) -> None:
    response = await client.get("/api/v1/properties/demo/embed", headers={"Origin": SITE})
    assert response.status_code == 200
    body = response.json()
    assert body["allowed"] is True
    assert body["widget_url"].endswith("/embed/demo")
    assert body["label"] == "Book now" and body["close"] == "Close"
    assert body["notice"] is None
    assert response.headers["access-control-allow-origin"] == SITE
    assert "Origin" in response.headers["vary"]


async def test_a_site_not_on_the_list_is_told_plainly(client: Client, demo: None) -> None:
    response = await client.get("/api/v1/properties/demo/embed", headers={"Origin": STRANGER})
    assert response.status_code == 200
    body = response.json()
    assert body["allowed"] is False
    assert body["widget_url"] is None
    assert "not allowed" in body["notice"] and "Casa Lanterna" in body["notice"]
    # Readable by the page that asked, so its loader can show the notice.
    assert response.headers["access-control-allow-origin"] == STRANGER


async def test_origins_compare_as_browsers_send_them(client: Client, demo: None) -> None:
    response = await client.get(
        "/api/v1/properties/demo/embed", headers={"Origin": "HTTP://LOCALHOST:8001"}
    )
    assert response.json()["allowed"] is True
    other_port = await client.get(
        "/api/v1/properties/demo/embed", headers={"Origin": "http://localhost:8002"}
    )
    assert other_port.json()["allowed"] is False


async def test_a_request_without_origin_is_not_allowed(client: Client, demo: None) -> None:
    response = await client.get("/api/v1/properties/demo/embed")
    assert response.json()["allowed"] is False


async def test_the_label_and_notice_speak_the_language_asked(client: Client, demo: None) -> None:
    response = await client.get(
        "/api/v1/properties/demo/embed?lang=de", headers={"Origin": STRANGER}
    )
    assert response.json()["label"] == "Jetzt buchen"
    assert "Diese Website" in response.json()["notice"]


async def test_an_unknown_property_is_a_readable_404(client: Client, demo: None) -> None:
    response = await client.get("/api/v1/properties/nowhere/embed", headers={"Origin": SITE})
    assert response.status_code == 404
    assert "nowhere" in response.json()["message"]
    assert response.headers["access-control-allow-origin"] == SITE


async def test_the_widget_page_may_be_framed_only_by_allowed_origins(
    client: Client, demo: None
) -> None:
    response = await client.get(f"/embed/demo?origin={SITE}&id=w1")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = dict(
        part.strip().split(" ", 1)
        for part in response.headers["content-security-policy"].split(";")
    )
    assert set(csp["frame-ancestors"].split()) == {"http://127.0.0.1:8001", "http://localhost:8001"}
    # Scripts run only with this response's nonce: no inline handlers, no other hosts.
    nonce = re.search(r"'nonce-([^']+)'", csp["script-src"])
    assert nonce and csp["script-src"] == f"'nonce-{nonce[1]}'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    # Every script and style element that runs or applies carries it (the configuration is
    # JSON, which a browser never runs).
    tags = re.findall(r"<(?:script|style)\b[^>]*>", response.text)
    running = [t for t in tags if 'type="application/json"' not in t]
    assert len(running) >= 2 and all(f'nonce="{nonce[1]}"' in tag for tag in running), running
    # The demo provider needs nothing from Stripe.
    assert "stripe" not in response.headers["content-security-policy"]
    config = _config(response.text)
    assert config["parent_origin"] == SITE
    assert config["widget_id"] == "w1"


async def test_each_page_gets_a_fresh_nonce(client: Client, demo: None) -> None:
    first = await client.get("/embed/demo")
    second = await client.get("/embed/demo")
    nonce = re.compile(r"'nonce-([^']+)'")
    assert nonce.search(first.headers["content-security-policy"])
    assert nonce.search(first.headers["content-security-policy"]) != nonce.search(
        second.headers["content-security-policy"]
    )
    assert first.headers["cache-control"] == "no-store"


async def test_the_stripe_provider_lets_stripe_js_in(
    settings: Settings, clean: None, demo: None
) -> None:
    stripe = with_settings(
        settings,
        payment_provider="stripe",
        stripe_secret_key="sk_test_x",
        stripe_publishable_key="pk_test_x",
        stripe_webhook_secret="whsec_x",
    )
    async with AsyncTestClient(app=create_app(stripe)) as client:
        response = await client.get("/embed/demo")
    csp = response.headers["content-security-policy"]
    assert "script-src 'nonce-" in csp and "https://js.stripe.com" in csp
    assert "frame-src https://js.stripe.com" in csp


async def test_a_page_claiming_another_parent_gets_no_widget(client: Client, demo: None) -> None:
    response = await client.get(f"/embed/demo?origin={STRANGER}")
    assert response.status_code == 403
    assert "innkeep-config" not in response.text
    assert "not allowed" in response.text


async def test_the_widget_page_of_an_unknown_property_is_404(client: Client, demo: None) -> None:
    response = await client.get("/embed/nowhere")
    assert response.status_code == 404


async def test_the_owner_s_look_is_applied_and_nothing_else(client: Client, demo: None) -> None:
    good = await client.get("/embed/demo?accent=%23aa3300&font=Fira%20Sans&radius=4&lang=it")
    assert "--accent: #aa3300;" in good.text
    assert '--font: "Fira Sans"' in good.text
    assert "--radius: 4px;" in good.text
    assert '<html lang="it">' in good.text
    assert _config(good.text)["messages"]["book_now"] == "Prenota ora"  # type: ignore[index]
    evil = await client.get(
        "/embed/demo?accent=red;}</style><script>alert(1)</script>&font=x%22;}&radius=999"
    )
    assert evil.status_code == 200
    assert "alert(1)" not in evil.text
    # The page's styles are the widget's own, as with no options at all: nothing of the
    # query reached them.
    plain = await client.get("/embed/demo")
    styles = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL)
    assert styles.findall(evil.text) == styles.findall(plain.text)
    assert len(styles.findall(plain.text)) == 1


async def test_the_widget_speaks_the_property_s_language_by_default(
    client: Client, database_url: str, clean: None
) -> None:
    with psycopg.connect(database_url) as conn:
        apply_property(conn, parse_property(DEMO_TOML.replace('locale = "en"', 'locale = "fr"')))
    response = await client.get("/embed/demo")
    assert '<html lang="fr">' in response.text
    assert _config(response.text)["options"] == {
        "language": "fr",
        "adults": None,
        "children": [],
        "room_type": None,
    }


async def test_the_public_api_answers_allowed_origins_only(client: Client, demo: None) -> None:
    allowed = await client.get("/api/v1/properties/demo", headers={"Origin": SITE})
    assert allowed.headers["access-control-allow-origin"] == SITE
    exposed = {h.strip() for h in allowed.headers["access-control-expose-headers"].split(",")}
    assert {
        "X-Hold-Token",
        "X-Innkeep-Session",
        "Idempotency-Key",
        "ETag",
        "Retry-After",
    } <= exposed
    assert "Origin" in allowed.headers["vary"]
    assert "access-control-allow-credentials" not in allowed.headers

    refused = await client.get("/api/v1/properties/demo", headers={"Origin": STRANGER})
    assert refused.status_code == 200  # the browser, not the server, withholds the answer
    assert "access-control-allow-origin" not in refused.headers


async def test_errors_are_readable_by_an_allowed_origin(client: Client, demo: None) -> None:
    response = await client.post(
        "/api/v1/properties/demo/quotes",
        json={"room_type": "no-such-room", "check_in": "2030-05-01", "check_out": "2030-05-03"},
        headers={"Origin": SITE},
    )
    assert 400 <= response.status_code < 500
    assert response.headers["access-control-allow-origin"] == SITE


async def test_a_preflight_is_answered_per_property(client: Client, demo: None) -> None:
    ask = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, idempotency-key, x-innkeep-session",
    }
    ok = await client.options("/api/v1/properties/demo/quotes", headers={"Origin": SITE, **ask})
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == SITE
    assert "POST" in ok.headers["access-control-allow-methods"]
    assert "DELETE" in ok.headers["access-control-allow-methods"]
    allowed_headers = ok.headers["access-control-allow-headers"].lower()
    for header in ("content-type", "idempotency-key", "x-innkeep-session", "x-hold-token"):
        assert header in allowed_headers
    assert int(ok.headers["access-control-max-age"]) > 0

    refused = await client.options(
        "/api/v1/properties/demo/quotes", headers={"Origin": STRANGER, **ask}
    )
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers


async def test_another_property_s_origins_do_not_count(
    client: Client, database_url: str, clean: None
) -> None:
    other = DEMO_TOML.replace('slug = "demo"', 'slug = "other"').replace(
        'allowed_origins = ["http://127.0.0.1:8001", "http://localhost:8001"]',
        'allowed_origins = ["https://other-inn.example"]',
    )
    with psycopg.connect(database_url) as conn:
        apply_property(conn, parse_property(DEMO_TOML))
        apply_property(conn, parse_property(other))
    response = await client.get("/api/v1/properties/other", headers={"Origin": SITE})
    assert "access-control-allow-origin" not in response.headers
    response = await client.get(
        "/api/v1/properties/other", headers={"Origin": "https://other-inn.example"}
    )
    assert response.headers["access-control-allow-origin"] == "https://other-inn.example"


def _a_hold(database_url: str) -> str:
    with psycopg.connect(database_url) as conn:
        hold = add_reservation(conn, check_in="2030-05-01", check_out="2030-05-03", status="held")
        return str(hold)


async def test_a_hold_s_paths_answer_its_property_s_origins(
    client: Client, database_url: str, demo: None
) -> None:
    hold_id = _a_hold(database_url)
    ask = {
        "Access-Control-Request-Method": "DELETE",
        "Access-Control-Request-Headers": "x-hold-token",
    }
    ok = await client.options(f"/api/v1/holds/{hold_id}", headers={"Origin": SITE, **ask})
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == SITE
    refused = await client.options(f"/api/v1/holds/{hold_id}", headers={"Origin": STRANGER, **ask})
    assert refused.status_code == 403
    # A wrong token is still a 404 for an allowed origin, and readable by it.
    answer = await client.delete(
        f"/api/v1/holds/{hold_id}", headers={"Origin": SITE, "X-Hold-Token": "wrong"}
    )
    assert answer.status_code == 404
    assert answer.headers["access-control-allow-origin"] == SITE


async def test_a_hold_s_origins_are_its_property_s(
    database_url: str, clean: None, demo: None
) -> None:
    hold_id = _a_hold(database_url)
    pool = create_pool(database_url, 2)
    await pool.open()
    try:
        lookup = OriginLookup(pool)
        assert await lookup.allowed(slug=None, hold=hold_id) == {
            "http://127.0.0.1:8001",
            "http://localhost:8001",
        }
        unknown = "00000000-0000-0000-0000-000000000000"
        assert await lookup.allowed(slug=None, hold=unknown) == frozenset()
        assert await lookup.allowed(slug="nowhere", hold=None) == frozenset()
    finally:
        await pool.close()
