"""Signing in and out of the console: the session cookie, rotation, logout, redirects."""

from __future__ import annotations

import re
from typing import Any

import psycopg

from tests.console.conftest import OWNER, PASSWORD, STAFF, add_account, csrf_of, log_in
from tests.helpers import property_toml
from widget.properties.apply import apply_property
from widget.properties.file import parse_property


async def test_the_login_page_has_its_form(app_client: Any) -> None:
    page = await app_client.get("/admin/login")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for testid in ("login-email", "login-password", "login-submit"):
        assert f'data-testid="{testid}"' in page.text
    assert "cdn" not in page.text.lower()
    assert '<script src="/static/console/htmx.min.js"' in page.text


async def test_an_owner_signs_in_and_lands_on_their_property(app_client: Any) -> None:
    answer = await log_in(app_client, OWNER)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/"
    cookie = answer.headers["set-cookie"].lower()
    assert "innkeep_console=" in cookie
    assert "path=/admin;" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # not production: the test client speaks plain HTTP
    home = await app_client.get("/admin/", follow_redirects=False)
    assert home.status_code == 303
    assert home.headers["location"] == "/admin/demo/"


async def test_a_user_of_several_properties_sees_exactly_theirs_with_a_link_to_each(
    signed_in: Any, people: psycopg.Connection[Any], password_hash: str
) -> None:
    apply_property(people, parse_property(property_toml("third")))
    for slug, name in (("third", "Villa Terza"), ("other", "Pensione Altra")):
        people.execute("UPDATE property SET name = %s WHERE slug = %s", (name, slug))
    add_account(people, OWNER, "third", "staff", password_hash)
    client = await signed_in(OWNER)
    home = await client.get("/admin/", follow_redirects=False)
    assert home.status_code == 200, home.headers.get("location")
    listed = home.text.split('data-testid="properties"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a> <span class="muted">\(([^)]+)\)', listed)
    assert sorted(links) == [
        ("/admin/demo/", "Casa Lanterna", "owner"),
        ("/admin/third/", "Villa Terza", "staff"),
    ]
    assert "Pensione Altra" not in home.text and "/admin/other/" not in home.text
    for href, name, _ in links:
        today = await client.get(href)
        assert today.status_code == 200 and name in today.text


async def test_a_wrong_password_or_unknown_account_is_refused_alike(app_client: Any) -> None:
    wrong = await log_in(app_client, OWNER, password="not the password")
    unknown = await log_in(app_client, "nobody@example.com")
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert 'data-testid="login-error"' in answer.text
        assert "innkeep_console" not in answer.headers.get("set-cookie", "")
    assert (await app_client.get("/admin/", follow_redirects=False)).status_code == 303


async def test_without_a_session_every_page_goes_to_the_login(app_client: Any) -> None:
    for path in ("/admin/", "/admin/demo/", "/admin/other/", "/admin/nowhere/"):
        answer = await app_client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/admin/login?next="), path


async def test_after_login_the_user_goes_where_they_were_going(app_client: Any) -> None:
    answer = await log_in(app_client, STAFF, next="/admin/demo/calendar?month=2027-05")
    assert answer.headers["location"] == "/admin/demo/calendar?month=2027-05"


async def test_login_never_sends_the_user_to_another_site(app_client: Any) -> None:
    for target in ("https://evil.example/", "//evil.example/admin/", "/admin/\\\\evil", "/x"):
        answer = await log_in(app_client, STAFF, next=target)
        assert answer.headers["location"] == "/admin/", target


async def test_login_rotates_the_session(app_client: Any, people: psycopg.Connection[Any]) -> None:
    first = await log_in(app_client, OWNER)
    old = app_client.cookies.get("innkeep_console")
    second = await log_in(app_client, OWNER)
    assert first.status_code == second.status_code == 303
    new = app_client.cookies.get("innkeep_console")
    assert old and new and old != new
    sessions = people.execute("SELECT count(*) FROM console_session").fetchone()
    assert sessions == (1,)  # the old session ended: a planted token never signs in


async def test_logout_ends_the_session(app_client: Any, people: psycopg.Connection[Any]) -> None:
    await log_in(app_client, OWNER)
    token = app_client.cookies.get("innkeep_console")
    page = await app_client.get("/admin/login?next=/admin/demo/", follow_redirects=True)
    assert 'data-testid="logout"' in page.text
    answer = await app_client.post(
        "/admin/logout", data={"_csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/admin/login")
    # The token itself is dead, not only the cookie: a copy of it opens nothing.
    app_client.cookies.set("innkeep_console", token, path="/admin")
    again = await app_client.get("/admin/demo/", follow_redirects=False)
    assert again.status_code == 303
    assert people.execute("SELECT count(*) FROM console_session").fetchone() == (0,)


async def test_a_form_without_its_csrf_token_is_refused(app_client: Any) -> None:
    await app_client.get("/admin/login")
    answer = await app_client.post(
        "/admin/login", data={"email": OWNER, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 403
    assert answer.json()["error"] == "csrf_failed"


async def test_signing_out_everywhere_ends_every_session_of_the_account(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    await log_in(app_client, OWNER)
    first = app_client.cookies.get("innkeep_console")
    app_client.cookies.clear()
    await log_in(app_client, OWNER)  # a second browser
    app_client.cookies.clear()
    await log_in(app_client, STAFF)  # someone else's session stays
    app_client.cookies.clear()
    assert people.execute("SELECT count(*) FROM console_session").fetchone() == (3,)
    app_client.cookies.set("innkeep_console", first, path="/admin")
    account = await app_client.get("/admin/account")
    assert 'data-testid="logout-everywhere"' in account.text
    await app_client.post(
        "/admin/logout", data={"everywhere": "1", "_csrf_token": csrf_of(account.text)}
    )
    left = people.execute(
        "SELECT u.email FROM console_session s JOIN console_user u ON u.id = s.user_id"
    ).fetchall()
    assert left == [(STAFF,)]


def test_the_session_cookie_is_secure_in_production() -> None:
    from widget.console.login import session_cookie
    from widget.settings import Settings

    cookie = session_cookie(Settings(env="production"), "token")
    assert cookie.secure and cookie.httponly and cookie.samesite == "lax"
    assert cookie.path == "/admin"
    assert not session_cookie(Settings(env="development"), "token").secure
