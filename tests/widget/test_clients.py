"""Whose request is it: forwarded addresses are believed only from trusted proxies."""

from __future__ import annotations

from typing import Any

from litestar import Request

from widget.clients import client_of
from widget.settings import load_settings


def request(peer: str, headers: dict[str, str]) -> Request[Any, Any, Any]:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": (peer, 50000),
        "server": ("127.0.0.1", 8000),
        "scheme": "http",
        "app": None,
        "state": {},
    }
    return Request(scope)  # type: ignore[arg-type]


def test_a_forwarded_address_is_ignored_from_an_untrusted_peer() -> None:
    settings = load_settings({})
    who = client_of(request("203.0.113.9", {"X-Forwarded-For": "198.51.100.1"}), settings)
    assert who.address == "203.0.113.9"


def test_a_trusted_proxy_is_looked_through_to_the_first_untrusted_hop() -> None:
    settings = load_settings({"INNKEEP_TRUSTED_PROXIES": "10.0.0.0/8"})
    forwarded = {"X-Forwarded-For": "192.0.2.50, 198.51.100.1, 10.0.0.7"}
    who = client_of(request("10.0.0.2", forwarded), settings)
    # The client could have written 192.0.2.50 itself; 198.51.100.1 is who reached our proxy.
    assert who.address == "198.51.100.1"


def test_the_widget_session_is_used_only_when_well_formed() -> None:
    settings = load_settings({})
    good = client_of(request("192.0.2.1", {"X-Innkeep-Session": "abcDEF123_-xyz"}), settings)
    bad = client_of(request("192.0.2.1", {"X-Innkeep-Session": "<script>"}), settings)
    assert good.session == "abcDEF123_-xyz" and good.key == "s:abcDEF123_-xyz"
    assert bad.session is None and bad.key == "a:192.0.2.1"


def test_an_ipv6_client_is_counted_by_its_64_and_a_mapped_ipv4_as_ipv4() -> None:
    settings = load_settings({})
    one = client_of(request("2001:db8:5:6:a:b:c:d", {}), settings)
    same_block = client_of(request("2001:db8:5:6::1", {}), settings)
    next_block = client_of(request("2001:db8:5:7::1", {}), settings)
    mapped = client_of(request("::ffff:192.0.2.1", {}), settings)
    assert one.address == same_block.address == "2001:db8:5:6::/64"
    assert next_block.address == "2001:db8:5:7::/64"
    assert mapped.address == client_of(request("192.0.2.1", {}), settings).address == "192.0.2.1"
