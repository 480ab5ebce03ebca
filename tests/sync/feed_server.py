"""A real HTTP server on 127.0.0.1 that serves iCal feeds the way OTAs do (with ``ETag`` and
``304``), and misbehaves on demand: a status, a delay, a redirect, a huge or gzipped body."""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/calendar; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    gzip: bool = False
    #: Serve ``body`` this many times (a huge answer without holding it in memory).
    repeat: int = 1
    #: Answer only once this is set (a slow channel, for exactly as long as a test needs).
    gate: threading.Event | None = None


class FeedServer:
    """Routes by path; records each request's path and headers."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                server.answer(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        # A short poll: `close` waits for the serving loop to notice, once per test.
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        route = self.routes.get(handler.path.split("?")[0])
        if route is None:
            route = Route(b"no such feed", 404, "text/plain")
        if route.delay:
            time.sleep(route.delay)
        if route.gate is not None:
            route.gate.wait(60)
        etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
        if route.status == 200 and handler.headers.get("If-None-Match") == etag:
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        body = gzip.compress(route.body) if route.gzip else route.body
        handler.send_response(route.status)
        handler.send_header("Content-Type", route.content_type)
        if route.status == 200:
            handler.send_header("ETag", etag)
        if route.gzip:
            handler.send_header("Content-Encoding", "gzip")
        for name, value in route.headers.items():
            handler.send_header(name, value)
        if "Content-Length" not in route.headers:  # a route may promise more than it sends
            handler.send_header("Content-Length", str(len(body) * route.repeat))
        handler.end_headers()
        try:
            for _ in range(route.repeat):
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if "Content-Length" in route.headers:
            handler.close_connection = True

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def running() -> Iterator[FeedServer]:
    server = FeedServer()
    try:
        yield server
    finally:
        server.close()
