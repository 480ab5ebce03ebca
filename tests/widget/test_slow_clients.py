"""Clients that send their headers and then stall the body must not take the database away
from everyone else: real sockets against the service served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import free_port, with_settings
from tests.helpers import DEMO_TOML
from tests.payments.conftest import GUEST
from tests.served import served_in_thread
from widget.app import create_app
from widget.intake import JSON_BODY_LIMIT
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings

POOL = 3
#: Short, so the test sees the 408s in seconds; the guest's calls take well under it.
DEADLINE = 4.0
#: A guest's call is "prompt" if it answers within this (the pool's own wait is 5 s).
PROMPT = 2.5


@pytest.fixture
def served(settings: Settings, database_url: str, clean: None) -> Iterator[tuple[str, int]]:
    """The service with a small pool and a short body deadline, served by uvicorn."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        apply_property(conn, parse_property(DEMO_TOML))
    app = create_app(with_settings(settings, db_pool_max=POOL, body_read_seconds=DEADLINE))
    port = free_port()
    with served_in_thread(app, port, lifespan="on"):
        yield f"http://127.0.0.1:{port}", port


def stalled(port: int, path: str, headers: dict[str, str]) -> socket.socket:
    """A client that sends the headers and one byte of a 64-byte body, then waits."""
    sock = socket.create_connection(("127.0.0.1", port))
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Content-Length: 64"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + b"{")
    return sock


def still_waiting(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return not sock.recv(1, socket.MSG_PEEK)  # b"" would mean closed
    except BlockingIOError:
        return True
    finally:
        sock.setblocking(True)


def answer_of(sock: socket.socket) -> tuple[int, dict[str, Any]]:
    sock.settimeout(DEADLINE + 10)
    raw = b""
    while b"\r\n\r\n" not in raw or not raw.rstrip().endswith(b"}"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def a_guest_books(base: str) -> None:
    """Calendar, quote, hold, checkout and confirm, each answered promptly."""
    check_in = date.today() + timedelta(days=60)
    stay = {
        "room_type": "double-sea-view",
        "check_in": str(check_in),
        "check_out": str(check_in + timedelta(days=3)),
        "adults": 2,
    }
    with httpx.Client(base_url=base, timeout=PROMPT) as guest:
        calendar = guest.get(
            "/api/v1/properties/demo/calendar",
            params={"start": stay["check_in"], "end": stay["check_out"]},
        )
        assert calendar.status_code == 200, calendar.text
        quote = guest.post("/api/v1/properties/demo/quotes", json=stay)
        assert quote.status_code == 200, quote.text
        hold = guest.post("/api/v1/properties/demo/holds", json=stay)
        assert hold.status_code == 201, hold.text
        held = hold.json()
        token = {"X-Hold-Token": held["token"]}
        checkout = guest.post(f"/api/v1/holds/{held['id']}/checkout", json=GUEST, headers=token)
        assert checkout.status_code == 200, checkout.text
        confirm = guest.post(f"/api/v1/holds/{held['id']}/confirm", json={}, headers=token)
        assert confirm.status_code == 200, confirm.text
        assert confirm.json()["status"] == "confirmed"
        ready = guest.get("/readyz")
        assert ready.status_code == 200, ready.text


def test_stalled_bodies_hold_no_database_connection_and_end_in_408(
    served: tuple[str, int],
) -> None:
    base, port = served
    sockets = [
        stalled(port, f"/api/v1/holds/{uuid.uuid4()}/release", {"Content-Type": "text/plain"})
        if n % 2
        else stalled(
            port,
            f"/api/v1/holds/{uuid.uuid4()}/confirm",
            {"Content-Type": "application/json", "Idempotency-Key": f"stall-{n}"},
        )
        for n in range(2 * POOL)
    ]
    try:
        time.sleep(0.3)  # let the service start on every one of them
        a_guest_books(base)
        assert all(still_waiting(sock) for sock in sockets)
        for sock in sockets:
            status, body = answer_of(sock)
            assert status == 408 and body["error"] == "request_timeout"
    finally:
        for sock in sockets:
            sock.close()


def test_a_chunked_body_is_counted_as_it_arrives_and_refused_past_the_limit(
    served: tuple[str, int],
) -> None:
    """Without a Content-Length the limit still holds: 413 once the bytes pass it."""
    _, port = served
    with socket.create_connection(("127.0.0.1", port)) as sock:
        head = (
            f"POST /api/v1/properties/demo/quotes HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b'"' + b"A" * 4094 + b'"'
        sock.sendall(head.encode())
        with contextlib.suppress(OSError):  # the service may close before we finish
            for _ in range(JSON_BODY_LIMIT // len(chunk) + 2):
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        status, body = answer_of(sock)
    assert status == 413 and body["error"] == "too_large"
