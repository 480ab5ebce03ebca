"""What the ``innkeep`` commands print of others' text reaches the owner's terminal escaped."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
import pytest

from tests.helpers import DEMO_TOML, add_reservation, stored_quote
from widget.cli import main
from widget.inventory.blocks import add_block
from widget.properties.apply import apply_property
from widget.properties.file import parse_property

#: A name that would clear the screen, recolour the terminal, and forge a second booking line.
HOSTILE = "Anna\x1b[2J\x1b]0;pwned\x07\r\nFAKE-REF  2027-01-01 to 2027-01-02\u202e"


@pytest.fixture
def owner(
    database_url: str, clean: None, monkeypatch: pytest.MonkeyPatch
) -> psycopg.Connection[Any]:
    monkeypatch.setenv("INNKEEP_DATABASE_URL", database_url)
    conn = psycopg.connect(database_url, autocommit=True)
    apply_property(conn, parse_property(DEMO_TOML))
    return conn


def _printed(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(list(argv)) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\x07\r\u202e"), repr(out)
    return out.splitlines()


def test_a_guests_name_cannot_drive_the_owners_terminal(
    owner: psycopg.Connection[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    today = owner.execute("SELECT (innkeep_now() AT TIME ZONE 'Europe/Rome')::date").fetchone()
    assert today is not None
    add_reservation(
        owner,
        check_in=today[0],
        check_out=today[0] + timedelta(days=2),
        reference="AB12CD",
        guest={"name": HOSTILE, "email": "anna@example.com"},
        adults=2,
        quote=stored_quote(
            str(today[0]), str(today[0] + timedelta(days=2)), due_now=30000, total=30000
        ),
    )
    lines = _printed(capsys, "bookings", "--property", "demo")
    assert len(lines) == 2  # the booking, then the count: no forged line
    assert lines[0].startswith("AB12CD") and "Anna\\x1b[2J" in lines[0]
    assert "\\r\\nFAKE-REF" in lines[0] and "\\u202e" in lines[0]


def test_a_block_reason_is_escaped_too(
    owner: psycopg.Connection[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    today = owner.execute("SELECT (innkeep_now() AT TIME ZONE 'Europe/Rome')::date").fetchone()
    assert today is not None
    add_block(owner, "demo", "Room 1", today[0], today[0], "paint\x1b[31m\nforged")
    lines = _printed(capsys, "block", "list", "--property", "demo")
    assert len(lines) == 1 and lines[0].endswith("paint\\x1b[31m\\nforged")


def test_the_unprintable_class_is_the_one_guests_are_refused() -> None:
    from widget.guest_text import UnsafeText, one_line
    from widget.printable import has_unseen

    for code in [*range(0x20), *range(0x7F, 0xA0), 0x202A, 0x202E, 0x2066, 0x2069, 0x2028]:
        char = chr(code)
        assert has_unseen(f"a{char}b")
        with pytest.raises(UnsafeText):
            one_line(f"a{char}b")
    assert not has_unseen("Zoë 김 مرحبا \u200f 👨\u200d👩")
