"""A real HTTP receiver on 127.0.0.1 that records webhook deliveries, a property whose
file lists it, and a pool for driving the sender by hand (no background jobs)."""

from __future__ import annotations

import base64
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import msgspec
import psycopg
import pytest
from standardwebhooks import Webhook

from tests.helpers import DEMO_TOML
from tests.payments.conftest import demo_api, held  # noqa: F401 (fixtures used here)
from widget.db import Pool, create_pool
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings

SECRET = "whsec_" + base64.b64encode(b"casa-lanterna-webhook-key-32byte").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"another-endpoint-signing-key-32b").decode()


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes

    def verified(self, secret: str = SECRET) -> dict[str, Any]:
        """The payload, after checking its signature as a receiver would."""
        return Webhook(secret).verify(self.body, self.headers)  # type: ignore[no-any-return]


@dataclass
class Receiver:
    """Answers each POST with the next of ``statuses`` (then 204); records what it got.
    A path in ``hang`` waits (as a stuck endpoint) until the test ends."""

    port: int = 0
    statuses: list[int] = field(default_factory=list)
    hang: set[str] = field(default_factory=set)
    #: Booking references answered 500 once each (the order of concurrent requests varies).
    fail_once: set[str] = field(default_factory=set)
    got: list[Delivery] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hooks/door-lock") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def types(self) -> list[str]:
        return [msgspec.json.decode(d.body)["type"] for d in self.got]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            if self.path in receiver.hang:
                receiver.release.wait(10)
                return
            with receiver.lock:
                receiver.got.append(Delivery(self.path, dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                reference = msgspec.json.decode(body)["data"].get("reference")
                if reference in receiver.fail_once:
                    receiver.fail_once.discard(reference)
                    status = 500
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    # A short poll: the teardown's shutdown waits for the serving loop to notice.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()


def webhooks_toml(*hooks: dict[str, Any]) -> str:
    """``[[webhooks]]`` tables for the demo guesthouse's file."""
    out = ""
    for hook in hooks:
        out += "\n[[webhooks]]\n"
        for key, value in hook.items():
            # JSON strings, lists and booleans are TOML too.
            out += f"{key} = {msgspec.json.encode(value).decode()}\n"
    return out


def hook(receiver: Receiver, path: str = "/hooks/door-lock", **options: Any) -> dict[str, Any]:
    return {
        "url": receiver.url(path),
        "events": ["booking.confirmed", "booking.cancelled"],
        "secret": SECRET,
        **options,
    }


@pytest.fixture
def hooked(demo_property: psycopg.Connection[Any], receiver: Receiver) -> psycopg.Connection[Any]:
    """The demo guesthouse telling the receiver of its bookings (without guest data)."""
    apply_property(demo_property, parse_property(DEMO_TOML + webhooks_toml(hook(receiver))))
    return demo_property


@pytest.fixture
def sending_settings(quiet_settings: Settings) -> Settings:
    """Deliveries may reach the receiver on loopback (as INNKEEP_SYNC_ALLOW_PRIVATE_NETWORKS)."""
    return msgspec.structs.replace(quiet_settings, sync_allow_private_networks=("127.0.0.0/8",))


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[Pool]:
    pool = create_pool(database_url, 4)
    await pool.open()
    try:
        yield pool
    finally:
        await pool.close()
