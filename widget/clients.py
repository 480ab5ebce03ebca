"""Who is asking: the widget session and the client's address.

Forwarded addresses are believed only from the networks in ``INNKEEP_TRUSTED_PROXIES``;
anyone else could write any ``X-Forwarded-For`` they like.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache, lru_cache
from typing import Any

from litestar import Request

from widget.headers import SESSION as SESSION_HEADER
from widget.inventory.quotas import Client
from widget.settings import Settings

_SESSION = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(n) for n in trusted)


# Parsing an address costs more than the rest of a refused hold's bookkeeping; the same few
# (the proxies, a guest's retries) come again and again. Bounded: headers can say anything.
@lru_cache(maxsize=4096)
def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Request[Any, Any, Any], settings: Settings) -> str:
    """The address of whoever sent the request, looking through trusted proxies only."""
    peer = request.client.host if request.client else "unknown"
    networks = _networks(settings.trusted_proxies)
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded = request.headers.get("x-forwarded-for", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    # The right-most hop a trusted proxy did not add is the client.
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


@lru_cache(maxsize=4096)
def counted_address(address: str) -> str:
    """The address quotas count: an IPv6 client by its /64, the smallest block one subscriber
    is given (they may use any of its 2^64 addresses); an IPv4-mapped one as IPv4."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def client_of(request: Request[Any, Any, Any], settings: Settings) -> Client:
    """Who asks, as hold quotas count them: the widget session and the counted address."""
    session = request.headers.get(SESSION_HEADER)
    return Client(
        session=session if session and _SESSION.match(session) else None,
        # Found when first used: a race's losers never use it.
        find_address=lambda: counted_address(client_address(request, settings)),
    )
