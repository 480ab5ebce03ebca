"""Every console page and action, refused as it must be: without a session (to the login
page), to another property's user (404, exactly as a page that does not exist), to staff
where only owners may (403), and every form without its CSRF token (403 csrf_failed)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.routes import HTTPRoute

from tests.console.conftest import OWNER, STAFF, STRANGER, csrf_of, log_in
from widget.app import create_app
from widget.settings import Settings

#: (method, route, who may) for every page and action under /admin/{slug}; a new page or
#: action must be listed (test_every_console_route_is_listed), so it is tested below.
PAGES: list[tuple[str, str, str]] = [
    ("GET", "/admin/{slug:str}", "staff"),
    ("GET", "/admin/{slug:str}/people", "owner"),
    ("POST", "/admin/{slug:str}/people/two-factor", "owner"),
]
#: The concrete path of each route on a property (its test data: see `fill`).
SAMPLES: dict[str, str] = {}
#: Pages that belong to no property.
OPEN = {
    "/admin",
    "/admin/login",
    "/admin/login/code",
    "/admin/logout",
    "/admin/reset",
    "/admin/reset/{token:str}",
    "/admin/account",
    "/admin/account/language",
    "/admin/account/two-factor",
    "/admin/account/two-factor/off",
}


def fill(route: str, slug: str) -> str:
    return SAMPLES.get(route, route).replace("{slug:str}", slug)


def test_every_console_route_is_listed(settings: Settings) -> None:
    app = create_app(settings)
    found = {
        (method, route.path)
        for route in app.routes
        if isinstance(route, HTTPRoute) and route.path.startswith("/admin")
        for method in route.route_handler_map
        if method not in ("HEAD", "OPTIONS") and route.path not in OPEN
    }
    assert found == {(method, route) for method, route, _ in PAGES}


@pytest.mark.parametrize(("method", "route", "role"), PAGES)
async def test_without_a_session_the_answer_is_the_login_page(
    app_client: Any, method: str, route: str, role: str
) -> None:
    form = await app_client.get("/admin/login")
    answer = await app_client.request(
        method,
        fill(route, "demo"),
        data={"_csrf_token": csrf_of(form.text)} if method == "POST" else None,
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/admin/login")


@pytest.mark.parametrize(("method", "route", "role"), PAGES)
async def test_another_propertys_user_sees_nothing(
    app_client: Any, method: str, route: str, role: str
) -> None:
    await log_in(app_client, STRANGER)
    own = await app_client.get("/admin/other/")
    assert own.status_code == 200
    answer = await app_client.request(
        method,
        fill(route, "demo"),
        data={"_csrf_token": csrf_of(own.text)} if method == "POST" else None,
        follow_redirects=False,
    )
    assert answer.status_code == 404
    nowhere = await app_client.get(fill(route, "no-such-place"), follow_redirects=False)
    if method == "GET":  # the same answer as for a property that does not exist
        assert nowhere.status_code == 404
        assert nowhere.text.replace("no-such-place", "demo") == answer.text


@pytest.mark.parametrize(("method", "route", "role"), PAGES)
async def test_staff_do_the_daily_work_and_only_owners_the_rest(
    app_client: Any, method: str, route: str, role: str
) -> None:
    await log_in(app_client, STAFF)
    today = await app_client.get("/admin/demo/")
    answer = await app_client.request(
        method,
        fill(route, "demo"),
        data={"_csrf_token": csrf_of(today.text)} if method == "POST" else None,
        follow_redirects=False,
    )
    if role == "owner":
        assert answer.status_code == 403
        assert 'data-error="owners_only"' in answer.text
    else:
        assert answer.status_code in (200, 303), answer.text


@pytest.mark.parametrize(("method", "route", "role"), PAGES)
async def test_owners_may_open_every_page(
    app_client: Any, method: str, route: str, role: str
) -> None:
    await log_in(app_client, OWNER)
    if method == "GET":
        answer = await app_client.get(fill(route, "demo"), follow_redirects=False)
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "no-store"
        assert "script-src 'self'" in answer.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("method", "route", "role"), [p for p in PAGES if p[0] == "POST"] or [("POST", "", "")]
)
async def test_every_form_needs_its_csrf_token(
    app_client: Any, method: str, route: str, role: str
) -> None:
    await log_in(app_client, OWNER)
    path = fill(route, "demo") if route else "/admin/logout"
    answer = await app_client.post(path, data={}, follow_redirects=False)
    assert answer.status_code == 403
    assert answer.json()["error"] == "csrf_failed"
