"""What stands between a guesser and an account: throttling per account and per address
(429 with Retry-After, the holder told), password reset by a single-use e-mailed link, and
two-factor login with recovery codes, which an owner can require of everyone."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import psycopg
import pyotp

from tests.browser_rules import form_origin
from tests.console.conftest import OWNER, STAFF, csrf_of, log_in
from tests.helpers import advance_clock


def outbox(conn: psycopg.Connection[Any], kind: str) -> list[tuple[str, str]]:
    return conn.execute(
        "SELECT recipient, body_text FROM outbox_message WHERE kind = %s ORDER BY id", (kind,)
    ).fetchall()


async def test_an_account_being_guessed_is_paused_and_its_holder_told(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    for _ in range(5):
        assert (await log_in(app_client, OWNER, password="guess guess")).status_code == 401
    paused = await log_in(app_client, OWNER)  # even the right password, for now
    assert paused.status_code == 429
    assert 0 < int(paused.headers["retry-after"]) <= 15 * 60
    assert 'data-testid="login-throttled"' in paused.text
    assert "innkeep_console" not in paused.headers.get("set-cookie", "")
    notices = outbox(people, "console_guessing")
    assert [recipient for recipient, _ in notices] == [OWNER]
    # Other accounts are not held up by it.
    assert (await log_in(app_client, STAFF)).status_code == 303
    advance_clock(people, timedelta(minutes=16))
    assert (await log_in(app_client, OWNER)).status_code == 303
    assert len(outbox(people, "console_guessing")) == 1


async def test_the_owner_is_told_once_when_a_staff_account_is_being_guessed(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    for _ in range(8):  # five wrong passwords, then attempts refused while it is paused
        assert (await log_in(app_client, STAFF, password="guess guess")).status_code in (401, 429)
    notices = outbox(people, "console_guessing")
    assert sorted(recipient for recipient, _ in notices) == [OWNER, STAFF]
    (told,) = [body for recipient, body in notices if recipient == OWNER]
    assert STAFF in told and "Casa Lanterna" in told
    # The owner's own account was not guessed, and nobody else is told of the owner's.
    assert (await log_in(app_client, OWNER)).status_code == 303


async def test_an_address_that_guesses_many_accounts_is_paused(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    await log_in(app_client, "someone@example.com", password="guess guess")
    people.execute(
        """INSERT INTO console_login_failure (email, address, at)
           SELECT 'someone' || n || '@example.com', address, innkeep_now()
           FROM generate_series(1, 19) n, (SELECT address FROM console_login_failure) a"""
    )
    answer = await log_in(app_client, STAFF)
    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) > 0


async def reset_link(conn: psycopg.Connection[Any]) -> str:
    (_, body), *_ = outbox(conn, "console_password_reset")
    found = re.search(r"https?://[^/\s]+(/admin/reset/\S+)", body)
    assert found is not None, body
    return found.group(1)


async def test_a_password_is_reset_through_a_single_use_link(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    form = await app_client.get("/admin/reset")
    token = csrf_of(form.text)
    unknown = await app_client.post(
        "/admin/reset", data={"email": "nobody@example.com", "_csrf_token": token}
    )
    known = await app_client.post("/admin/reset", data={"email": OWNER, "_csrf_token": token})
    assert unknown.status_code == known.status_code == 200
    assert 'data-testid="reset-sent"' in unknown.text and 'data-testid="reset-sent"' in known.text
    assert [r for r, _ in outbox(people, "console_password_reset")] == [OWNER]
    link = await reset_link(people)
    choose = await app_client.get(link)
    assert choose.status_code == 200
    # The link's secret never goes to another site; the form still posts back to ours, with
    # the Origin a browser sends from this page.
    assert choose.headers["referrer-policy"] == "same-origin"
    origin = {"Origin": form_origin(choose)}
    short = await app_client.post(
        link, data={"password": "short", "_csrf_token": token}, headers=origin
    )
    assert short.status_code == 422  # the link still works after a refused password
    done = await app_client.post(
        link,
        data={"password": "a brand new password", "_csrf_token": token},
        headers=origin,
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert (await app_client.get(link)).status_code == 404  # used up
    assert (await log_in(app_client, OWNER)).status_code == 401
    assert (await log_in(app_client, OWNER, password="a brand new password")).status_code == 303


async def test_a_reset_link_expires(app_client: Any, people: psycopg.Connection[Any]) -> None:
    form = await app_client.get("/admin/reset")
    await app_client.post("/admin/reset", data={"email": STAFF, "_csrf_token": csrf_of(form.text)})
    link = await reset_link(people)
    advance_clock(people, timedelta(minutes=31))
    assert (await app_client.get(link)).status_code == 404


async def turn_on_two_factor(client: Any) -> tuple[str, list[str]]:
    account = await client.get("/admin/account")
    secret = re.search(r'data-testid="two-factor-secret">([A-Z2-7]+)<', account.text)
    assert secret is not None
    answer = await client.post(
        "/admin/account/two-factor",
        data={
            "secret": secret.group(1),
            "code": pyotp.TOTP(secret.group(1)).now(),
            "_csrf_token": csrf_of(account.text),
        },
    )
    assert answer.status_code == 200, answer.text
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", answer.text)
    assert len(codes) == 10
    return secret.group(1), codes


async def log_out(client: Any) -> None:
    page = await client.get("/admin/account")
    await client.post("/admin/logout", data={"_csrf_token": csrf_of(page.text)})


async def enter_code(client: Any, code: str) -> Any:
    form = await client.get("/admin/login/code")
    return await client.post(
        "/admin/login/code",
        data={"code": code, "next": "/admin/demo/", "_csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )


async def test_two_factor_login_asks_for_the_code_after_the_password(app_client: Any) -> None:
    await log_in(app_client, OWNER)
    secret, codes = await turn_on_two_factor(app_client)
    await log_out(app_client)

    first = await log_in(app_client, OWNER)
    assert first.status_code == 303
    assert first.headers["location"].startswith("/admin/login/code")
    # The password alone opens nothing.
    assert (await app_client.get("/admin/demo/", follow_redirects=False)).status_code == 303
    assert (await enter_code(app_client, "000000")).status_code == 401
    # The next step's code: the one that turned two-factor login on is used (see below).
    good = await enter_code(app_client, pyotp.TOTP(secret).at(time.time() + 30))
    assert good.status_code == 303 and good.headers["location"] == "/admin/demo/"
    assert (await app_client.get("/admin/demo/")).status_code == 200

    await log_out(app_client)
    await log_in(app_client, OWNER)
    assert (await enter_code(app_client, codes[0])).status_code == 303
    await log_out(app_client)
    await log_in(app_client, OWNER)
    assert (await enter_code(app_client, codes[0])).status_code == 401  # each works once


async def test_an_authenticator_code_signs_in_once(app_client: Any) -> None:
    await log_in(app_client, OWNER)
    # The step the code that turns it on belongs to, or one before it should the 30-second
    # step end meanwhile: `totp.now()` later could already be the next, unused step.
    turned_on_by = time.time()
    secret, _ = await turn_on_two_factor(app_client)
    totp = pyotp.TOTP(secret)
    await log_out(app_client)
    await log_in(app_client, OWNER)
    # The code that turned it on was seen by the server once already.
    assert (await enter_code(app_client, totp.at(turned_on_by))).status_code == 401
    later = totp.at(time.time() + 30)
    assert (await enter_code(app_client, later)).status_code == 303
    await log_out(app_client)
    # Within the same 30 seconds, the same code (or an earlier one) opens nothing again.
    await log_in(app_client, OWNER)
    assert (await enter_code(app_client, later)).status_code == 401
    assert (await enter_code(app_client, totp.now())).status_code == 401
    assert (await app_client.get("/admin/demo/", follow_redirects=False)).status_code == 303


async def test_an_owner_can_require_two_factor_login_of_everyone(app_client: Any) -> None:
    await log_in(app_client, OWNER)
    people_page = await app_client.get("/admin/demo/people")
    await app_client.post(
        "/admin/demo/people/two-factor",
        data={"required": "on", "_csrf_token": csrf_of(people_page.text)},
    )
    await log_out(app_client)
    await log_in(app_client, STAFF)
    sent = await app_client.get("/admin/demo/", follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/admin/account"
    account = await app_client.get("/admin/account")
    assert 'data-testid="two-factor-required"' in account.text
    await turn_on_two_factor(app_client)
    assert (await app_client.get("/admin/demo/")).status_code == 200
