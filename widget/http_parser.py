"""The HTTP parser the service runs behind: uvicorn's httptools protocol, bounded."""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

#: The most a request's head (request line and headers) may take, as h11's default: a
#: guest's browser sends a few hundred bytes, and a huge head costs memory before any check.
MAX_HEAD_BYTES = 16 * 1024


class _HeadTooLarge(Exception):
    """Raised from a parser callback: the head went past `MAX_HEAD_BYTES`."""


class BoundedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol (less CPU per request than h11's: see
    docs/performance.md) with h11's bound on a request's head, which httptools does not
    have: past `MAX_HEAD_BYTES` the guest gets 431 and the connection is closed.

    Two counts, as the parser buffers a header until it is whole: the bytes of the head
    handed over so far (URL and headers), and the bytes received while a head was still
    unfinished (a header sent in small pieces, never completed)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = False
        self._head_bytes = 0  # of the URL and headers handed over by the parser
        self._unfinished_bytes = 0  # received while a head was unfinished
        self._refused = False

    def data_received(self, data: bytes) -> None:
        if self._refused:  # answered 431 and closing: whatever still comes is dropped
            return
        super().data_received(data)
        if self._in_head and not self._refused:
            self._unfinished_bytes += len(data)
            if self._unfinished_bytes > MAX_HEAD_BYTES:
                self._refused = True
                self.send_400_response("")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._head_bytes = True, 0

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head, self._unfinished_bytes = False, 0
        super().on_headers_complete()

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > MAX_HEAD_BYTES:
            self._refused = True
            raise _HeadTooLarge  # the parser stops; uvicorn answers through send_400_response

    def send_400_response(self, msg: str) -> None:
        if not self._refused:
            super().send_400_response(msg)
            return
        said = f"The request's headers take more than {MAX_HEAD_BYTES} bytes."
        self.transport.write(
            STATUS_LINE[431]
            + b"content-type: text/plain; charset=utf-8\r\n"
            + f"content-length: {len(said)}\r\n".encode()
            + b"connection: close\r\n\r\n"
            + said.encode()
        )
        self.transport.close()
