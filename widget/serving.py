"""``innkeep serve``: uvicorn, stopping gracefully on SIGTERM (or Ctrl-C).

A host told to stop takes no new connection, lets the requests in flight finish (for at
most ``INNKEEP_SHUTDOWN_SECONDS``), then stops its background jobs, which give back their
leases: a rolling restart loses nothing.
"""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

from widget.http_parser import BoundedHttpTools

#: uvicorn's exit status for a server that could not start.
STARTUP_FAILURE = 3


class Workers(Multiprocess):
    """uvicorn's supervisor of worker processes, closing its own copy of the listening
    socket on SIGTERM or SIGINT. The workers close theirs as they begin to shut down; while
    the supervisor kept its copy, the kernel went on accepting connections into a queue that
    no worker would ever serve, and reset them at exit. Closed, a new connection is refused
    at once, so a load balancer sends it to another host."""

    def _stop_listening(self) -> None:
        for sock in self.sockets:
            sock.close()

    def handle_term(self) -> None:
        self._stop_listening()
        super().handle_term()

    def handle_int(self) -> None:
        self._stop_listening()
        super().handle_int()


def listening_socket(config: uvicorn.Config) -> socket.socket:
    """The socket several workers accept on, marked as TCP (``IPPROTO_TCP``).

    uvicorn binds it as ``socket.socket(family)``, protocol 0, and the accepted connections
    inherit that; asyncio only sets TCP_NODELAY on a connection whose protocol says TCP. h11
    writes an answer's head and body in two sends, so without it Nagle held the body back
    until the client's delayed ACK: every answer from ``--workers 2`` or more came about
    40 ms late (one worker listens through asyncio, which marks it TCP)."""
    sock = config.bind_socket()
    return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())


def serving_config(host: str, port: int, workers: int, shutdown_seconds: int) -> uvicorn.Config:
    """How ``innkeep serve`` runs uvicorn (settings from the environment)."""
    return uvicorn.Config(
        "widget.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=BoundedHttpTools,
        log_level="warning",
        # Never shown at "warning"; off, uvicorn also skips formatting each request's line.
        access_log=False,
        proxy_headers=False,  # INNKEEP_TRUSTED_PROXIES decides whom to believe, not uvicorn
        timeout_graceful_shutdown=shutdown_seconds,
    )


def serve_until_stopped(host: str, port: int, workers: int, shutdown_seconds: int) -> int:
    """Serve the app (settings from the environment) until stopped; the exit status."""
    config = serving_config(host, port, workers, shutdown_seconds)
    if config.workers == 1:
        server = uvicorn.Server(config)
        server.run()
        return 0 if server.started else STARTUP_FAILURE
    sock = listening_socket(config)
    try:
        Workers(config, sockets=[sock]).run()
    finally:
        sock.close()
    return 0
