"""Owner webhooks end to end: written with the booking, delivered signed to a real HTTP
receiver on 127.0.0.1, retried with back-off by the database's clock, given up after a day,
in order per booking, and once even when two workers send at the same moment."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from datetime import timedelta
from typing import Any

import msgspec
import psycopg
import pytest
from litestar.testing import AsyncTestClient

import widget.payments.confirmation as confirmation
from tests.deliveries.conftest import SECRET, Receiver, hook, webhooks_toml
from tests.helpers import DEMO_TOML, advance_clock, move_property_clock, set_clock
from tests.payments.conftest import GUEST, HeldRoom
from widget.app import create_app
from widget.db import Pool
from widget.deliveries.outbox import enqueue
from widget.deliveries.sender import send_webhooks
from widget.payments.cancellation import booking_for_guest_unchecked, cancel_booking
from widget.payments.demo_provider import DemoProvider
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings
from widget.sql import queries

Conn = psycopg.Connection[Any]


async def book(api: Any, held: HeldRoom) -> str:
    answer = await api.post(f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=held.headers)
    assert answer.status_code == 200, answer.text
    confirmed = await api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    assert confirmed.status_code == 200, confirmed.text
    return str(confirmed.json()["reference"])


def deliveries(conn: Conn) -> list[dict[str, Any]]:
    cur = conn.cursor(row_factory=psycopg.rows.dict_row)
    return cur.execute(
        """SELECT id, event_type, booking_ref, state, attempts, next_attempt_at, give_up_at,
                  last_status, last_error, created_at, occurred_at
           FROM webhook_delivery ORDER BY id"""
    ).fetchall()


async def test_a_booking_confirmed_through_the_api_is_delivered_once_and_signed(
    hooked: Conn,
    demo_api: Any,
    held: HeldRoom,
    receiver: Receiver,
    pool: Pool,
    sending_settings: Settings,
) -> None:
    reference = await book(demo_api, held)
    # The confirm call made exactly one delivery (a second confirm answers, adds nothing).
    again = await demo_api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    assert again.status_code == 200
    assert [(d["event_type"], d["booking_ref"]) for d in deliveries(hooked)] == [
        ("booking.confirmed", reference)
    ]

    assert await send_webhooks(pool, sending_settings) == 1
    (got,) = receiver.got
    assert got.path == "/hooks/door-lock"
    assert got.headers["webhook-id"].startswith("msg_")
    payload = got.verified()
    data = payload["data"]
    assert payload["type"] == "booking.confirmed" and payload["timestamp"].endswith("Z")
    assert data["reference"] == reference and data["property"] == "demo"
    assert (data["check_in"], data["check_out"], data["nights"]) == ("2027-06-01", "2027-06-04", 3)
    assert data["unit"] == "Room 1" and data["room_type"]["slug"] == "double-sea-view"
    assert data["total"] == {"amount": 43200, "currency": "EUR"}
    assert data["paid"] == {"amount": 42000, "currency": "EUR"}
    # The owner did not opt in: nothing personal travels.
    assert "guest" not in data
    assert b"Anna" not in got.body and b"anna@example.com" not in got.body
    # Sent once: the next round has nothing to do.
    assert await send_webhooks(pool, sending_settings) == 0
    assert len(receiver.got) == 1 and deliveries(hooked)[0]["state"] == "delivered"


async def test_the_guest_is_named_only_to_an_endpoint_that_opted_in(
    demo_property: Conn,
    demo_api: Any,
    held: HeldRoom,
    receiver: Receiver,
    pool: Pool,
    sending_settings: Settings,
) -> None:
    hooks = webhooks_toml(
        hook(receiver, "/accounting", include_guest=True), hook(receiver, "/door-lock")
    )
    apply_property(demo_property, parse_property(DEMO_TOML + hooks))
    await book(demo_api, held)
    assert await send_webhooks(pool, sending_settings) == 2
    by_path = {got.path: got.verified()["data"] for got in receiver.got}
    assert by_path["/accounting"]["guest"] == {"name": "Anna Schmidt", "email": "anna@example.com"}
    assert "guest" not in by_path["/door-lock"]


async def test_a_rolled_back_confirmation_sends_nothing(
    hooked: Conn,
    demo_api: Any,
    held: HeldRoom,
    receiver: Receiver,
    pool: Pool,
    sending_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = confirmation.enqueue_booking_event

    async def written_then_failed(conn: Any, reservation_id: Any, event_type: Any) -> int:
        assert await real(conn, reservation_id, event_type) == 1
        raise RuntimeError("the database went away mid-confirmation")

    monkeypatch.setattr(confirmation, "enqueue_booking_event", written_then_failed)
    answer = await demo_api.post(
        f"/api/v1/holds/{held.id}/checkout", json=GUEST, headers=held.headers
    )
    assert answer.status_code == 200
    with contextlib.suppress(RuntimeError):
        await demo_api.post(f"/api/v1/holds/{held.id}/confirm", headers=held.headers)
    status = hooked.execute("SELECT status::text FROM reservation WHERE id = %s", (held.id,))
    assert status.fetchone() == ("held",)
    assert deliveries(hooked) == []
    assert await send_webhooks(pool, sending_settings) == 0 and receiver.got == []


async def test_a_failing_endpoint_is_retried_with_growing_pauses_by_the_database_clock(
    hooked: Conn,
    demo_api: Any,
    held: HeldRoom,
    receiver: Receiver,
    pool: Pool,
    sending_settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    receiver.statuses = [500, 503]
    await book(demo_api, held)
    with caplog.at_level(logging.INFO):
        assert await send_webhooks(pool, sending_settings) == 0
    # Logs name the host only (the path is often a credential), never the secret or guest.
    assert f"to http://127.0.0.1:{receiver.port}/… failed (try 1)" in caplog.text
    assert "door-lock" not in caplog.text and SECRET.removeprefix("whsec_") not in caplog.text
    assert "Anna" not in caplog.text
    (row,) = deliveries(hooked)
    assert (row["state"], row["attempts"], row["last_status"]) == ("pending", 1, 500)
    assert row["last_error"] == "the endpoint answered 500"
    assert await send_webhooks(pool, sending_settings) == 0  # not due yet: nobody is called
    assert len(receiver.got) == 1

    advance_clock(hooked, timedelta(seconds=61))
    assert await send_webhooks(pool, sending_settings) == 0  # the 503
    advance_clock(hooked, timedelta(seconds=61))
    assert await send_webhooks(pool, sending_settings) == 0  # the pause doubled: not yet
    advance_clock(hooked, timedelta(seconds=60))
    assert await send_webhooks(pool, sending_settings) == 1
    assert len(receiver.got) == 3
    # Every try is the same message (receivers deduplicate by its id), each freshly signed.
    assert len({got.headers["webhook-id"] for got in receiver.got}) == 1
    assert all(got.verified()["type"] == "booking.confirmed" for got in receiver.got)
    (row,) = deliveries(hooked)
    assert (row["state"], row["attempts"], row["last_error"]) == ("delivered", 3, None)


async def test_a_test_propertys_moved_clock_makes_its_retry_due(
    hooked: Conn, receiver: Receiver, pool: Pool, sending_settings: Settings
) -> None:
    await first_try_answered(500, receiver, pool, sending_settings)
    assert await send_webhooks(pool, sending_settings) == 0  # not due yet
    # The testing API moves the property's clock past the pause (decision 16): the retry
    # is due by that clock, though the deployment's has not moved.
    move_property_clock(hooked, "demo", timedelta(seconds=61))
    assert await send_webhooks(pool, sending_settings) == 1
    (row,) = deliveries(hooked)
    assert (row["state"], row["attempts"]) == ("delivered", 2)


async def test_an_endpoint_that_does_not_answer_in_time_is_retried(
    demo_property: Conn, receiver: Receiver, pool: Pool, sending_settings: Settings
) -> None:
    receiver.hang.add("/stuck")
    hooks = webhooks_toml(hook(receiver, "/stuck"))
    apply_property(demo_property, parse_property(DEMO_TOML + hooks))
    await enqueue_now(pool, "booking.confirmed", "ABC123")
    assert await send_webhooks(pool, sending_settings, seconds=0.2) == 0
    (row,) = deliveries(demo_property)
    assert row["state"] == "pending"
    assert "no complete answer within 0.2 seconds" in row["last_error"]
    assert row["next_attempt_at"] > row["created_at"]


async def first_try_answered(
    status: int, receiver: Receiver, pool: Pool, sending_settings: Settings
) -> None:
    """A delivery of the demo's is written and tried once; the endpoint answers ``status``."""
    receiver.statuses = [status]
    await enqueue_now(pool, "booking.confirmed", "ABC123")
    assert await send_webhooks(pool, sending_settings) == 0


async def enqueue_now(pool: Pool, event_type: str, reference: str) -> None:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT id FROM property WHERE slug = 'demo'")
        found = await cur.fetchone()
        assert found is not None
        data = {"reference": reference, "guest": {"name": "Anna", "email": "anna@example.com"}}
        await enqueue(conn, found["id"], event_type, data, booking_ref=reference)


async def test_a_delivery_is_given_up_after_a_day_and_then_the_next_one_goes(
    hooked: Conn, receiver: Receiver, pool: Pool, sending_settings: Settings
) -> None:
    receiver.statuses = [500] * 40
    await enqueue_now(pool, "booking.confirmed", "ABC123")
    await enqueue_now(pool, "booking.cancelled", "ABC123")
    first = deliveries(hooked)[0]
    tries = []
    while deliveries(hooked)[0]["state"] == "pending":
        row = deliveries(hooked)[0]
        set_clock(hooked, row["next_attempt_at"])
        tries.append(row["next_attempt_at"])
        await send_webhooks(pool, sending_settings)
        assert len(tries) < 30
    pauses = [round((b - a).total_seconds()) for a, b in itertools.pairwise(tries)]
    # Exponential back-off ... (the test clock keeps running after set_clock, so a busy
    # machine adds a second or two between setting it and the try)
    assert [abs(p - e) <= 5 for p, e in zip(pauses, [60, 120, 240, 480], strict=False)] == [
        True
    ] * 4
    assert max(pauses) <= 4 * 3600 + 5  # capped at four hours (the same drift)
    assert tries[-1] == first["give_up_at"] == first["created_at"] + timedelta(days=1)
    assert deliveries(hooked)[0]["state"] == "failed"
    # The later event of that booking was held back all day, never sent before it ...
    assert receiver.types() == ["booking.confirmed"] * len(tries)
    receiver.statuses = []
    # ... and goes once the earlier one was given up.
    assert await send_webhooks(pool, sending_settings) == 1
    assert receiver.types()[-1] == "booking.cancelled"


async def test_a_bookings_events_arrive_in_order_while_others_go_ahead(
    hooked: Conn,
    demo_api: Any,
    held: HeldRoom,
    receiver: Receiver,
    pool: Pool,
    sending_settings: Settings,
    database_url: str,
) -> None:
    reference = await book(demo_api, held)
    booking = None
    async with pool.connection() as conn:
        booking = await booking_for_guest_unchecked(conn, reference)
        await cancel_booking(conn, DemoProvider(database_url), booking)
    await enqueue_now(pool, "booking.confirmed", "OTHER1")
    receiver.fail_once.add(reference)  # the confirmation fails first
    assert await send_webhooks(pool, sending_settings) == 1  # only the other booking's
    assert await send_webhooks(pool, sending_settings) == 0  # the cancellation waits
    advance_clock(hooked, timedelta(seconds=61))
    while await send_webhooks(pool, sending_settings):
        pass
    ours = [
        msgspec.json.decode(got.body)["type"]
        for got in receiver.got
        if msgspec.json.decode(got.body)["data"]["reference"] == reference
    ]
    assert ours == ["booking.confirmed", "booking.confirmed", "booking.cancelled"]
    cancelled = receiver.got[-1].verified()["data"]
    assert cancelled["status"] == "cancelled" and cancelled["refund"]["currency"] == "EUR"


async def test_two_workers_sending_at_once_deliver_each_event_once(
    hooked: Conn, receiver: Receiver, pool: Pool, sending_settings: Settings
) -> None:
    for n in range(12):
        await enqueue_now(pool, "booking.confirmed", f"REF{n:03}")
    sent = await asyncio.gather(*(send_webhooks(pool, sending_settings) for _ in range(3)))
    assert sum(sent) == 12
    ids = [got.headers["webhook-id"] for got in receiver.got]
    assert len(ids) == 12 and len(set(ids)) == 12
    assert {d["state"] for d in deliveries(hooked)} == {"delivered"}


async def test_a_crashed_workers_claim_lapses_and_its_late_word_is_ignored(
    hooked: Conn, receiver: Receiver, pool: Pool, sending_settings: Settings
) -> None:
    await enqueue_now(pool, "booking.confirmed", "ABC123")
    crashed = "00000000-0000-0000-0000-00000000c0de"
    claim = {"limit": 5, "token": crashed, "lease_seconds": 60}
    assert len(hooked.execute(queries("webhooks")["claim_deliveries"], claim).fetchall()) == 1
    assert await send_webhooks(pool, sending_settings) == 0  # leased: left alone
    advance_clock(hooked, timedelta(seconds=61))
    assert await send_webhooks(pool, sending_settings) == 1
    late = {
        "id": deliveries(hooked)[0]["id"],
        "token": crashed,
        "status": 500,
        "error": "late",
        "retry_in": 60,
    }
    assert hooked.execute(queries("webhooks")["delivery_failed"], late).fetchall() == []
    assert deliveries(hooked)[0]["state"] == "delivered"


async def test_a_private_address_is_refused_unless_allowed(
    hooked: Conn, receiver: Receiver, pool: Pool, quiet_settings: Settings
) -> None:
    await enqueue_now(pool, "booking.confirmed", "ABC123")
    assert await send_webhooks(pool, quiet_settings) == 0
    assert receiver.got == []
    (row,) = deliveries(hooked)
    assert "leads to a loopback address (127.0.0.1)" in row["last_error"]
    assert row["state"] == "pending"


async def test_a_redirect_is_a_failed_try_never_followed(
    hooked: Conn, receiver: Receiver, pool: Pool, sending_settings: Settings
) -> None:
    await first_try_answered(307, receiver, pool, sending_settings)
    (row,) = deliveries(hooked)
    assert row["last_error"] == "the endpoint answered 307" and len(receiver.got) == 1


async def test_the_services_background_job_delivers_a_booking(
    hooked: Conn, held: HeldRoom, receiver: Receiver, sending_settings: Settings
) -> None:
    running = msgspec.structs.replace(
        sending_settings,
        background_jobs=True,
        webhook_seconds=0.05,
        sweep_seconds=60.0,
        outbox_seconds=60.0,
        reconcile_seconds=600.0,
    )
    async with AsyncTestClient(app=create_app(running)) as api:
        reference = await book(api, held)
        async with asyncio.timeout(10):
            while not receiver.got:  # noqa: ASYNC110 (the receiver is another thread)
                await asyncio.sleep(0.02)
    assert receiver.got[0].verified()["data"]["reference"] == reference


async def test_one_delivery_that_cannot_be_sent_does_not_hold_back_the_batch(
    hooked: Conn, receiver: Receiver, pool: Pool, sending_settings: Settings
) -> None:
    await enqueue_now(pool, "booking.confirmed", "ABC123")
    await enqueue_now(pool, "booking.confirmed", "XYZ789")
    # A secret that passed the file's check once but cannot sign now (say, edited by hand).
    hooked.execute("UPDATE webhook_endpoint SET secret = 'whsec_'")
    assert await send_webhooks(pool, sending_settings) == 0
    assert {d["last_error"] for d in deliveries(hooked)} == {
        "could not be sent (EmptyWebhookSecretError)"
    }
    assert {d["state"] for d in deliveries(hooked)} == {"pending"}
