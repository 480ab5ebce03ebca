"""Manage-booking keys are random, kept only as hashes, links never follow the request's Host
header, and the manage page may not be framed (issue 10, items 11, 12, 14 and 15)."""

from __future__ import annotations

import hashlib
import hmac
import re
from base64 import urlsafe_b64encode
from typing import Any
from urllib.parse import urlsplit

import msgspec
import psycopg
from litestar.testing import AsyncTestClient

from tests.payments.conftest import GUEST, HeldRoom
from tests.payments.test_manage_booking import book, manage_link
from tests.widget.test_framing import refuses_framing
from widget.app import create_app
from widget.settings import DEV_SECRET_KEY, Settings


def hmac_of_the_id(secret_key: str, hold_id: Any) -> str:
    """How manage keys used to be made: anyone with the server key and a hold id had one."""
    digest = hmac.new(secret_key.encode(), b"booking:" + hold_id.bytes, hashlib.sha256)
    return urlsafe_b64encode(digest.digest()).decode().rstrip("=")


async def test_a_manage_key_cannot_be_computed_from_the_hold_id_and_the_server_key(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any]
) -> None:
    reference = await book(demo_api, held)
    _, emailed = manage_link(demo_property)
    url = f"/api/v1/bookings/{reference}"
    assert (await demo_api.get(url, headers={"X-Booking-Secret": emailed})).status_code == 200
    computed = hmac_of_the_id(DEV_SECRET_KEY, held.id)
    assert (await demo_api.get(url, headers={"X-Booking-Secret": computed})).status_code == 404
    # Nothing but the confirmation e-mail holds a key in plaintext.
    dump = "\n".join(
        str(row)
        for table in ("reservation", "idempotency_key", "demo_payment")
        for row in demo_property.execute(f"SELECT * FROM {table}").fetchall()
    )
    assert emailed not in dump


async def test_the_guests_confirm_answer_links_to_the_booking_on_every_call(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any]
) -> None:
    """Also when another path (the webhook, the reconciler, an earlier call) booked first."""
    reference = await book(demo_api, held)
    again = await demo_api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    link = urlsplit(again.json()["manage_url"])
    key = link.query.removeprefix("key=")
    assert link.path == f"/manage/{reference}" and held.token not in key
    page = await demo_api.get(link.path, params={"key": key})
    assert page.status_code == 200 and reference in page.text
    _, emailed = manage_link(demo_property)
    assert emailed != key  # two keys, both random to whoever lacks the hold token


async def test_links_follow_the_configured_address_never_the_host_header(
    quiet_settings: Settings, held: HeldRoom, demo_property: psycopg.Connection[Any]
) -> None:
    settings = msgspec.structs.replace(quiet_settings, public_url="https://book.casa.example")
    evil = {"Host": "evil.example"}
    async with AsyncTestClient(app=create_app(settings)) as api:
        headers = {**held.headers, **evil}
        await api.post(f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=headers)
        answer = await api.post(f"/api/v1/holds/{held.id}/confirm", headers=headers)
        embed = await api.get(
            "/api/v1/properties/demo/embed", headers={**evil, "Origin": "http://localhost:8001"}
        )
    assert answer.json()["manage_url"].startswith("https://book.casa.example/manage/")
    path, _ = manage_link(demo_property)
    body = demo_property.execute("SELECT body_text FROM outbox_message").fetchone()
    assert body is not None and "evil.example" not in body[0]
    assert f"https://book.casa.example{path}" in body[0]
    assert embed.json()["widget_url"] == "https://book.casa.example/embed/demo"


async def test_without_a_public_url_links_use_the_listening_address_not_the_host(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any]
) -> None:
    headers = {**held.headers, "Host": "evil.example"}
    await demo_api.post(f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=headers)
    answer = await demo_api.post(f"/api/v1/holds/{held.id}/confirm", headers=headers)
    assert answer.json()["manage_url"].startswith("http://127.0.0.1:8000/manage/")
    body = demo_property.execute("SELECT body_text FROM outbox_message").fetchone()
    assert body is not None and "evil.example" not in body[0]


def _table_as_text(conn: psycopg.Connection[Any]) -> str:
    """Everything a database reader sees in the idempotency table, bytes decoded every way."""
    rows = conn.execute("SELECT * FROM idempotency_key").fetchall()
    assert rows, "the table kept nothing: the test would prove nothing"
    seen = []
    for row in rows:
        for value in row:
            data = bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()
            seen += [data.decode("latin-1"), data.hex()]
    return "\n".join(seen)


async def test_the_idempotency_table_keeps_no_token_and_no_manage_key(
    demo_api: Any, demo_property: psycopg.Connection[Any]
) -> None:
    stay = {"room_type": "double-sea-view", "check_in": "2027-06-01", "check_out": "2027-06-04"}
    key = {"Idempotency-Key": "d2b6c7c8-hold-once"}
    first = await demo_api.post("/api/v1/properties/demo/holds", json=stay, headers=key)
    assert first.status_code == 201, first.text
    hold = first.json()
    token = {"X-Hold-Token": hold["token"]}
    confirm_key = {**token, "Idempotency-Key": "d2b6c7c8-confirm-once"}
    path = f"/api/v1/holds/{hold['id']}"
    await demo_api.post(f"{path}/checkout", json=GUEST, headers=token)
    booked = await demo_api.post(f"{path}/confirm", headers=confirm_key)
    manage_key = booked.json()["manage_url"].partition("key=")[2]
    kept = _table_as_text(demo_property)
    for secret in (hold["token"], manage_key, key["Idempotency-Key"], "d2b6c7c8-confirm-once"):
        assert secret not in kept and secret.encode().hex() not in kept
    # A genuine retry still gets its token (and its link) back.
    again = await demo_api.post("/api/v1/properties/demo/holds", json=stay, headers=key)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.status_code == 201 and again.json()["token"] == hold["token"]
    replayed = await demo_api.post(f"{path}/confirm", headers=confirm_key)
    assert replayed.json()["manage_url"] == booked.json()["manage_url"]


async def test_the_manage_page_has_a_policy_and_may_not_be_framed(
    demo_api: Any, held: HeldRoom, demo_property: psycopg.Connection[Any]
) -> None:
    await book(demo_api, held)
    path, key = manage_link(demo_property)
    page = await demo_api.get(path, params={"key": key})
    assert page.status_code == 200
    refuses_framing(page)
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "form-action 'self'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None and f'<style nonce="{nonce[1]}">' in page.text
