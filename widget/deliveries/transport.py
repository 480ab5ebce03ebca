"""How a delivery leaves: one POST through the shared SSRF-safe client (`widget.outbound`,
decision 15), no redirects followed (a 3xx is a failed try), one time limit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from widget.outbound import Network, OutboundFailed, OutboundRefused, fetch

#: Seconds for the whole call; an endpoint slower than this is retried later.
TIMEOUT_SECONDS = 10.0
#: What is read of an answer (only its status matters; a bigger one is a failed try).
MAX_ANSWER_BYTES = 1024 * 1024


class DeliveryRefused(Exception):
    """The delivery could not be made (no answer, a refused address); the message says why
    in words that carry no URL path and no secret."""


@dataclass(frozen=True)
class Answer:
    status: int


async def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allow_networks: Sequence[Network],
    seconds: float = TIMEOUT_SECONDS,
) -> Answer:
    """POST ``body`` to ``url``; the endpoint's status, or `DeliveryRefused`.
    ``allow_networks``: the non-public networks it may reach anyway (tests: loopback)."""
    # httpx's own request lines carry the URL, whose path is a credential: `fetch` has
    # them written without it (`widget.outbound.HiddenUrls`).
    try:
        answer = await fetch(
            "POST",
            url,
            headers=headers,
            body=body,
            max_bytes=MAX_ANSWER_BYTES,
            timeout=seconds,
            max_redirects=0,
            allow_networks=allow_networks,
        )
    except (OutboundRefused, OutboundFailed) as failed:
        raise DeliveryRefused(str(failed)) from None
    return Answer(answer.status)
