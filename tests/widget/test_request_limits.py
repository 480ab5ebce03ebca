"""What a client may send: bodies are small, and no error answer repeats more than a short
prefix of what was sent."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.helpers import DEMO_TOML
from widget.app import create_app
from widget.intake import JSON_BODY_LIMIT, WEBHOOK_BODY_LIMIT
from widget.properties.apply import apply_property
from widget.properties.file import parse_property
from widget.settings import Settings

CHECK_IN = date.today() + timedelta(days=60)
STAY = {
    "room_type": "double-sea-view",
    "check_in": str(CHECK_IN),
    "check_out": str(CHECK_IN + timedelta(days=3)),
    "adults": 2,
}
HOLD = f"/api/v1/holds/{uuid.uuid4()}"
#: Every endpoint that reads a JSON body (the webhook is checked on its own).
JSON_POSTS = (
    "/api/v1/properties/demo/quotes",
    "/api/v1/properties/demo/holds",
    f"{HOLD}/checkout",
    f"{HOLD}/confirm",
    f"{HOLD}/release",
)
#: Long enough to notice, short enough to pass the size limit and reach the validation.
LONG = "A" * 8000


@pytest.fixture
def demo(database_url: str, clean: None) -> Iterator[None]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        apply_property(conn, parse_property(DEMO_TOML))
    yield


@pytest.fixture
async def api(quiet_settings: Settings, demo: None) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(quiet_settings)) as client:
        yield client


def padded(size: int) -> bytes:
    """A JSON body of ``size`` bytes: a stay with a very long promo code."""
    head = b'{"room_type": "double-sea-view", "promo_code": "'
    return head + b"A" * (size - len(head) - 2) + b'"}'


async def test_a_body_over_the_limit_is_413_too_large(api: AsyncTestClient[Any]) -> None:
    headers = {"Content-Type": "application/json", "X-Hold-Token": "t"}
    for path in JSON_POSTS:
        answer = await api.post(path, content=padded(JSON_BODY_LIMIT + 1), headers=headers)
        assert answer.status_code == 413, (path, answer.text)
        assert answer.json()["error"] == "too_large"
        assert len(answer.content) < 300


async def test_a_megabyte_promo_code_is_refused_without_being_echoed(
    api: AsyncTestClient[Any],
) -> None:
    answer = await api.post(
        "/api/v1/properties/demo/quotes", json={**STAY, "promo_code": "A" * 1_000_000}
    )
    assert answer.status_code == 413 and answer.json()["error"] == "too_large"
    assert len(answer.content) < 300


async def test_the_stripe_webhook_has_its_own_larger_limit(api: AsyncTestClient[Any]) -> None:
    url = "/api/v1/webhooks/stripe"
    headers = {"Content-Type": "application/json"}
    # Larger than any widget body, but a webhook: past the intake (the demo deployment has
    # no Stripe, hence 404).
    event = await api.post(url, content=padded(4 * JSON_BODY_LIMIT), headers=headers)
    assert event.status_code == 404, event.text
    huge = await api.post(url, content=padded(WEBHOOK_BODY_LIMIT + 1), headers=headers)
    assert huge.status_code == 413 and huge.json()["error"] == "too_large"


CALENDAR = "/api/v1/properties/demo/calendar"
ECHOES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/api/v1/properties/demo/quotes", {**STAY, "promo_code": LONG}),
    ("POST", "/api/v1/properties/demo/holds", {**STAY, "promo_code": LONG}),
    ("POST", "/api/v1/properties/demo/quotes", {**STAY, "room_type": LONG}),
    ("POST", "/api/v1/properties/demo/quotes", {**STAY, LONG: 1}),
    ("POST", "/api/v1/properties/demo/holds", {**STAY, "check_in": LONG}),
    ("POST", f"{HOLD}/checkout", {"guest": {"name": "A", "email": "a@b.cd", "language": LONG}}),
    ("GET", f"{CALENDAR}?start={LONG}&end=2027-01-01", None),
    ("GET", f"{CALENDAR}?start=2027-01-01&end=2027-02-01&children={LONG}", None),
    ("GET", f"{CALENDAR}?start=2027-01-01&end=2027-02-01&adults={LONG}", None),
    ("GET", f"/api/v1/properties/{LONG.lower()}", None),
    ("GET", f"/api/v1/properties/{LONG.lower()}/embed", None),
    ("GET", f"/embed/{LONG.lower()}", None),
]


async def test_an_error_repeats_at_most_a_short_prefix_of_what_was_sent(
    api: AsyncTestClient[Any],
) -> None:
    for method, path, body in ECHOES:
        answer = await api.request(method, path, json=body, headers={"X-Hold-Token": "t"})
        seen = (method, path[:60], answer.text[:300])
        assert 400 <= answer.status_code < 500, seen
        assert len(answer.content) < 1000, seen
        assert "A" * 100 not in answer.text.upper(), seen
        if not path.startswith("/embed/"):  # the widget page's 404 is a plain page
            assert answer.json()["error"] and answer.json()["message"], seen
