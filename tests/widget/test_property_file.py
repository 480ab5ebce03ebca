from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import DEMO_TOML, write
from widget.properties.file import PropertyFileError, load_property_file, parse_property


def test_the_demo_guesthouse_is_a_valid_property_file() -> None:
    spec = parse_property(DEMO_TOML)
    assert spec.property.slug == "demo"
    assert spec.property.currency != "USD"
    assert len(spec.room_types) == 3
    assert sum(len(room.units) for room in spec.room_types) == 6
    # Owners write major units; the database keeps minor units.
    assert spec.room_types[0].base_price == 14000


def error_for(text: str) -> PropertyFileError:
    with pytest.raises(PropertyFileError) as caught:
        parse_property(text, source="p.toml")
    return caught.value


def line_of(text: str, needle: str) -> int:
    # The last match: a duplicated value is reported where it appears again.
    return [n for n, line in enumerate(text.splitlines(), 1) if needle in line][-1]


@pytest.mark.parametrize(
    ("old", "new", "key", "says"),
    [
        (
            'time_zone = "Europe/Rome"',
            'time_zone = "Europe/Atlantis"',
            "property.time_zone",
            "unknown time zone",
        ),
        ('currency = "EUR"', 'currency = "XYZ"', "property.currency", "unknown currency"),
        ("base_price = 190.00", "base_price = -5", "room_types[1].base_price", "negative"),
        ("base_price = 190.00", "base_price = 190.005", "room_types[1].base_price", "decimals"),
        ("max_guests = 5", 'max_guests = "five"', "room_types[1].max_guests", "int"),
        ('locale = "en"', 'locale = "xx"', "property.locale", "must be one of"),
        ('check_in_time = "15:00"', 'check_in_time = "3pm"', "property.check_in_time", ""),
        ('slug = "family-suite"', 'slug = "Family Suite"', "room_types[1].slug", ""),
        ('slug = "family-suite"', 'slug = "double-sea-view"', "room_types[1].slug", "twice"),
        (
            'units = ["Suite 4", "Suite 5"]',
            'units = ["Suite 4", "Room 1"]',
            "room_types[1].units[1]",
            "twice",
        ),
        (
            "included_guests = 2\nbase_price = 190",
            "included_guests = 9\nbase_price = 190",
            "room_types[1].included_guests",
            "max_guests",
        ),
        (
            '"http://localhost:8001"]',
            '"http://localhost:8001/booking"]',
            "property.allowed_origins[1]",
            "origin",
        ),
        (
            "free_until_days = 7",
            "free_until_days = -1",
            "property.cancellation_policy.free_until_days",
            "",
        ),
        (
            'contact_email = "hello@casalanterna.example"',
            'contact_email = "hello@casalanterna.example\\n"',
            "property.contact_email",
            "invalid characters",
        ),
        (
            'contact_email = "hello@casalanterna.example"',
            'contact_email = "hello@localhost"',
            "property.contact_email",
            "",
        ),
        ("share_percent = 25", "share_percent = 0", "property.hold_quota.share_percent", ">= 1"),
        (
            "share_percent = 25",
            "share_percent = 1001",
            "property.hold_quota.share_percent",
            "<= 1000",
        ),
    ],
)
def test_an_error_names_the_key_and_its_line(old: str, new: str, key: str, says: str) -> None:
    assert old in DEMO_TOML
    text = DEMO_TOML.replace(old, new, 1)
    error = error_for(text)
    assert error.key == key
    assert says in error.message
    assert error.line == line_of(text, new.splitlines()[0])
    assert str(error).startswith(f"p.toml:{error.line}: {key}: ")


def test_a_missing_key_is_named() -> None:
    error = error_for(DEMO_TOML.replace('contact_email = "hello@casalanterna.example"\n', ""))
    assert "contact_email" in error.message


def test_an_unknown_key_is_refused_rather_than_ignored() -> None:
    error = error_for(DEMO_TOML.replace("max_guests = 5", "max_guests = 5\nmax_gusts = 6"))
    assert "max_gusts" in error.message


def test_malformed_toml_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[property]\nslug = "demo\n')
    with pytest.raises(PropertyFileError) as caught:
        load_property_file(path)
    assert caught.value.line == 2
    assert "not valid TOML" in str(caught.value)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PropertyFileError, match="cannot read"):
        load_property_file(tmp_path / "nope.toml")


ADDRESSES = [
    "hello@casalanterna.example",
    "Anna.Schmidt+inn@Example.COM",
    "a@exämple.com",
    "hello@casalanterna.example\n",
    " hello@casalanterna.example",
    "hello@casa lanterna.example",
    "hello@localhost",
    "hello..there@casalanterna.example",
    "hellö@casalanterna.example",
    "hello@casalanterna.example\u202e",
    "@casalanterna.example",
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_the_property_file_and_checkout_judge_an_address_alike(address: str) -> None:
    from widget.errors import Invalid
    from widget.payments.checkout import CheckoutIn, GuestIn, checked_guest

    text = DEMO_TOML.replace("hello@casalanterna.example", address.replace("\n", "\\n"), 1)
    try:
        parse_property(text)
        file_accepts = True
    except PropertyFileError as exc:
        assert exc.key == "property.contact_email"
        file_accepts = False
    try:
        checked_guest(CheckoutIn(GuestIn(name="Anna", email=address), True))
        checkout_accepts = True
    except Invalid as exc:
        assert exc.field == "guest.email"
        checkout_accepts = False
    assert file_accepts == checkout_accepts
