"""Two-factor setup shows the key as a QR code an authenticator app scans: an SVG drawn by
the service whose dark modules are exactly the QR symbol of the page's ``otpauth://``
address for the key shown beside it."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg
import pyotp
import segno

from tests.console.conftest import OWNER, enter


def dark_modules(svg: str) -> set[tuple[int, int]]:
    """Reads the modules back from the SVG's drawing: its dark path is runs of horizontal
    lines (``M x y`` then ``h n`` and relative ``m dx dy``), half a module below each row's
    top, in module units (the scale is a transform)."""
    path = re.search(r'<path stroke="#000" d="([^"]+)"', svg)
    assert path is not None, svg[:300]
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for command, numbers in re.findall(r"([MmHhVvz])([-\d. ]*)", path.group(1)):
        values = [float(v) for v in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        elif command == "h":
            dark.update((int(x) + i, int(y - 0.5)) for i in range(int(values[0])))
            x += values[0]
        else:
            raise AssertionError(f"unexpected path command {command}")
    return dark


def symbol_of(uri: str) -> set[tuple[int, int]]:
    """The dark modules of ``uri``'s QR symbol as the library encodes it (with its quiet
    zone of four modules, as drawn)."""
    matrix = segno.make_qr(uri, error="m").matrix
    return {(x + 4, y + 4) for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark}


async def test_the_setup_shows_the_key_as_a_qr_code_of_its_otpauth_address(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, OWNER)
    page = (await app_client.get("/admin/account")).text
    secret = re.search(r'data-testid="two-factor-secret">([A-Z2-7]+)<', page)
    uri = re.search(r'data-testid="two-factor-uri">([^<]+)<', page)
    figure = re.search(r'data-testid="two-factor-qr">(<svg.*?</svg>)', page, re.S)
    assert secret and uri and figure, page
    address = html.unescape(uri.group(1))
    # The address is the authenticator's for this very key and this account.
    assert address == pyotp.TOTP(secret.group(1)).provisioning_uri(
        name=OWNER, issuer_name="Innkeep"
    )
    parts = urlsplit(address)
    assert parts.scheme == "otpauth" and unquote(parts.path) == f"/Innkeep:{OWNER}"
    assert parse_qs(parts.query)["secret"] == [secret.group(1)]

    svg = figure.group(1)
    assert 'role="img"' in svg and "<title>QR code of the two-factor key</title>" in svg
    drawn = dark_modules(svg)
    assert drawn == symbol_of(address)
    # Not any QR code: another key's differs.
    assert drawn != symbol_of(address.replace(secret.group(1), "A" * len(secret.group(1))))
    # Nothing the page's policy would block: no script, no inline style, no external image.
    assert "<script" not in svg and "style=" not in svg and "href" not in svg


async def test_once_two_factor_login_is_on_no_key_or_code_is_shown(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    people.execute(
        "UPDATE console_user SET totp_secret = %s WHERE email = %s", (pyotp.random_base32(), OWNER)
    )
    enter(app_client, people, OWNER)
    page = (await app_client.get("/admin/account")).text
    assert 'data-testid="two-factor-qr"' not in page and "otpauth://" not in page
