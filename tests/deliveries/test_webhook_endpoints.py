"""The property file's ``[[webhooks]]``: refused with the field named when wrong, and
``property apply`` adds, changes and removes endpoints."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.deliveries.conftest import OTHER_SECRET, SECRET, webhooks_toml
from tests.helpers import DEMO_TOML
from widget.properties.apply import apply_property
from widget.properties.file import PropertyFileError, parse_property

URL = "https://hooks.example.com/catch/123/s3cr3t-path"


def endpoint(**changes: Any) -> dict[str, Any]:
    return {"url": URL, "events": ["booking.confirmed"], "secret": SECRET, **changes}


def error_for(*hooks: dict[str, Any]) -> PropertyFileError:
    with pytest.raises(PropertyFileError) as caught:
        parse_property(DEMO_TOML + webhooks_toml(*hooks), source="p.toml")
    return caught.value


def test_an_endpoint_reads_with_guest_data_off_by_default() -> None:
    spec = parse_property(DEMO_TOML + webhooks_toml(endpoint()))
    (hook,) = spec.webhooks
    assert hook.url == URL and hook.events == ["booking.confirmed"]
    assert hook.include_guest is False
    assert parse_property(DEMO_TOML).webhooks == []


@pytest.mark.parametrize(
    ("changes", "key", "says"),
    [
        (
            {"events": ["booking.confirmed", "booking.paid"]},
            "webhooks[0].events[1]",
            "unknown event 'booking.paid': must be one of booking.confirmed,",
        ),
        ({"events": ["booking.confirmed", "booking.confirmed"]}, "webhooks[0].events[1]", "twice"),
        ({"events": []}, "webhooks[0].events", "length"),
        ({"secret": "s3cret"}, "webhooks[0].secret", "must start with 'whsec_'"),
        ({"secret": "whsec_not*base64!"}, "webhooks[0].secret", "base64"),
        ({"secret": "whsec_c2hvcnQ="}, "webhooks[0].secret", "24 to 64 random bytes"),
        ({"url": "ftp://hooks.example.com/x"}, "webhooks[0].url", "http:// or https://"),
        ({"url": "hooks.example.com/x"}, "webhooks[0].url", "http:// or https://"),
        ({"include_guest": "yes"}, "webhooks[0].include_guest", "bool"),
        ({"retries": 3}, "webhooks[0]", "unknown field"),
    ],
)
def test_a_wrong_endpoint_is_refused_naming_its_field(
    changes: dict[str, Any], key: str, says: str
) -> None:
    error = error_for(endpoint(**changes))
    assert error.key == key and says in error.message
    assert error.line is not None
    # The message names the problem, never the secret's value.
    assert "s3cret" not in str(error) and "not*base64" not in str(error)


def test_one_url_listed_twice_is_refused() -> None:
    error = error_for(endpoint(), endpoint(events=["booking.cancelled"]))
    assert error.key == "webhooks[1].url" and "twice" in error.message


def endpoints(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    return conn.execute(
        """SELECT url, events, secret, include_guest FROM webhook_endpoint
           WHERE removed_at IS NULL ORDER BY url"""
    ).fetchall()


def test_apply_adds_changes_and_removes_endpoints(demo_property: psycopg.Connection[Any]) -> None:
    conn = demo_property
    other = "https://books.example.org/in"
    added = apply_property(conn, parse_property(DEMO_TOML + webhooks_toml(endpoint())))
    assert added.changed == ["added webhook https://hooks.example.com/…"]
    assert endpoints(conn) == [(URL, ["booking.confirmed"], SECRET, False)]
    # The path of the URL (often its credential) is never in the report.
    assert "s3cr3t-path" not in added.summary()

    again = apply_property(conn, parse_property(DEMO_TOML + webhooks_toml(endpoint())))
    assert again.changed == []

    changed = endpoint(secret=OTHER_SECRET, include_guest=True, events=["sync.conflict"])
    report = apply_property(
        conn, parse_property(DEMO_TOML + webhooks_toml(changed, endpoint(url=other)))
    )
    assert report.changed == [
        "updated webhook https://hooks.example.com/…",
        "added webhook https://books.example.org/…",
    ]
    assert endpoints(conn) == [
        (other, ["booking.confirmed"], SECRET, False),
        (URL, ["sync.conflict"], OTHER_SECRET, True),
    ]

    removed = apply_property(conn, parse_property(DEMO_TOML + webhooks_toml(endpoint(url=other))))
    assert removed.changed == ["removed webhook https://hooks.example.com/…"]
    assert [row[0] for row in endpoints(conn)] == [other]


def test_webhook_changes_leave_prices_and_availability_caches_alone(
    demo_property: psycopg.Connection[Any],
) -> None:
    def version() -> object:
        row = demo_property.execute("SELECT version FROM property").fetchone()
        assert row is not None
        return row[0]

    before = version()
    apply_property(demo_property, parse_property(DEMO_TOML + webhooks_toml(endpoint())))
    assert version() == before
