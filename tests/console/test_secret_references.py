"""Secrets in a property file: kept by reference or by leaving them out, never exported."""

from __future__ import annotations

import msgspec
import pytest

from widget.properties.secrets import (
    Secret,
    SecretProblem,
    SecretRef,
    fingerprint,
    reference,
    resolve,
)

STORED = "whsec_abcdefghijklmnopqrstuvwxyz"


def _read(value: object) -> Secret:
    return msgspec.convert(value, Secret)  # type: ignore[arg-type]


def test_the_export_names_a_secret_without_showing_it() -> None:
    written = reference(STORED)
    assert STORED not in str(written)
    assert written == {"kept": fingerprint(STORED)}


def test_a_reference_or_nothing_keeps_the_stored_secret() -> None:
    assert resolve(_read(reference(STORED)), STORED) == STORED
    assert resolve(None, STORED) == STORED
    assert resolve(None, None) is None


def test_a_written_secret_replaces_it() -> None:
    assert resolve(_read("whsec_new"), STORED) == "whsec_new"


def test_a_reference_to_another_secret_is_refused() -> None:
    with pytest.raises(SecretProblem, match="not the one stored now"):
        resolve(_read(reference("an older secret")), STORED)
    with pytest.raises(SecretProblem):
        resolve(_read(reference(STORED)), None)


def test_a_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEED_URL", "https://example.com/ical/secret")
    assert resolve(_read({"env": "FEED_URL"}), STORED) == "https://example.com/ical/secret"
    monkeypatch.delenv("FEED_URL")
    with pytest.raises(SecretProblem, match="FEED_URL is not set"):
        resolve(_read({"env": "FEED_URL"}), STORED)


def test_a_reference_says_one_thing() -> None:
    with pytest.raises(msgspec.ValidationError, match="either kept"):
        _read({"kept": fingerprint(STORED), "env": "X"})
    with pytest.raises(msgspec.ValidationError):
        _read({"kept": "md5:123"})
    assert isinstance(_read({"env": "X"}), SecretRef)
