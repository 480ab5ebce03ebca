"""Calls from Innkeep to addresses someone else typed (iCal feeds, owner webhooks).

An owner's URL is untrusted input that makes the server open a connection, so every such
call goes through `fetch` (decision 15):

- only ``http`` and ``https``;
- the name is resolved once, every address it resolves to is checked (loopback, private,
  link-local, cloud metadata, unspecified, multicast and other non-global addresses are
  refused unless the caller allows private networks), and the connection goes to the address
  that was checked: the URL is rewritten to that address, while the ``Host`` header and the
  TLS server name (SNI, and so the certificate check) keep the name. A second resolution,
  which DNS rebinding would exploit, never happens;
- each redirect is a new URL, checked the same way, up to a limit;
- one deadline for the whole call, a cap on the bytes read (counted while streaming, before
  and after gzip, so a compressed bomb stops at the cap), and no proxy from the environment.

URLs may be credentials (an OTA's feed URL is its only secret): `url_for_logs` is how one is
written in a log line or an error message, and the HTTP client's own log lines get the same
treatment (`HiddenUrls`).
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import logging
import re
import socket
import ssl
import zlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

#: Resolves a host name and port to IP address strings (tests pass a stub that maps test names
#: to addresses, so no test needs DNS).
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
#: Every address: what ``INNKEEP_SYNC_ALLOW_PRIVATE_NETWORKS=true`` allows.
EVERYWHERE: tuple[Network, ...] = (
    ipaddress.IPv4Network("0.0.0.0/0"),
    ipaddress.IPv6Network("::/0"),
)

REDIRECTS = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "Innkeep (+https://innkeep.invalid/bot)"
_CHUNK = 65536


class OutboundRefused(Exception):
    """The URL may not be called: its scheme, or an address it (or a redirect) leads to."""


class OutboundFailed(Exception):
    """The call was allowed but did not give an answer we can use (network, time, size)."""


@dataclass(frozen=True)
class Fetched:
    """An answer: status, headers (names lower-case), the body (decompressed) and the URL
    that gave it after any redirects."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    final_url: str


def url_for_logs(url: str) -> str:
    """``scheme://host/…#shorthash``: enough to tell feeds apart, never the secret path."""
    parts = urlsplit(url)
    digest = hashlib.sha256(url.encode()).hexdigest()[:8]
    host = parts.hostname or "?"
    return f"{parts.scheme or '?'}://{host}/…#{digest}"


class HiddenUrls(logging.Filter):
    """Rewrites the URLs in the HTTP client's own log lines (httpx logs every request at
    INFO, ``HTTP Request: GET https://…/ical/SECRET.ics "HTTP/1.1 200 OK"``) as
    `url_for_logs` writes them; the line itself stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_hidden(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _hidden(arg) for key, arg in record.args.items()}
        if isinstance(record.msg, str) and "://" in record.msg:
            record.msg = _URL.sub(lambda found: url_for_logs(found[0]), record.msg)
        return True


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")


def _hidden(arg: object) -> object:
    if isinstance(arg, httpx.URL) or (isinstance(arg, str) and "://" in arg):
        return _URL.sub(lambda found: url_for_logs(found[0]), str(arg))
    return arg


def hide_urls_in_client_logs() -> None:
    """Put `HiddenUrls` on the HTTP client's loggers (once: calling again changes nothing).
    `fetch` calls it, so no outbound call can log a whole URL, whatever the log level."""
    for name in _CLIENT_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, HiddenUrls) for f in logger.filters):
            logger.addFilter(HiddenUrls())


#: The loggers httpx and its transport write to (filters are per logger, not inherited).
_CLIENT_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)


async def system_resolver(host: str, port: int) -> Sequence[str]:
    """Every address the system's resolver gives for ``host``."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def forbidden_reason(address: str) -> str | None:
    """Why ``address`` must not be called from a public service, or None if it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (
        (ip.is_loopback, "a loopback address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_link_local, "a link-local or cloud metadata address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_private, "a private network address"),
        (not ip.is_global, "an address that is not on the public internet"),
    )
    for hit, reason in checks:
        if hit:
            return reason
    return None


@dataclass(frozen=True)
class _Target:
    url: httpx.URL
    #: The name the Host header and TLS keep, and the checked address the socket goes to.
    host: str
    host_header: str
    address: str


def networks(cidrs: Sequence[str]) -> tuple[Network, ...]:
    """``Settings.sync_allow_private_networks`` as networks `fetch` takes."""
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _allowed(address: str, allowed: Sequence[Network]) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(ip.version == net.version and ip in net for net in allowed)


async def _target(url: str, resolver: Resolver, allowed: Sequence[Network]) -> _Target:
    """Where ``url`` may be fetched from: a checked address, or `OutboundRefused`."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as bad:
        raise OutboundRefused(f"{url_for_logs(url)} is not a valid URL") from bad
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise OutboundRefused(f"{url_for_logs(url)}: only http:// and https:// URLs are allowed")
    host = parsed.host
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = await _resolve(host, port, resolver)
    for address in addresses:
        reason = forbidden_reason(address)
        if reason is not None and not _allowed(address, allowed):
            raise OutboundRefused(
                f"{url_for_logs(url)} leads to {reason} ({address}), which Innkeep does not call"
            )
    header = host if parsed.port is None else f"{host}:{parsed.port}"
    if ":" in host and parsed.port is not None:
        header = f"[{host}]:{parsed.port}"
    return _Target(parsed.copy_with(host=addresses[0]), host, header, addresses[0])


async def _resolve(host: str, port: int, resolver: Resolver) -> Sequence[str]:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return [host]
    try:
        addresses = await resolver(host, port)
    except OSError as failed:
        raise OutboundFailed(f"the name {host} could not be resolved ({failed})") from failed
    if not addresses:
        raise OutboundFailed(f"the name {host} has no address")
    return addresses


@dataclass(frozen=True)
class _Call:
    """What stays the same across one call's hops."""

    max_bytes: int
    seconds: float
    max_redirects: int
    resolver: Resolver
    allowed: Sequence[Network]
    #: Certificates to trust; None: the public CAs (certifi), as httpx does.
    tls: ssl.SSLContext | None = None


async def fetch(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    max_bytes: int,
    timeout: float,  # noqa: ASYNC109 - one deadline for all hops, enforced inside
    max_redirects: int = 5,
    resolver: Resolver | None = None,
    allow_networks: Sequence[Network] = (),
    tls: ssl.SSLContext | None = None,
) -> Fetched:
    """Call ``url`` safely (see the module's docstring) and return the answer, whatever its
    status. ``allow_networks`` lets non-public addresses in those networks through (tests
    allow loopback; a deployment may allow its own LAN). ``max_redirects=0`` returns a
    redirect as the answer. Raises `OutboundRefused` for a URL or address that may not be
    called and `OutboundFailed` when no usable answer came (both with a message in words).
    ``tls`` replaces the trusted certificates (tests trust their own authority)."""
    hide_urls_in_client_logs()
    call = _Call(
        max_bytes, timeout, max_redirects, resolver or system_resolver, allow_networks, tls
    )
    try:
        async with asyncio.timeout(timeout):
            return await _follow(call, method, url, dict(headers or {}), body)
    except TimeoutError:
        raise OutboundFailed(
            f"{url_for_logs(url)} gave no complete answer within {timeout:g} seconds"
        ) from None


async def _follow(
    call: _Call, method: str, url: str, headers: dict[str, str], body: bytes | None
) -> Fetched:
    first_host = urlsplit(url).hostname
    for _ in range(call.max_redirects + 1):
        target = await _target(url, call.resolver, call.allowed)
        if target.host != first_host:
            # Credentials meant for one host are never sent to another.
            headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
        answer = await _once(call, method, target, headers, body)
        location = answer.headers.get("location")
        if answer.status not in REDIRECTS or not location or call.max_redirects == 0:
            return Fetched(answer.status, answer.headers, answer.body, url)
        url = urljoin(url, location)
        if answer.status == 303 or (answer.status in (301, 302) and method != "HEAD"):
            method, body = ("GET" if method != "HEAD" else "HEAD"), None
    raise OutboundFailed(f"{url_for_logs(url)}: more than {call.max_redirects} redirects")


async def _once(
    call: _Call,
    method: str,
    target: _Target,
    headers: Mapping[str, str],
    body: bytes | None,
) -> Fetched:
    """One request to the checked address, read up to ``max_bytes``."""
    sent = {"user-agent": USER_AGENT, "accept-encoding": "gzip", **headers}
    sent["host"] = target.host_header
    extensions = {"sni_hostname": target.host}
    shown = url_for_logs(str(target.url.copy_with(host=target.host)))
    async with httpx.AsyncClient(
        trust_env=False,
        timeout=call.seconds,
        follow_redirects=False,
        verify=call.tls if call.tls is not None else True,
    ) as client:
        request = client.build_request(
            method, target.url, headers=sent, content=body, extensions=extensions
        )
        try:
            response = await client.send(request, stream=True)
        except httpx.HTTPError as failed:
            raise OutboundFailed(f"{shown} could not be reached ({_words(failed)})") from failed
        try:
            data = await _read(response, call.max_bytes, shown)
        except httpx.HTTPError as failed:
            raise OutboundFailed(f"{shown}: the answer broke off ({_words(failed)})") from failed
        finally:
            await response.aclose()
    names = {k.lower(): v for k, v in response.headers.items()}
    return Fetched(response.status_code, names, data, str(request.url))


async def _read(response: httpx.Response, max_bytes: int, shown: str) -> bytes:
    """The body, decompressed if gzipped, refused once either size passes ``max_bytes``."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip", ""):
        raise OutboundFailed(f"{shown} answered in an encoding Innkeep did not ask for")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if "gzip" in encoding else None
    raw = 0
    out = bytearray()
    too_big = OutboundFailed(f"{shown} answered more than {max_bytes} bytes")
    async for chunk in response.aiter_raw(_CHUNK):
        raw += len(chunk)
        if raw > max_bytes:
            raise too_big
        if inflater is None:
            out += chunk
            continue
        try:
            out += inflater.decompress(chunk, max_bytes + 1 - len(out))
        except zlib.error as broken:
            raise OutboundFailed(f"{shown} answered with broken gzip data") from broken
        if len(out) > max_bytes or inflater.unconsumed_tail:
            raise too_big
    return bytes(out)


def _words(error: httpx.HTTPError) -> str:
    """The error's own words, unless they could quote the URL (its path is a secret)."""
    text = str(error)
    if not text or "/" in text:
        return type(error).__name__
    return text if len(text) < 200 else text[:200] + "…"
