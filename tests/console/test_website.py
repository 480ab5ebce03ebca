"""The Website page: the snippet with its options, the live preview (the real widget page,
framed by the console only with a signed token), the allowed sites saved as the property
file would save them, and the test page showing what a guest on a site sees."""

from __future__ import annotations

import html
import re
from typing import Any

import psycopg

from tests.console.conftest import OWNER, csrf_of, enter
from widget.properties.apply import apply_property
from widget.properties.export import export_property
from widget.properties.file import parse_property


def _ancestors(answer: Any) -> list[str]:
    policy = answer.headers["content-security-policy"]
    return policy.split("frame-ancestors ")[1].split(";")[0].split()


async def test_the_snippet_carries_the_options_and_the_preview_frames_the_widget(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, OWNER)
    page = await app_client.get(
        "/admin/demo/website",
        params={"lang": "de", "accent": "#aa3300", "radius": "4", "room": "family-suite"},
    )
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert (
        '/widget.js" data-property="demo" data-locale="de" data-accent="#aa3300" '
        'data-radius="4" data-room-type="family-suite" async></script>'
    ) in text
    assert "<div data-innkeep></div>" in text
    # What the widget page would drop never reaches the snippet either.
    odd = html.unescape(
        (
            await app_client.get(
                "/admin/demo/website", params={"accent": "red;}</style>", "radius": "99"}
            )
        ).text
    )
    assert 'data-property="demo" async></script>' in odd and "</style>" not in odd
    frame = re.search(r'<iframe src="([^"]+)"', page.text)
    assert frame is not None
    url = html.unescape(frame[1])
    assert url.startswith("/embed/demo?") and "lang=de" in url and "preview=" in url
    framed = await app_client.get(url)
    assert framed.status_code == 200
    assert "'self'" in _ancestors(framed) and "http://127.0.0.1:8001" in _ancestors(framed)
    # Without the console's token, or with a forged one, only the allowed sites may frame it.
    plain = await app_client.get(url.split("&preview=")[0])
    forged = await app_client.get(re.sub(r"preview=(\d+)\.\w+", r"preview=\1.forged", url))
    for answer in (plain, forged):
        assert answer.status_code == 200 and "'self'" not in _ancestors(answer)


async def test_allowed_sites_are_checked_as_the_file_is_and_survive_export(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, OWNER)
    token = csrf_of((await app_client.get("/admin/demo/website")).text)
    wrong = await app_client.post(
        "/admin/demo/website/origins",
        data={"_csrf_token": token, "origins": "https://casa.example\nhttps://casa.example/book"},
    )
    assert wrong.status_code == 422
    assert "is not an origin like &#39;https://example.com&#39; (no path)" in wrong.text
    assert 'data-field="allowed_origins"' in wrong.text
    assert "https://casa.example/book" in wrong.text  # what was typed stays
    assert "casa.example" not in export_property(people, "demo")
    saved = await app_client.post(
        "/admin/demo/website/origins",
        data={"_csrf_token": token, "origins": "https://casa.example\nHTTP://LOCALHOST:8001\n"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    exported = export_property(people, "demo")
    assert 'allowed_origins = ["https://casa.example", "http://localhost:8001"]' in exported
    assert apply_property(people, parse_property(exported)).changed == []
    check = await app_client.get(
        "/api/v1/properties/demo/embed", headers={"Origin": "https://casa.example"}
    )
    assert check.json()["allowed"] is True


async def test_the_test_page_shows_what_a_guest_on_a_site_sees(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, OWNER)
    elsewhere = await app_client.get(
        "/admin/demo/website/try", params={"origin": "https://elsewhere.example"}
    )
    assert elsewhere.status_code == 200
    assert 'data-testid="test-refused"' in elsewhere.text
    assert "This website is not allowed to show bookings for Casa Lanterna." in elsewhere.text
    assert "<iframe" not in elsewhere.text
    allowed = await app_client.get(
        "/admin/demo/website/try", params={"origin": "http://127.0.0.1:8001", "lang": "it"}
    )
    assert 'data-testid="test-allowed"' in allowed.text
    frame = re.search(r'<iframe src="([^"]+)"', allowed.text)
    assert frame is not None
    widget = await app_client.get(html.unescape(frame[1]))
    assert widget.status_code == 200 and '<html lang="it"' in widget.text


async def test_changing_an_option_brings_the_new_snippets_and_preview_without_a_reload(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, OWNER)
    page = (await app_client.get("/admin/demo/website")).text
    # The options form asks the same URL again as the owner changes an option (htmx)...
    form = re.search(r'<form[^>]*data-testid="widget-options"[^>]*>', page)
    assert form is not None
    assert 'hx-get="/admin/demo/website"' in form[0] and 'hx-target="#preview-frame"' in form[0]
    assert "input changed" in form[0] and 'hx-replace-url="true"' in form[0]
    assert 'src="/static/console/htmx.min.js"' in page
    # ...and gets the preview and the snippets for the options chosen, not the whole page.
    chosen = {"lang": "it", "accent": "#aa3300", "radius": "4", "room": "family-suite"}
    live = await app_client.get(
        "/admin/demo/website", params=chosen, headers={"HX-Request": "true"}
    )
    assert live.status_code == 200
    assert "<html" not in live.text and 'data-testid="allowed-origins"' not in live.text
    assert "HX-Request" in live.headers["vary"]
    text = html.unescape(live.text)
    options = 'data-locale="it" data-accent="#aa3300" data-radius="4" data-room-type="family-suite"'
    inline = re.search(r'<textarea id="snippet-inline"[^>]*>(.*?)</textarea>', text, re.S)
    button = re.search(r'<textarea id="snippet-button"[^>]*>(.*?)</textarea>', text, re.S)
    assert inline is not None and button is not None
    assert options in inline[1] and "<div data-innkeep></div>" in inline[1]
    assert options in button[1]
    # The snippets' text is swapped into the textareas the "Copy" buttons read, and the
    # test form's options into the form (each is in the page, by its id).
    assert text.count('hx-swap-oob="innerHTML"') == 3
    for target in ('<textarea id="snippet-inline"', '<textarea id="snippet-button"'):
        assert target in page
    assert '<span id="test-options">' in page
    assert '<div id="preview-frame"><iframe src="' in page
    frame = re.search(r'<iframe src="([^"]+)"', live.text)
    assert frame is not None
    url = html.unescape(frame[1])
    assert url.startswith("/embed/demo?") and "lang=it" in url and "room=family-suite" in url
    assert (await app_client.get(url)).status_code == 200
    # The test page opens with the same options.
    assert '<input type="hidden" name="lang" value="it">' in text
    assert '<input type="hidden" name="room" value="family-suite">' in text
    # htmx restoring the page from history after a cache miss gets the whole page.
    restored = await app_client.get(
        "/admin/demo/website",
        params=chosen,
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert 'data-testid="allowed-origins"' in restored.text
