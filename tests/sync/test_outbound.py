"""The one outbound HTTP client: only http(s), only public addresses (unless allowed), the
address checked is the address connected to, and every redirect is checked again.

Nothing here connects beyond loopback: a stub resolver maps test names to addresses, and
the only real connections go to the local feed server on 127.0.0.1."""

from __future__ import annotations

import gzip
import ipaddress
from collections.abc import Sequence
from typing import Any

import pytest

from tests.sync.feed_server import FeedServer, Route
from widget.outbound import (
    EVERYWHERE,
    OutboundFailed,
    OutboundRefused,
    fetch,
    forbidden_reason,
    url_for_logs,
)

#: What the tests allow: loopback only (INNKEEP_SYNC_ALLOW_PRIVATE_NETWORKS=127.0.0.0/8,::1).
LOOPBACK = (ipaddress.IPv4Network("127.0.0.0/8"), ipaddress.IPv6Network("::1/128"))


def resolver_for(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    calls: list[str] = []

    async def resolve(host: str, port: int) -> Sequence[str]:
        calls.append(host)
        return table[host]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


async def get(url: str, **kw: object):  # type: ignore[no-untyped-def]
    options: dict[str, object] = {"max_bytes": 100_000, "timeout": 3.0}
    options.update(kw)
    return await fetch("GET", url, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fd00:ec2::254",
        "::ffff:127.0.0.1",
        "224.0.0.1",
        "100.100.100.200",
        "::",
    ],
)
def test_private_and_special_addresses_are_refused(address: str) -> None:
    assert forbidden_reason(address) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert forbidden_reason(address) is None


async def test_a_name_that_resolves_to_a_private_address_is_refused_before_any_connection(
    feed_server: FeedServer,
) -> None:
    feed_server.routes["/cal.ics"] = Route(b"BEGIN:VCALENDAR")
    resolve = resolver_for({"feeds.example.com": ["127.0.0.1"]})
    with pytest.raises(OutboundRefused, match="loopback"):
        await get(feed_server.url("/cal.ics", "feeds.example.com"), resolver=resolve)
    assert feed_server.requests == []


async def test_any_private_address_among_several_refuses_the_name() -> None:
    resolve = resolver_for({"mixed.example.com": ["93.184.216.34", "10.0.0.7"]})
    with pytest.raises(OutboundRefused, match="private"):
        await get("https://mixed.example.com/x.ics", resolver=resolve)


async def test_the_checked_address_is_the_one_connected_to_and_the_name_is_kept(
    feed_server: FeedServer,
) -> None:
    """The name is resolved once; the Host header still names it (no second lookup that a
    rebinding DNS server could answer differently)."""
    feed_server.routes["/cal.ics"] = Route(b"BEGIN:VCALENDAR")
    resolve = resolver_for({"feeds.example.com": ["127.0.0.1"]})
    url = feed_server.url("/cal.ics", "feeds.example.com")
    got = await get(url, resolver=resolve, allow_networks=LOOPBACK)
    assert got.status == 200 and got.body == b"BEGIN:VCALENDAR"
    assert got.final_url == url
    assert resolve.calls == ["feeds.example.com"]  # type: ignore[attr-defined]
    assert feed_server.requests[0][1]["host"] == f"feeds.example.com:{feed_server.port}"


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x", "http:///nohost", "::"]
)
async def test_only_http_and_https_urls(url: str) -> None:
    with pytest.raises(OutboundRefused):
        await get(url, allow_networks=LOOPBACK)


async def test_a_redirect_to_a_private_address_is_refused(feed_server: FeedServer) -> None:
    """Loopback is allowed (the feed server lives there); the metadata address a redirect
    names is not, and it is refused before anything connects to it."""
    feed_server.routes["/moved.ics"] = Route(
        status=302, headers={"Location": "http://metadata.internal/latest/meta-data/"}
    )
    resolve = resolver_for(
        {"feeds.example.com": ["127.0.0.1"], "metadata.internal": ["169.254.169.254"]}
    )
    with pytest.raises(OutboundRefused, match="metadata"):
        await get(
            feed_server.url("/moved.ics", "feeds.example.com"),
            resolver=resolve,
            allow_networks=LOOPBACK,
        )
    assert [path for path, _ in feed_server.requests] == ["/moved.ics"]


def test_allowing_everything_allows_private_addresses() -> None:
    from widget.outbound import _allowed

    assert _allowed("10.0.0.1", EVERYWHERE) and _allowed("::1", EVERYWHERE)
    assert not _allowed("10.0.0.1", LOOPBACK)


async def test_redirects_are_followed_and_checked_each_time(feed_server: FeedServer) -> None:
    feed_server.routes["/a"] = Route(status=301, headers={"Location": "/b"})
    feed_server.routes["/b"] = Route(
        status=302, headers={"Location": f"http://other.example.com:{feed_server.port}/c"}
    )
    feed_server.routes["/c"] = Route(b"BEGIN:VCALENDAR")
    resolve = resolver_for({"one.example.com": ["127.0.0.1"], "other.example.com": ["127.0.0.1"]})
    got = await get(
        feed_server.url("/a", "one.example.com"), resolver=resolve, allow_networks=LOOPBACK
    )
    assert got.body == b"BEGIN:VCALENDAR"
    assert got.final_url == f"http://other.example.com:{feed_server.port}/c"
    assert resolve.calls == ["one.example.com", "one.example.com", "other.example.com"]  # type: ignore[attr-defined]


async def test_too_many_redirects_fail_in_words(feed_server: FeedServer) -> None:
    feed_server.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})
    with pytest.raises(OutboundFailed, match="more than 3 redirects"):
        await get(feed_server.url("/loop"), allow_networks=LOOPBACK, max_redirects=3)


async def test_a_slow_server_fails_within_the_timeout(feed_server: FeedServer) -> None:
    feed_server.routes["/slow"] = Route(b"x", delay=1.0)
    with pytest.raises(OutboundFailed, match=r"within 0\.3 seconds"):
        await get(feed_server.url("/slow"), allow_networks=LOOPBACK, timeout=0.3)


async def test_a_huge_answer_stops_at_the_cap(feed_server: FeedServer) -> None:
    feed_server.routes["/big"] = Route(b"x" * 65536, repeat=160)  # 10 MB
    with pytest.raises(OutboundFailed, match="more than 100000 bytes"):
        await get(feed_server.url("/big"), allow_networks=LOOPBACK)


async def test_gzip_is_decoded_and_a_gzip_bomb_stops_at_the_cap(feed_server: FeedServer) -> None:
    feed_server.routes["/small.gz"] = Route(b"BEGIN:VCALENDAR" * 10, gzip=True)
    got = await get(feed_server.url("/small.gz"), allow_networks=LOOPBACK)
    assert got.body == b"BEGIN:VCALENDAR" * 10
    bomb = b"\0" * 5_000_000
    assert len(gzip.compress(bomb)) < 100_000
    feed_server.routes["/bomb.gz"] = Route(bomb, gzip=True)
    with pytest.raises(OutboundFailed, match="more than 100000 bytes"):
        await get(feed_server.url("/bomb.gz"), allow_networks=LOOPBACK)


async def test_proxy_settings_from_the_environment_are_ignored(
    feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:9")
    feed_server.routes["/cal.ics"] = Route(b"ok")
    assert (await get(feed_server.url("/cal.ics"), allow_networks=LOOPBACK)).body == b"ok"


async def test_an_unreachable_address_fails_in_words() -> None:
    with pytest.raises(OutboundFailed, match="could not be reached"):
        await get("http://127.0.0.1:9/x.ics", allow_networks=LOOPBACK)


async def test_no_redirects_allowed_returns_the_redirect(feed_server: FeedServer) -> None:
    feed_server.routes["/r"] = Route(status=307, headers={"Location": "/elsewhere"})
    got = await get(feed_server.url("/r"), allow_networks=LOOPBACK, max_redirects=0)
    assert got.status == 307 and len(feed_server.requests) == 1


def test_a_url_for_logs_keeps_no_secret() -> None:
    url = "https://www.airbnb.com/calendar/ical/123456.ics?s=0123456789abcdef"
    shown = url_for_logs(url)
    assert shown.startswith("https://www.airbnb.com/…#")
    assert "123456" not in shown and "0123456789abcdef" not in shown
    assert url_for_logs(url) == shown != url_for_logs(url + "0")


def test_the_setting_names_the_networks_outbound_calls_may_reach() -> None:
    from widget.outbound import networks
    from widget.settings import SettingsError, load_settings

    assert load_settings({}).sync_allow_private_networks == ()
    loopback = load_settings({"INNKEEP_SYNC_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8,::1"})
    assert networks(loopback.sync_allow_private_networks) == LOOPBACK
    everything = load_settings({"INNKEEP_SYNC_ALLOW_PRIVATE_NETWORKS": "true"})
    assert networks(everything.sync_allow_private_networks) == EVERYWHERE
    with pytest.raises(SettingsError, match="INNKEEP_SYNC_ALLOW_PRIVATE_NETWORKS"):
        load_settings({"INNKEEP_SYNC_ALLOW_PRIVATE_NETWORKS": "lan"})


def _authority_and_server_cert(tmp: Any, name: str) -> tuple[str, str, str]:
    """A test certificate authority and a certificate it signed for ``name`` (files)."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def subject(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(subject("Innkeep test CA"))
        .issuer_name(subject("Innkeep test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject(name))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = (tmp / "ca.pem", tmp / "cert.pem", tmp / "key.pem")
    paths[0].write_bytes(ca.public_bytes(pem))
    paths[1].write_bytes(cert.public_bytes(pem))
    paths[2].write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(paths[0]), str(paths[1]), str(paths[2])


async def test_https_to_the_checked_address_verifies_the_certificate_by_name(
    tmp_path: Any,
) -> None:
    """The socket goes to the pinned address, while TLS sends the name (SNI) and checks the
    certificate against it: a certificate for another name is refused."""
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    ca, cert, key = _authority_and_server_cert(tmp_path, "feeds.example.com")
    seen: dict[str, Any] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen["host"] = self.headers["Host"]
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)

    def note_sni(sock: Any, name: str | None, ctx: Any) -> None:
        seen["sni"] = name

    server_tls.sni_callback = note_sni
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = server_tls.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_address[1]
    trust = ssl.create_default_context(cafile=ca)
    resolve = resolver_for({"feeds.example.com": ["127.0.0.1"], "other.example.com": ["127.0.0.1"]})
    try:
        got = await get(
            f"https://feeds.example.com:{port}/cal.ics",
            resolver=resolve,
            allow_networks=LOOPBACK,
            tls=trust,
        )
        assert got.body == b"ok"
        assert seen == {"sni": "feeds.example.com", "host": f"feeds.example.com:{port}"}
        with pytest.raises(OutboundFailed, match=r"(?i)certificate verify failed"):
            await get(
                f"https://other.example.com:{port}/cal.ics",
                resolver=resolve,
                allow_networks=LOOPBACK,
                tls=trust,
            )
    finally:
        httpd.shutdown()
        httpd.server_close()


async def test_the_http_clients_own_log_lines_never_carry_a_urls_path(
    feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """httpx logs every request at INFO with its full URL; a feed's path and query are its
    credential, so its lines keep only scheme, host and a short hash."""
    feed_server.routes["/ical/SECRETPATH.ics"] = Route(b"BEGIN:VCALENDAR")
    url = feed_server.url("/ical/SECRETPATH.ics") + "?s=SECRETQUERY"
    with caplog.at_level("DEBUG"):
        got = await get(url, allow_networks=LOOPBACK)
    assert got.status == 200
    lines = [r.getMessage() for r in caplog.records if r.name.startswith(("httpx", "httpcore"))]
    assert any("HTTP Request: GET" in line for line in lines), lines
    assert not [line for line in lines if "SECRET" in line]
    assert "SECRET" not in caplog.text
