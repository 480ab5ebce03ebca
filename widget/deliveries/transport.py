"""How a delivery leaves: one HTTP POST, no redirects, no proxies, a time limit.

Interim: this refuses loopback, private, link-local and metadata addresses by resolving
the host before connecting. The shared outbound fetcher (`widget.outbound`, decision 15)
checks the address actually connected to; deliveries move to it when it lands.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

#: Seconds for the whole call; an endpoint slower than this is retried later.
TIMEOUT_SECONDS = 10.0
#: What is read of an answer (only its status matters).
MAX_ANSWER_BYTES = 64 * 1024


class DeliveryRefused(Exception):
    """The delivery could not be made (no answer, a refused address); the message says why
    in words that carry no URL path and no secret."""


class _NoRequestLines(logging.Filter):
    """httpx logs each request's whole URL at INFO; a webhook URL's path is a credential."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("HTTP Request")


_QUIET = _NoRequestLines()


@dataclass(frozen=True)
class Answer:
    status: int


async def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allow_private: bool,
    seconds: float = TIMEOUT_SECONDS,
) -> Answer:
    """POST ``body`` to ``url``; the endpoint's status, or `DeliveryRefused`."""
    httpx_log = logging.getLogger("httpx")
    if _QUIET not in httpx_log.filters:
        httpx_log.addFilter(_QUIET)
    await _check_address(url, allow_private)
    try:
        async with httpx.AsyncClient(
            trust_env=False, follow_redirects=False, timeout=seconds
        ) as client, client.stream("POST", url, content=body, headers=headers) as answer:
            read = 0
            async for chunk in answer.aiter_raw():
                read += len(chunk)
                if read >= MAX_ANSWER_BYTES:
                    break
            return Answer(answer.status_code)
    except httpx.TimeoutException:
        raise DeliveryRefused(f"no answer within {seconds:g} s") from None
    except httpx.HTTPError as exc:
        raise DeliveryRefused(f"could not connect: {type(exc).__name__}") from None


async def _check_address(url: str, allow_private: bool) -> None:
    host = urlsplit(url).hostname or ""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        raise DeliveryRefused("the host name does not resolve") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global and not allow_private:
            raise DeliveryRefused(
                f"refused: the host resolves to a non-public address ({address})"
            )
