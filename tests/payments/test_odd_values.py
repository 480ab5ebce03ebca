"""Odd values a client can send: each gets a 4xx naming the problem, and nothing is stored."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
import stripe
from litestar.testing import AsyncTestClient

from tests.payments.conftest import WEBHOOK_SECRET

HOLD = {"room_type": "double-sea-view", "adults": 2}


def _signed(body: str) -> dict[str, str]:
    header = stripe.WebhookSignature.generate_signature_header(body, WEBHOOK_SECRET)
    return {"Stripe-Signature": header, "Content-Type": "application/json"}


#: (method, path, JSON body or signed raw webhook text): every probe from issue 10 item 9.
PROBES: list[tuple[str, str, Any]] = [
    ("GET", "/api/v1/properties/a%00b", None),
    ("GET", "/api/v1/properties/demo%01", None),
    ("GET", "/api/v1/bookings/A%00B", None),
    ("GET", "/manage/A%00B", None),
    ("GET", "/embed/a%00b", None),
    ("GET", "/api/v1/properties/demo/calendar?start=2027-06-01%00", None),
    ("GET", "/api/v1/properties/demo/calendar?start=0001-01-01&end=0001-01-31", None),
    ("GET", "/api/v1/properties/demo/calendar?start=9999-12-01&end=9999-12-31", None),
    ("GET", "/api/v1/properties/demo/calendar?start=9999-12-01", None),
    ("POST", "/api/v1/properties/demo/quotes",
     {"room_type": "double-sea-view", "check_in": "9999-12-30", "check_out": "9999-12-31"}),
    ("POST", "/api/v1/properties/demo/holds",
     {**HOLD, "check_in": "9999-06-01", "check_out": "9999-06-04"}),
    ("POST", "/api/v1/properties/demo/holds",
     {**HOLD, "check_in": "2099-06-01", "check_out": "2099-06-04"}),
    ("POST", "/api/v1/properties/demo/holds",
     {**HOLD, "check_in": "2027-06-01\u0000", "check_out": "2027-06-04"}),
    ("WEBHOOK", "/api/v1/webhooks/stripe", "not json"),
    ("WEBHOOK", "/api/v1/webhooks/stripe", "[1, 2]"),
    ("WEBHOOK", "/api/v1/webhooks/stripe", '{"id": "evt_1", "type": "payment_intent.succeeded"}'),
    ("WEBHOOK", "/api/v1/webhooks/stripe",
     '{"id": "evt_2", "type": "payment_intent.succeeded", "data": {"object": []}}'),
    ("WEBHOOK", "/api/v1/webhooks/stripe", '{"id": "evt_3", "type": 7, "data": {}}'),
]


def _stored(conn: psycopg.Connection[Any]) -> tuple[object, ...]:
    row = conn.execute(
        "SELECT (SELECT count(*) FROM reservation), (SELECT count(*) FROM webhook_event),"
        " (SELECT count(*) FROM idempotency_key), (SELECT count(*) FROM outbox_message)"
    ).fetchone()
    assert row is not None
    return tuple(row)


@pytest.mark.parametrize(
    ("method", "path", "body"), PROBES, ids=[f"{p[0]} {p[1]} {p[2]!r}"[:70] for p in PROBES]
)
async def test_an_odd_value_is_refused_and_nothing_is_stored(
    stripe_api: AsyncTestClient,  # type: ignore[type-arg]
    demo_property: psycopg.Connection[Any],
    method: str,
    path: str,
    body: Any,
) -> None:
    before = _stored(demo_property)
    if method == "WEBHOOK":
        answer = await stripe_api.post(path, content=body.encode(), headers=_signed(body))
    elif method == "POST":
        answer = await stripe_api.post(path, json=body)
    else:
        answer = await stripe_api.get(path)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    if answer.headers.get("content-type", "").startswith("application/json"):
        assert "error" in answer.json()
    assert _stored(demo_property) == before
