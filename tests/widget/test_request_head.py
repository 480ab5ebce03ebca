"""A request's head (request line and headers) is bounded: past 16 KB the guest gets 431 and
the connection closes, whether the head comes at once or in small pieces that never end.
uvicorn's httptools parser (which ``innkeep serve`` runs for its speed) has no such bound of
its own; h11, which it replaced, stopped at 16 KB."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import free_port
from tests.served import served_in_thread
from widget.http_parser import MAX_HEAD_BYTES, BoundedHttpTools
from widget.serving import serving_config


async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers 200 with the number of headers it was given."""
    if scope["type"] != "http":
        return
    body = str(len(scope["headers"])).encode()
    length = (b"content-length", str(len(body)).encode())
    await send({"type": "http.response.start", "status": 200, "headers": [length]})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    assert serving_config("127.0.0.1", 0, 1, 5).http is BoundedHttpTools  # `innkeep serve`'s
    chosen = free_port()
    with served_in_thread(hello, chosen, log_level="error"):
        yield chosen


def head(filler: int, *, end: bool = True) -> bytes:
    """A GET whose one extra header carries ``filler`` bytes."""
    text = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: {'a' * filler}\r\n"
    return (text + ("\r\n" if end else "")).encode()


def answer(sock: socket.socket) -> bytes:
    """One answer: its head and the body its Content-Length announces."""
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before an answer: {data!r}"
        data += chunk
    said, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in said.lower().split(b"\r\n")
        if line.startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return said + b"\r\n\r\n" + body


def closed(sock: socket.socket) -> bool:
    sock.settimeout(10)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_a_head_within_the_bound_is_served_and_the_connection_kept(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for _ in range(2):  # keep-alive: the count starts again with each request
            sock.sendall(head(MAX_HEAD_BYTES - 200))
            said = answer(sock)
            assert said.startswith(b"HTTP/1.1 200"), said[:80]
            assert said.endswith(b"\r\n\r\n2")  # Host and X-Filler reached the app


def test_a_head_past_the_bound_gets_431_and_the_connection_closes(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head(MAX_HEAD_BYTES + 100))
        said = answer(sock)
        assert said.startswith(b"HTTP/1.1 431 Request Header Fields Too Large"), said[:80]
        assert b"more than 16384 bytes" in said
        assert closed(sock)


def test_a_head_sent_in_small_pieces_that_never_ends_is_cut_at_the_bound(port: int) -> None:
    """The parser keeps an unfinished header to itself: the bytes received are counted."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head(0, end=False) + b"X-Endless: ")
        sent, refused = 0, b""
        while sent < 4 * MAX_HEAD_BYTES:
            try:
                sock.sendall(b"b" * 1024)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += 1024
            sock.settimeout(0.05)  # a poll: has the server answered yet?
            try:
                refused = sock.recv(65536)
            except TimeoutError:
                continue
            break
        assert refused.startswith(b"HTTP/1.1 431"), (sent, refused[:80])
        assert MAX_HEAD_BYTES - 1024 <= sent <= MAX_HEAD_BYTES + 8 * 1024
