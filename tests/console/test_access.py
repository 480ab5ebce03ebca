"""Every console page and action, refused as it must be: without a session (to the login
page), to another property's user (404, exactly as a page that does not exist), to staff
where only owners may (403), and every form without its CSRF token (403 csrf_failed).

One world for the whole module (the checks change nothing but a lifted block, see
`test_staff_do_the_daily_work_and_only_owners_the_rest`), signed in by sessions made
directly in the database: the login itself is tested in test_login.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pyotp
import pytest
from argon2 import PasswordHasher
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from tests.conftest import TABLES
from tests.console.conftest import (
    OWNER,
    PASSWORD,
    STAFF,
    STRANGER,
    add_account,
    add_booking,
    csrf_of,
)
from tests.helpers import DEMO_TOML, add_reservation, property_toml, stored_quote
from widget.app import create_app
from widget.console.access import signed_in
from widget.inventory.blocks import add_block
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import load_settings
from widget.sql import queries
from widget.tokens import new_token, token_hash

#: (method, route, who may) for every page and action under /admin/{slug}; a new page or
#: action must be listed (test_every_console_route_is_listed), so it is tested below.
PAGES: list[tuple[str, str, str]] = [
    ("GET", "/admin/{slug:str}", "staff"),
    ("GET", "/admin/{slug:str}/calendar", "staff"),
    ("POST", "/admin/{slug:str}/calendar/blocks", "staff"),
    ("POST", "/admin/{slug:str}/calendar/blocks/{block_id:uuid}/lift", "staff"),
    ("GET", "/admin/{slug:str}/bookings/{reference:str}", "staff"),
    ("GET", "/admin/{slug:str}/bookings/{reference:str}/cancel", "staff"),
    ("POST", "/admin/{slug:str}/bookings/{reference:str}/cancel", "staff"),
    ("GET", "/admin/{slug:str}/bookings/{reference:str}/cancel-room", "staff"),
    ("POST", "/admin/{slug:str}/bookings/{reference:str}/cancel-room", "staff"),
    ("GET", "/admin/{slug:str}/bookings/{reference:str}/move", "staff"),
    ("POST", "/admin/{slug:str}/bookings/{reference:str}/move", "staff"),
    ("GET", "/admin/{slug:str}/bookings/{reference:str}/resend", "staff"),
    ("POST", "/admin/{slug:str}/bookings/{reference:str}/resend", "staff"),
    ("GET", "/admin/{slug:str}/bookings/{reference:str}/dates", "staff"),
    ("POST", "/admin/{slug:str}/bookings/{reference:str}/dates", "staff"),
    ("GET", "/admin/{slug:str}/bookings/new", "staff"),
    ("POST", "/admin/{slug:str}/bookings/new", "staff"),
    ("GET", "/admin/{slug:str}/bookings/new/{hold_id:uuid}", "staff"),
    ("POST", "/admin/{slug:str}/bookings/new/{hold_id:uuid}", "staff"),
    ("GET", "/admin/{slug:str}/people", "owner"),
    ("POST", "/admin/{slug:str}/people/two-factor", "owner"),
    ("POST", "/admin/{slug:str}/people/invite", "owner"),
    ("POST", "/admin/{slug:str}/people/remove", "owner"),
    ("GET", "/admin/{slug:str}/rules", "owner"),
    ("POST", "/admin/{slug:str}/rules", "owner"),
    ("GET", "/admin/{slug:str}/reports", "owner"),
    ("GET", "/admin/{slug:str}/reports/{ledger:str}", "owner"),
    ("GET", "/admin/{slug:str}/guests", "staff"),
    # Finding and exporting a guest; erasing and the retention years are owners' (their
    # refusal to staff: tests/console/test_owner_pages.py).
    ("POST", "/admin/{slug:str}/guests", "staff"),
    ("GET", "/admin/{slug:str}/channels", "owner"),
    ("POST", "/admin/{slug:str}/channels/rotate", "owner"),
    ("POST", "/admin/{slug:str}/channels/feeds", "owner"),
    ("POST", "/admin/{slug:str}/channels/feeds/remove", "owner"),
    ("POST", "/admin/{slug:str}/channels/webhooks/{endpoint_id:int}", "owner"),
    ("POST", "/admin/{slug:str}/channels/deliveries/{delivery_id:int}/resend", "owner"),
    ("POST", "/admin/{slug:str}/channels/conflicts/{conflict_id:int}/resolve", "owner"),
    ("GET", "/admin/{slug:str}/rooms", "owner"),
    ("POST", "/admin/{slug:str}/rooms", "owner"),
    ("POST", "/admin/{slug:str}/rooms/{room_type:str}", "owner"),
    ("POST", "/admin/{slug:str}/rooms/{room_type:str}/photos", "owner"),
    ("POST", "/admin/{slug:str}/rooms/photos/{photo_id:int}/remove", "owner"),
    ("POST", "/admin/{slug:str}/rooms/photos/{photo_id:int}/alt", "owner"),
    ("POST", "/admin/{slug:str}/rooms/photos/{photo_id:int}/move", "owner"),
    ("GET", "/admin/{slug:str}/website", "owner"),
    ("POST", "/admin/{slug:str}/website/origins", "owner"),
    ("GET", "/admin/{slug:str}/website/try", "owner"),
]
#: Every console page and action that belongs to no property, and what it needs: a signed-in
#: session ("session"), a session still waiting for its second factor ("pending"), or
#: nothing ("anyone"). A new one must be listed (test_every_console_route_is_listed); the
#: login, reset and invite flows themselves are tested in test_login*.py and test_invites.py.
OPEN_ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/admin"): "session",
    ("GET", "/admin/login"): "anyone",
    ("POST", "/admin/login"): "anyone",
    ("GET", "/admin/login/code"): "pending",
    ("POST", "/admin/login/code"): "pending",
    ("POST", "/admin/logout"): "anyone",
    ("GET", "/admin/reset"): "anyone",
    ("POST", "/admin/reset"): "anyone",
    ("GET", "/admin/reset/{token:str}"): "anyone",
    ("POST", "/admin/reset/{token:str}"): "anyone",
    ("GET", "/admin/invite/{token:str}"): "anyone",
    ("POST", "/admin/invite/{token:str}"): "anyone",
    ("GET", "/admin/account"): "session",
    ("POST", "/admin/account/language"): "session",
    ("POST", "/admin/account/two-factor"): "session",
    ("POST", "/admin/account/two-factor/off"): "session",
}
OPEN = {route for _, route in OPEN_ROUTES}
#: An account with two-factor login on, signed in (and, separately, half signed in).
TWO_FACTOR = "two-factor@example.com"
TOTP_SECRET = pyotp.random_base32()


class World:
    """The module's data: what each route's parameters stand for, and a session each."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        block = add_block(conn, "demo", "Room 2", date(2027, 8, 10), date(2027, 8, 11), "paint")
        conn.commit()
        add_booking(conn, "ACCESS1", "2027-08-01", "2027-08-03")
        hold = add_reservation(
            conn,
            check_in="2027-08-05",
            check_out="2027-08-07",
            unit="Room 3",
            status="held",
            hold_for=timedelta(days=1),
            quote=stored_quote("2027-08-05", "2027-08-07", due_now=100, total=100),
        )
        self.values = {
            "{block_id:uuid}": str(block),
            "{reference:str}": "ACCESS1",
            "{hold_id:uuid}": str(hold),
            "{ledger:str}": "bookings.csv",
            "{delivery_id:int}": "1",
            "{endpoint_id:int}": "1",
            "{conflict_id:int}": "1",
            "{room_type:str}": "double-sea-view",
            "{photo_id:int}": "1",
        }
        self.sessions: dict[str, str] = {}
        self.pending = ""  # a session of TWO_FACTOR waiting for its code
        # Live links, for the forms that take one (what they would change is checked).
        self.reset_token, self.invite_token = new_token(), new_token()
        conn.execute(
            queries("console")["insert_reset"],
            {
                "token_hash": token_hash(self.reset_token),
                "user_id": conn.execute(
                    "SELECT id FROM console_user WHERE email = %s", (STAFF,)
                ).fetchone()[0],  # type: ignore[index]
                "seconds": 86400,
            },
        )
        conn.execute(
            """INSERT INTO console_invite (token_hash, property_id, email, role, invited_by,
                                           expires_at, sent_at)
               SELECT %s, id, 'newcomer@example.com', 'staff', %s, now() + interval '1 day',
                      now()
               FROM property WHERE slug = 'demo'""",
            (token_hash(self.invite_token), OWNER),
        )

    def path(self, route: str, slug: str = "demo") -> str:
        for name, value in self.values.items():
            route = route.replace(name, value)
        return route.replace("{slug:str}", slug)


@pytest.fixture(scope="module")
def world(database_url: str) -> Iterator[World]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
        apply_property(conn, parse_property(DEMO_TOML))
        apply_property(conn, parse_property(property_toml("other")))
        hashed = PasswordHasher().hash(PASSWORD)
        ids = {
            OWNER: add_account(conn, OWNER, "demo", "owner", hashed),
            STAFF: add_account(conn, STAFF, "demo", "staff", hashed),
            STRANGER: add_account(conn, STRANGER, "other", "owner", hashed),
            TWO_FACTOR: add_account(conn, TWO_FACTOR, "demo", "staff", hashed),
        }
        conn.execute(
            "UPDATE console_user SET totp_secret = %s WHERE email = %s", (TOTP_SECRET, TWO_FACTOR)
        )
    with psycopg.connect(database_url) as conn:
        found = World(conn)
        for email, user_id in ids.items():
            token = new_token()
            conn.execute(
                """INSERT INTO console_session (token_hash, user_id, expires_at)
                   VALUES (%s, %s, now() + interval '1 hour')""",
                (token_hash(token), user_id),
            )
            found.sessions[email] = token
        found.pending = new_token()
        conn.execute(
            """INSERT INTO console_session (token_hash, user_id, expires_at,
                                            second_factor_pending)
               VALUES (%s, %s, now() + interval '1 hour', true)""",
            (token_hash(found.pending), ids[TWO_FACTOR]),
        )
        conn.commit()
    yield found


@pytest.fixture(scope="module")
async def console_client(
    world: World, database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Any]:
    settings = load_settings(
        {},
        database_url=database_url,
        redis_url=redis_url,
        env="test",
        data_dir=Path(tmp_path_factory.mktemp("console-access")),
        background_jobs=False,
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


async def as_user(client: Any, world: World, email: str | None) -> str:
    """Sign ``client`` in as ``email`` (out, for None); returns a form token."""
    client.cookies.clear()
    form = await client.get("/admin/login")
    if email:
        client.cookies.set("innkeep_console", world.sessions[email], path="/admin")
    return csrf_of(form.text)


def test_every_console_route_is_listed(world: World, database_url: str, redis_url: str) -> None:
    app = create_app(load_settings({}, database_url=database_url, redis_url=redis_url, env="test"))
    found = {
        (method, route.path)
        for route in app.routes
        if isinstance(route, HTTPRoute) and route.path.startswith("/admin")
        for method in route.route_handler_map
        if method not in ("HEAD", "OPTIONS") and route.path not in OPEN
    }
    assert found == {(method, route) for method, route, _ in PAGES}
    outside = {
        (method, route.path): handler
        for route in app.routes
        if isinstance(route, HTTPRoute) and route.path in OPEN
        for method, handler in route.route_handler_map.items()
        if method not in ("HEAD", "OPTIONS")
    }
    assert set(outside) == set(OPEN_ROUTES)
    # What needs a session says so by its guard.
    for key, (handler, _) in outside.items():
        guarded = signed_in in handler.resolve_guards()
        assert guarded == (OPEN_ROUTES[key] == "session"), key


async def ask(client: Any, method: str, path: str, token: str) -> Any:
    data = {"_csrf_token": token} if method == "POST" else None
    return await client.request(method, path, data=data, follow_redirects=False)


@pytest.mark.parametrize(("method", "route", "role"), PAGES)
async def test_without_a_session_the_answer_is_the_login_page(
    console_client: Any, world: World, method: str, route: str, role: str
) -> None:
    token = await as_user(console_client, world, None)
    answer = await ask(console_client, method, world.path(route), token)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/admin/login")


@pytest.mark.parametrize(("method", "route", "role"), PAGES)
async def test_another_propertys_user_sees_nothing(
    console_client: Any, world: World, method: str, route: str, role: str
) -> None:
    token = await as_user(console_client, world, STRANGER)
    assert (await console_client.get("/admin/other/")).status_code == 200
    answer = await ask(console_client, method, world.path(route), token)
    assert answer.status_code == 404
    assert 'data-error="not_found"' in answer.text
    if method == "GET":  # the same answer as for a property that does not exist
        nowhere = await console_client.get(world.path(route, "no-such-place"))
        assert nowhere.status_code == 404
        assert nowhere.text.replace("no-such-place", "demo") == answer.text


@pytest.mark.parametrize(("method", "route", "role"), PAGES)
async def test_staff_do_the_daily_work_and_only_owners_the_rest(
    console_client: Any, world: World, method: str, route: str, role: str
) -> None:
    token = await as_user(console_client, world, STAFF)
    answer = await ask(console_client, method, world.path(route), token)
    if role == "owner":
        assert answer.status_code == 403
        assert 'data-error="owners_only"' in answer.text
    else:  # let through (what an empty form then gets is the page's own business)
        assert answer.status_code not in (401, 403, 404), answer.text
        assert not answer.headers.get("location", "").startswith("/admin/login")


@pytest.mark.parametrize(("method", "route", "role"), [p for p in PAGES if p[0] == "GET"])
async def test_owners_open_every_page(
    console_client: Any, world: World, method: str, route: str, role: str
) -> None:
    await as_user(console_client, world, OWNER)
    answer = await console_client.get(world.path(route), follow_redirects=False)
    assert answer.status_code == 200, answer.text
    # Pages, and the reports' CSV files for the accountant.
    assert answer.headers["content-type"].startswith(("text/html", "text/csv"))
    assert answer.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in answer.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("method", "route", "role"),
    [*(p for p in PAGES if p[0] == "POST"), ("POST", "/admin/logout", "")],
)
async def test_every_form_needs_its_csrf_token(
    console_client: Any, world: World, method: str, route: str, role: str
) -> None:
    await as_user(console_client, world, OWNER)
    answer = await console_client.post(world.path(route), data={}, follow_redirects=False)
    assert answer.status_code == 403
    assert answer.json()["error"] == "csrf_failed"
    forged = await console_client.post(
        world.path(route), data={"_csrf_token": "forged"}, follow_redirects=False
    )
    assert forged.status_code == 403


@pytest.mark.parametrize(
    ("method", "route"), [key for key, needs in OPEN_ROUTES.items() if needs != "anyone"]
)
async def test_the_pages_outside_a_property_need_a_session_too(
    console_client: Any, world: World, method: str, route: str
) -> None:
    token = await as_user(console_client, world, None)
    answer = await ask(console_client, method, route, token)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/admin/login")
    # Signed out, a session still waiting for its code opens none of the account's pages.
    if OPEN_ROUTES[(method, route)] == "session":
        console_client.cookies.set("innkeep_console", world.pending, path="/admin")
        answer = await ask(console_client, method, route, token)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/admin/login")


def open_form(world: World, route: str) -> tuple[str | None, dict[str, str]]:
    """Who sends ``route``'s form (a session of theirs, or none) and what it carries: what
    its handler would act on, were the token there."""
    code = pyotp.TOTP(TOTP_SECRET).now()
    forms: dict[str, tuple[str | None, dict[str, str]]] = {
        "/admin/login": (None, {"email": OWNER, "password": PASSWORD}),
        "/admin/login/code": ("pending", {"code": code}),
        "/admin/logout": (OWNER, {"everywhere": "1"}),
        "/admin/reset": (None, {"email": OWNER}),
        "/admin/reset/{token:str}": (None, {"password": "a brand new passphrase"}),
        "/admin/invite/{token:str}": (None, {"password": "a brand new passphrase"}),
        "/admin/account/language": (OWNER, {"language": "de"}),
        "/admin/account/two-factor": (OWNER, {"secret": TOTP_SECRET, "code": code}),
        "/admin/account/two-factor/off": (TWO_FACTOR, {"code": code}),
    }
    return forms[route]


def everything(conn: psycopg.Connection[Any]) -> dict[str, str]:
    """A digest of every table's rows: whatever a form changes shows here."""
    tables = conn.execute(
        """SELECT table_name FROM information_schema.tables
           WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
           ORDER BY table_name"""
    ).fetchall()
    return {
        name: conn.execute(
            f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{name}\" t"
        ).fetchone()[0]  # type: ignore[index]
        for (name,) in tables
    }


@pytest.mark.parametrize("route", [route for method, route in OPEN_ROUTES if method == "POST"])
async def test_every_form_outside_a_property_needs_its_csrf_token(
    console_client: Any, world: World, database_url: str, route: str
) -> None:
    who, data = open_form(world, route)
    path = route.replace("/reset/{token:str}", f"/reset/{world.reset_token}").replace(
        "/invite/{token:str}", f"/invite/{world.invite_token}"
    )
    with psycopg.connect(database_url, autocommit=True) as conn:
        before = everything(conn)
        for token in (None, "forged"):
            await as_user(console_client, world, None if who == "pending" else who)
            if who == "pending":
                console_client.cookies.set("innkeep_console", world.pending, path="/admin")
            sent = data if token is None else {**data, "_csrf_token": token}
            answer = await console_client.post(path, data=sent, follow_redirects=False)
            assert answer.status_code == 403
            assert answer.json()["error"] == "csrf_failed"
            assert (
                "set-cookie" not in answer.headers
                or "innkeep_console" not in answer.headers["set-cookie"]
            )
        assert everything(conn) == before
