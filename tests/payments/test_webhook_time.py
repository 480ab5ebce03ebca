"""A Stripe signature is good only near its own time, in the past and in the future alike
(issue 10, item 15)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import stripe

from tests.payments.conftest import WEBHOOK_SECRET
from widget.payments.webhook import signed_in_time


@pytest.mark.parametrize(
    ("offset", "status"),
    [(-3600, 403), (-60, 200), (60, 200), (3600, 403), (86400 * 365, 403)],
    ids=["an-hour-old", "a-minute-old", "a-minute-ahead", "an-hour-ahead", "a-year-ahead"],
)
async def test_a_signature_far_from_now_either_way_is_refused(
    stripe_api: Any, offset: int, status: int
) -> None:
    payload = json.dumps(
        {"id": "evt_time", "object": "event", "type": "charge.refunded", "data": {"object": {}}}
    )
    header = stripe.WebhookSignature.generate_signature_header(
        payload, WEBHOOK_SECRET, timestamp=int(time.time()) + offset
    )
    answer = await stripe_api.post(
        "/api/v1/webhooks/stripe",
        content=payload.encode(),
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )
    assert answer.status_code == status, answer.text
    if status == 403:
        assert answer.json()["error"] == "bad_signature"


def test_a_header_without_one_clear_timestamp_is_out_of_time() -> None:
    now = 1_900_000_000
    assert signed_in_time(f"t={now},v1=abc", now=now)
    for header in (None, "", "v1=abc", f"t={now},t={now},v1=abc", "t=soon,v1=abc"):
        assert not signed_in_time(header, now=now)
