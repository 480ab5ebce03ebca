"""``innkeep user``: accounts from the command line, checked by signing in with them."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable

import psycopg
import pytest
from psycopg.rows import dict_row

from tests.console.conftest import Ran
from tests.helpers import DEMO_TOML
from widget.accounts.sessions import LoginRefused, checked_login, open_session
from widget.properties.apply import apply_property
from widget.properties.file import parse_property


@pytest.fixture
def demo_db(database_url: str, clean: None, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("INNKEEP_DATABASE_URL", database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        apply_property(conn, parse_property(DEMO_TOML))
    return database_url


def can_log_in(url: str, email: str, password: str) -> bool:
    async def attempt() -> bool:
        async with await psycopg.AsyncConnection.connect(
            url, autocommit=True, row_factory=dict_row
        ) as conn:
            try:
                await checked_login(conn, email, password)
            except LoginRefused:
                return False
            return True

    return asyncio.run(attempt())


def test_a_generated_password_is_shown_once_and_signs_in(
    demo_db: str, command: Callable[..., Ran]
) -> None:
    status, out, _ = command(
        "user",
        "add",
        "--email",
        "Anna@Example.com",
        "--property",
        "demo",
        "--role",
        "owner",
    )
    assert status == 0
    password = out.split("password (shown once): ")[1].strip()
    assert can_log_in(demo_db, "anna@example.com", password)
    assert not can_log_in(demo_db, "anna@example.com", password + "x")
    _, listed, _ = command("user", "list", "--property", "demo")
    assert "owner" in listed and "anna@example.com" in listed
    assert password not in listed


def test_password_from_stdin_and_a_new_password_ends_every_session(
    demo_db: str, command: Callable[..., Ran], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("first password 1\n"))
    args = ("--email", "bo@example.com", "--property", "demo", "--role", "staff")
    assert command("user", "add", *args, "--password-stdin")[0] == 0
    assert can_log_in(demo_db, "bo@example.com", "first password 1")
    with psycopg.connect(demo_db, autocommit=True) as conn:
        user_id = conn.execute("SELECT id FROM console_user").fetchone()[0]  # type: ignore[index]

    async def session() -> None:
        async with await psycopg.AsyncConnection.connect(
            demo_db, autocommit=True, row_factory=dict_row
        ) as conn:
            await open_session(conn, user_id)

    asyncio.run(session())
    monkeypatch.setattr("sys.stdin", io.StringIO("second password 2\n"))
    status, out, _ = command("user", "password", "--email", "bo@example.com", "--password-stdin")
    assert status == 0 and "sessions have ended" in out
    assert can_log_in(demo_db, "bo@example.com", "second password 2")
    assert not can_log_in(demo_db, "bo@example.com", "first password 1")
    with psycopg.connect(demo_db) as conn:
        assert conn.execute("SELECT count(*) FROM console_session").fetchone() == (0,)


def test_removing_the_last_property_removes_the_account(
    demo_db: str, command: Callable[..., Ran]
) -> None:
    command("user", "add", "--email", "c@example.com", "--property", "demo", "--role", "staff")
    status, _, _ = command("user", "remove", "--email", "c@example.com", "--property", "demo")
    assert status == 0
    with psycopg.connect(demo_db) as conn:
        assert conn.execute("SELECT count(*) FROM console_user").fetchone() == (0,)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (
            ("add", "--email", "d@example.com", "--property", "nowhere", "--role", "staff"),
            "no property is called 'nowhere'",
        ),
        (
            ("add", "--email", "not-an-address", "--property", "demo", "--role", "staff"),
            "is not an e-mail address",
        ),
        (("remove", "--email", "ghost@example.com"), "no account ghost@example.com"),
        (("password", "--email", "ghost@example.com"), "no account ghost@example.com"),
    ],
)
def test_mistakes_are_named_and_change_nothing(
    demo_db: str, command: Callable[..., Ran], argv: tuple[str, ...], says: str
) -> None:
    status, _, err = command("user", *argv)
    assert status == 2
    assert says in err
    with psycopg.connect(demo_db) as conn:
        assert conn.execute("SELECT count(*) FROM console_user").fetchone() == (0,)


def test_a_short_password_is_refused(
    demo_db: str, command: Callable[..., Ran], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    args = ("--email", "e@example.com", "--property", "demo", "--role", "staff")
    status, _, err = command("user", "add", *args, "--password-stdin")
    assert status == 2 and "at least 10 characters" in err
