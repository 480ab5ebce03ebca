"""An ASGI app served by uvicorn in a thread of the test process, on 127.0.0.1, with the
HTTP parser ``innkeep serve`` runs: for tests that need real sockets."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

from widget.http_parser import BoundedHttpTools


@contextlib.contextmanager
def served_in_thread(app: Any, port: int, **config: Any) -> Iterator[None]:
    """Serve ``app`` on ``port`` until the block ends (``config``: more `uvicorn.Config`
    options, e.g. ``lifespan="on"``). uvicorn leaves signals alone outside the main thread."""
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            http=BoundedHttpTools,
            log_level=config.pop("log_level", "warning"),
            **config,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    give_up = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < give_up and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(15)
