"""A rolling restart: a host told to stop (SIGTERM) takes no new connection, finishes the
request in flight, and exits; its guest's hold lives on and is booked through another host."""

from __future__ import annotations

import json
import os
import socket
import time
from datetime import date, timedelta
from typing import Any

import httpx
import psycopg

from tests.payments.conftest import GUEST
from widget.testing.stack import Launch, Running, innkeep_serve

CHECK_IN = date.today() + timedelta(days=90)
STAY = {
    "room_type": "double-sea-view",
    "check_in": str(CHECK_IN),
    "check_out": str(CHECK_IN + timedelta(days=2)),
    "adults": 2,
}


def port_of(host: Running) -> int:
    return int(host.url.rsplit(":", 1)[1])


def begin_hold(port: int, body: bytes) -> socket.socket:
    """A guest's hold whose body is still on its way: the service has read the headers and
    is waiting for the body (its ``100 Continue`` says so)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (
        "POST /api/v1/properties/demo/holds HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "X-Innkeep-Session: rolling-restart-guest\r\n"
        "Expect: 100-continue\r\n\r\n"
    )
    sock.sendall(head.encode())
    assert sock.recv(100).startswith(b"HTTP/1.1 100 ")
    return sock


def finish(sock: socket.socket, body: bytes) -> tuple[int, dict[str, Any]]:
    """Send the rest of the body; the status and JSON of the answer (read until closed)."""
    sock.sendall(body)
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
    sock.close()
    head, _, content = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(content)


def refuses_connections(port: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except ConnectionRefusedError:
            return True
        time.sleep(0.05)
    return False


def test_a_host_stopped_mid_request_finishes_it_and_a_rolling_restart_loses_nothing(
    database_url: str, redis_url: str, demo_property: psycopg.Connection[Any]
) -> None:
    env = {
        **os.environ,
        "INNKEEP_DATABASE_URL": database_url,
        "INNKEEP_REDIS_URL": redis_url,
        "INNKEEP_ENV": "test",
        "INNKEEP_SHUTDOWN_SECONDS": "20",
    }
    body = json.dumps(STAY).encode()
    with (
        innkeep_serve(Launch(env), workers=1) as staying,
        innkeep_serve(Launch(env), workers=2) as leaving,
    ):
        guest = begin_hold(port_of(leaving), body)
        leaving.process.send_signal(15)  # SIGTERM: the restart begins
        assert refuses_connections(port_of(leaving)), "a stopping host still takes connections"
        status, hold = finish(guest, body)
        assert status == 201, hold
        assert leaving.process.wait(20) == 0
        # The guest's next steps go to the host that stayed (the load balancer's choice).
        token = {"X-Hold-Token": hold["token"]}
        with httpx.Client(base_url=staying.url, timeout=30) as client:
            paid = client.post(f"/api/v1/holds/{hold['id']}/checkout", json=GUEST, headers=token)
            assert paid.status_code == 200, paid.text
            booked = client.post(f"/api/v1/holds/{hold['id']}/confirm", headers=token)
            assert booked.status_code == 200, booked.text
    row = demo_property.execute(
        "SELECT status::text FROM reservation WHERE id = %s", (hold["id"],)
    ).fetchone()
    assert row == ("confirmed",)
    settling = demo_property.execute("SELECT count(*) FROM payment_settling").fetchone()
    assert settling == (0,)


def test_a_request_that_never_finishes_does_not_hold_the_host_past_its_deadline(
    database_url: str, redis_url: str, demo_property: psycopg.Connection[Any]
) -> None:
    env = {
        **os.environ,
        "INNKEEP_DATABASE_URL": database_url,
        "INNKEEP_REDIS_URL": redis_url,
        "INNKEEP_ENV": "test",
        "INNKEEP_SHUTDOWN_SECONDS": "1",
    }
    with innkeep_serve(Launch(env), workers=1) as host:
        stuck = begin_hold(port_of(host), json.dumps(STAY).encode())  # its body never comes
        began = time.monotonic()
        host.process.send_signal(15)
        host.process.wait(10)
        # The deadline (1 s), not the body's own time limit (10 s), ended the wait.
        assert time.monotonic() - began < 5
        stuck.close()
