"""A small stand-in for an Innkeep service (and a guesthouse's page), for the QA kit's
tests that must never start a browser or reach a real service."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: What the kit asks to learn whether a service is in test mode (a 404 naming the probe's
#: property says it is; a service without the testing API answers nothing like it).
PROBE = "/api/testing/v1/properties/qa-journeys-probe/emails"
PROBE_ANSWER = '{"error": "not_found", "message": "No test property \'qa-journeys-probe\'."}'


class StandIn(BaseHTTPRequestHandler):
    """Answers with `send`; quiet. Subclasses say what each path answers (``do_GET``)."""

    def send(self, status: int, media: str, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serving(handler: type[StandIn], **attributes: object) -> Iterator[str]:
    """``handler`` (with ``attributes`` set on a subclass of it) on a free local port: its
    base URL, while the ``with`` lasts."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Served", (handler,), attributes))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
