"""The console's tests: the demo guesthouse and a second one, an owner and a staff member
of the demo, an owner of the other; browsers (HTTP clients) signed in as each.

That starting state is built once per run and put back before each test (`people`); the
tables are emptied by ``DELETE`` rather than ``TRUNCATE`` (`clean`): see
tests/starting_state.py. Each test still gets its own rows, ids, Redis and app."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, NamedTuple

import msgspec
import psycopg
import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import ON_CLUSTER, TABLES, empty_tables
from tests.helpers import DEMO_TOML, flush_redis, property_toml
from tests.starting_state import Snapshot, Tables
from widget.app import create_app, services_of, worker_services
from widget.cli import main
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings, load_settings

PASSWORD = "correct horse battery"
OWNER = "owner@example.com"
STAFF = "staff@example.com"
STRANGER = "stranger@example.com"


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One Argon2id hash for every test user (hashing costs ~50 ms each time)."""
    return PasswordHasher().hash(PASSWORD)


def add_account(
    conn: psycopg.Connection[Any], email: str, slug: str, role: str, password_hash: str
) -> int:
    row = conn.execute(
        """INSERT INTO console_user (email, password_hash) VALUES (%s, %s)
           ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING id""",
        (email, password_hash),
    ).fetchone()
    assert row is not None
    conn.execute(
        """INSERT INTO membership (user_id, property_id, role)
           SELECT %s, id, %s FROM property WHERE slug = %s""",
        (row[0], role, slug),
    )
    return int(row[0])


def _seed(conn: psycopg.Connection[Any], password_hash: str) -> None:
    """The demo with its owner and staff member; a second property ``other`` with its own
    owner."""
    apply_property(conn, parse_property(DEMO_TOML))
    apply_property(conn, parse_property(property_toml("other")))
    add_account(conn, OWNER, "demo", "owner", password_hash)
    add_account(conn, STAFF, "demo", "staff", password_hash)
    add_account(conn, STRANGER, "other", "owner", password_hash)


@pytest.fixture(scope="session")
def console_tables(database_url: str) -> Tables:
    """The tables the suite's `clean` empties, in the order they can be filled."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        return Tables.reached_from(conn, TABLES)


@pytest.fixture(scope="session")
def console_start(database_url: str, console_tables: Tables, password_hash: str) -> Snapshot:
    """`_seed` in empty tables, once per run: the rows (and sequences) `people` puts back."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        console_tables.restore(conn)
        _seed(conn, password_hash)
        return console_tables.snapshot(conn)


@pytest.fixture
def clean(
    database_url: str, redis_url: str, console_tables: Tables, request: pytest.FixtureRequest
) -> Iterator[None]:
    """The suite's `clean` (empty tables, empty Redis), emptying by ``DELETE``: for the few
    rows a test leaves, much cheaper than ``TRUNCATE``'s new files for every table."""
    if ON_CLUSTER:  # property ids spread over the primaries, as the suite's `clean` does
        empty_tables(database_url, request)
    else:
        with psycopg.connect(database_url, autocommit=True) as conn:
            console_tables.restore(conn)
    flush_redis(redis_url, cluster=ON_CLUSTER)
    yield


@pytest.fixture
def people(
    database_url: str,
    clean: None,
    console_tables: Tables,
    console_start: Snapshot,
    password_hash: str,
) -> Iterator[psycopg.Connection[Any]]:
    """The demo's owner and staff member; a second property ``other`` with its own owner.
    An autocommit connection to the database."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        if ON_CLUSTER:  # the spread property ids of `clean`, not the snapshot's
            _seed(conn, password_hash)
        else:
            console_tables.restore(conn, console_start)
        yield conn


@pytest.fixture(scope="session")
def console_app(quiet_settings_of_run: Settings) -> Litestar:
    """One app for the console's tests: Litestar registering every route (~0.2 s) was most
    of a test's setup. Each test serves it with services of its own (`app_client`)."""
    return create_app(quiet_settings_of_run)


@pytest.fixture(scope="session")
def quiet_settings_of_run(
    database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """The suite's `quiet_settings`, with a data folder for the run rather than the test."""
    return load_settings(
        {},
        database_url=database_url,
        redis_url=redis_url,
        redis_cluster=ON_CLUSTER,
        env="test",
        data_dir=tmp_path_factory.mktemp("console-app"),
        background_jobs=False,
    )


@pytest.fixture
async def app_client(
    console_app: Litestar, quiet_settings: Settings, people: psycopg.Connection[Any]
) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """A browser of the console app, which runs on services (pool, Redis, memories, counters)
    made for this test alone: nothing one test leaves in memory is there for the next."""
    # Its routes and middleware were made for the run's settings: the test's differ only
    # in their data folder (where mail and photos go).
    made_for = services_of(console_app).settings
    assert msgspec.structs.replace(made_for, data_dir=quiet_settings.data_dir) == quiet_settings
    console_app.state["services"] = worker_services(quiet_settings)
    async with AsyncTestClient(app=console_app) as client:
        yield client


class Ran(NamedTuple):
    """What a command printed, and its exit status."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def command(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Ran]:
    """``command("guest", "find", …)``: ``innkeep …`` run in this process against the
    suite's database. A new process costs 1–2 s of imports each time; the command line as
    a process is tested in tests/widget/test_cli.py."""
    monkeypatch.setenv("INNKEEP_DATABASE_URL", database_url)

    def run(*argv: str) -> Ran:
        status = main(list(argv))
        out, err = capsys.readouterr()
        return Ran(status, out, err)

    return run


def save_a_card(conn: psycopg.Connection[Any], reference: str) -> None:
    """The demo provider keeps a card for ``reference``'s guest, as a rate plan that saves
    one would have at checkout (customer ``demo_cus_desk``)."""
    conn.execute(
        "INSERT INTO demo_customer (id, idempotency_key) VALUES ('demo_cus_desk', 'desk-test')"
    )
    conn.execute(
        """UPDATE reservation SET customer_ref = 'demo_cus_desk',
           payment_method_ref = 'demo_pm_demo_cus_desk' WHERE reference = %s""",
        (reference,),
    )
    conn.commit()


def csrf_of(page_html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page_html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


async def log_in(client: Any, email: str, password: str = PASSWORD, **extra: str) -> Any:
    """Sign in through the login form, as a browser does; the answer (not followed)."""
    form = await client.get("/admin/login")
    assert form.status_code == 200, form.text
    return await client.post(
        "/admin/login",
        data={"email": email, "password": password, "_csrf_token": csrf_of(form.text), **extra},
        follow_redirects=False,
    )


@pytest.fixture
def signed_in(app_client: Any) -> Any:
    """``await signed_in(email)``: the client, signed in as ``email``."""

    async def sign_in(email: str) -> Any:
        answer = await log_in(app_client, email)
        assert answer.status_code == 303, answer.text
        return app_client

    return sign_in


def add_booking(
    conn: psycopg.Connection[Any],
    reference: str,
    check_in: str,
    check_out: str,
    *,
    unit: str = "Room 1",
    name: str = "Anna Rossi",
    note: str | None = None,
    due_now: int = 30000,
    total: int = 31200,
    captured: bool = True,
    property_slug: str = "demo",
    adults: int = 2,
) -> Any:
    """A confirmed booking as checkout leaves it (paid ``due_now`` if ``captured``; the rest
    of ``total`` is a city tax due at the property)."""
    from tests.helpers import add_reservation, stored_quote

    return add_reservation(
        conn,
        check_in=check_in,
        check_out=check_out,
        unit=unit,
        property_slug=property_slug,
        reference=reference,
        adults=adults,
        guest={"name": name, "email": "anna@example.com", "language": "it", "note": note},
        quote=stored_quote(check_in, check_out, due_now=due_now, total=total),
        payment_provider="demo",
        payment_ref=f"pay-{reference}",
        payment_status="captured" if captured else "authorised",
        **({"payment_captured_at": "2027-05-01T10:00:00Z"} if captured else {}),
    )


def enter(client: Any, conn: psycopg.Connection[Any], email: str) -> None:
    """Sign ``client`` in as ``email`` with a session made in the database (the login form
    itself is tested in test_login*.py; this spares the other tests its Argon2 check). It
    never expires, whatever the test does to the database's clock."""
    from widget.tokens import new_token, token_hash

    token = new_token()
    conn.execute(
        """INSERT INTO console_session (token_hash, user_id, expires_at)
           SELECT %s, id, 'infinity' FROM console_user WHERE email = %s""",
        (token_hash(token), email),
    )
    client.cookies.clear()
    client.cookies.set("innkeep_console", token, path="/admin")
