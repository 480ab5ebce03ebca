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
