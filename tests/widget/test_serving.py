"""``innkeep serve --workers N``: the workers' connections answer without Nagle's delay.

With TCP_NODELAY off, an answer written in two sends (h11 writes the head, then the body)
waits for the guest's delayed ACK: every answer ~40 ms late. How fast is measured in
bench/holds.py; this checks the cause, the option on a connection a worker accepted."""

from __future__ import annotations

import asyncio
import socket
from multiprocessing.reduction import ForkingPickler

import uvicorn

from widget.serving import listening_socket


async def nodelay_of_a_worker_connection(listener: socket.socket) -> int:
    """TCP_NODELAY on a connection accepted, as a worker does, on ``listener``."""
    loop = asyncio.get_running_loop()
    accepted: asyncio.Future[int] = loop.create_future()

    class Worker(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    server = await loop.create_server(Worker, sock=listener)
    try:
        _, guest = await asyncio.open_connection(*listener.getsockname())
        nodelay = await asyncio.wait_for(accepted, 10)
        guest.close()
        return nodelay
    finally:
        server.close()


def test_a_worker_sends_its_answers_without_waiting_for_the_guests_ack() -> None:
    config = uvicorn.Config("widget.app:create_app_from_env", host="127.0.0.1", port=0)
    listener = listening_socket(config)
    # The socket each worker gets: pickled to the spawned process, as uvicorn sends it.
    in_the_worker = ForkingPickler.loads(ForkingPickler.dumps(listener))
    listener.close()
    assert asyncio.run(nodelay_of_a_worker_connection(in_the_worker)) != 0
