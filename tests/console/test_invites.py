"""Inviting someone from the People page: a single-use link through the outbox, the
invitee chooses a password (or, with an account, just accepts); an owner takes someone
off the property, never its last owner. Staff can do neither (tests/console/test_access.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import psycopg

from tests.console.conftest import OWNER, STAFF, STRANGER, csrf_of, enter, log_in


def _link(conn: psycopg.Connection[Any], recipient: str) -> str:
    row = conn.execute(
        "SELECT body_text FROM outbox_message WHERE recipient = %s AND kind = 'console_invite'",
        (recipient,),
    ).fetchone()
    assert row is not None, "no invitation in the outbox"
    found = re.search(r"https?://[^/\s]+(/admin/invite/\S+)", row[0])
    assert found is not None, row[0]
    return found[1]


async def _invite(client: Any, email: str, role: str = "staff") -> Any:
    token = csrf_of((await client.get("/admin/demo/people")).text)
    return await client.post(
        "/admin/demo/people/invite",
        data={"_csrf_token": token, "email": email, "role": role},
        follow_redirects=False,
    )


async def test_an_invitee_chooses_a_password_through_a_link_that_works_once(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, OWNER)
    assert (await _invite(app_client, "New.Hand@Example.com")).status_code == 303
    link = _link(people, "new.hand@example.com")
    app_client.cookies.clear()
    shown = await app_client.get(link)
    assert shown.status_code == 200 and "Casa Lanterna" in shown.text
    assert shown.headers["referrer-policy"] == "no-referrer"
    short = await app_client.post(
        link, data={"_csrf_token": csrf_of(shown.text), "password": "short"}
    )
    assert short.status_code == 422 and 'data-testid="invite-error"' in short.text
    taken = await app_client.post(
        link,
        data={"_csrf_token": csrf_of(shown.text), "password": "a fine long passphrase"},
        follow_redirects=False,
    )
    assert taken.status_code == 303 and taken.headers["location"] == "/admin/login?invited=1"
    again = await app_client.get(link)
    assert again.status_code == 404
    signed = await log_in(app_client, "new.hand@example.com", "a fine long passphrase")
    assert signed.status_code == 303
    assert (await app_client.get("/admin/demo/")).status_code == 200
    # As staff: the daily work, not the owners' pages.
    assert (await app_client.get("/admin/demo/people")).status_code == 403


async def test_someone_with_an_account_accepts_without_a_new_password(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, OWNER)
    assert (await _invite(app_client, STRANGER, role="owner")).status_code == 303
    link = _link(people, STRANGER)
    app_client.cookies.clear()
    shown = await app_client.get(link)
    assert 'data-testid="invite-password"' not in shown.text
    taken = await app_client.post(
        link,
        data={"_csrf_token": csrf_of(shown.text), "password": "ignored"},
        follow_redirects=False,
    )
    assert taken.status_code == 303
    enter(app_client, people, STRANGER)
    assert (await app_client.get("/admin/demo/people")).status_code == 200  # as owner


async def test_an_owner_removes_someone_but_never_the_last_owner(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, OWNER)
    token = csrf_of((await app_client.get("/admin/demo/people")).text)
    gone = await app_client.post(
        "/admin/demo/people/remove",
        data={"_csrf_token": token, "email": STAFF},
        follow_redirects=False,
    )
    assert gone.status_code == 303
    page = (await app_client.get(gone.headers["location"])).text
    assert 'data-testid="people-removed"' in page and f'data-email="{STAFF}"' not in page
    last = await app_client.post(
        "/admin/demo/people/remove", data={"_csrf_token": token, "email": OWNER}
    )
    assert last.status_code == 409 and "needs an owner" in last.text
    assert f'data-email="{OWNER}"' in last.text
    # With no property left, the account (and every session of it) is gone.
    left = people.execute("SELECT count(*) FROM console_user WHERE email = %s", (STAFF,))
    assert left.fetchone() == (0,)


async def test_an_invitation_is_accepted_only_with_its_form_token(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, OWNER)
    assert (await _invite(app_client, "careful@example.com")).status_code == 303
    link = _link(people, "careful@example.com")
    app_client.cookies.clear()
    await app_client.get(link)
    forged = await app_client.post(link, data={"password": "a fine long passphrase"})
    assert forged.status_code == 403 and forged.json()["error"] == "csrf_failed"
    assert (await app_client.get(link)).status_code == 200  # still unused


async def test_invitations_are_limited_per_user_and_per_property_an_hour(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    from tests.console.conftest import add_account
    from tests.helpers import advance_clock
    from widget.accounts.invites import PER_PROPERTY, PER_USER

    def sent() -> int:
        row = people.execute(
            "SELECT count(*) FROM outbox_message WHERE kind = 'console_invite'"
        ).fetchone()
        return int(row[0]) if row else 0

    # Two more owners of the demo (the hash is any: they enter by session).
    hash_ = people.execute(
        "SELECT password_hash FROM console_user WHERE email = %s", (OWNER,)
    ).fetchone()
    assert hash_ is not None
    second, third = "second.owner@example.com", "third.owner@example.com"
    for email in (second, third):
        add_account(people, email, "demo", "owner", hash_[0])

    enter(app_client, people, OWNER)
    for n in range(PER_USER):
        assert (await _invite(app_client, f"hand{n}@example.com")).status_code == 303
    refused = await _invite(app_client, "one.more@example.com")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    assert 'data-error="invites_throttled"' in refused.text
    assert 'value="one.more@example.com"' in refused.text  # what was typed stays
    assert sent() == PER_USER

    # Another owner of the property still may, until the property's hour is used up.
    enter(app_client, people, second)
    for n in range(PER_PROPERTY - PER_USER):
        assert (await _invite(app_client, f"more{n}@example.com")).status_code == 303
    enter(app_client, people, third)
    assert (await _invite(app_client, "late@example.com")).status_code == 429
    assert sent() == PER_PROPERTY

    # An hour on, the first owner invites again.
    advance_clock(people, timedelta(minutes=61))
    enter(app_client, people, OWNER)
    assert (await _invite(app_client, "one.more@example.com")).status_code == 303
    assert sent() == PER_PROPERTY + 1
