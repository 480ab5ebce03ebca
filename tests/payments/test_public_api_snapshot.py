"""The public API, answer by answer, as existing clients see it.

A guest's journeys through every public operation (the demo provider and the Stripe
stand-in, a webhook, a cancellation and the usual refusals) are recorded as status and JSON
body, with ids, secrets and instants replaced by placeholders, in
``snapshots/public_api.json``. A change inside the service must leave that record as it is;
a change of the public API is a new version, not an edit of this file.

After a deliberate, compatible addition, record again with
``INNKEEP_RECORD_SNAPSHOT=1 scripts/test tests/payments/test_public_api_snapshot.py`` and
review the diff: existing fields must keep their names, types and values.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.helpers import set_clock
from tests.payments.conftest import GUEST, WEBHOOK_SECRET
from tests.payments.stripe_standin import StripeStandIn

Client = AsyncTestClient[Any]
SNAPSHOT = Path(__file__).parent / "snapshots" / "public_api.json"

#: The database's clock for every journey: prices, "today" and lead times stay put.
NOW = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
SINGLE = {"room_type": "garden-single", "check_in": "2027-03-08", "check_out": "2027-03-10"}
DOUBLE = {"room_type": "double-sea-view", "check_in": "2027-03-15", "check_out": "2027-03-18"}
LATER = {**DOUBLE, "check_in": "2027-04-12", "check_out": "2027-04-15", "adults": 2}

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_REFERENCE = re.compile(r"\b[A-Z2-9]{3}-[A-Z2-9]{4}\b")
#: Values that are new on every run: each key's value becomes ``<key>``.
_VOLATILE = {"token", "client_secret", "manage_url", "payment_id", "payment_ref", "quote_hash"}


def normalised(value: Any, key: str | None = None) -> Any:
    """``value`` with ids, secrets, references and instants replaced by placeholders."""
    if isinstance(value, dict):
        return {k: normalised(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    if not isinstance(value, str):
        return value
    if key in _VOLATILE:
        return f"<{key}>"
    if _INSTANT.match(value):
        return "<instant>"
    return _REFERENCE.sub("<reference>", _UUID.sub("<uuid>", value))


class Recorder:
    """Calls the API and writes down what a client received."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.answers: list[dict[str, Any]] = []

    async def call(self, label: str, method: str, url: str, **kwargs: Any) -> Any:
        answer = await self.client.request(method, url, **kwargs)
        kind = answer.headers.get("content-type", "").split(";")[0]
        record: dict[str, Any] = {"call": label, "status": answer.status_code, "type": kind}
        if kind == "application/json":
            record["body"] = normalised(answer.json())
        self.answers.append(record)
        return answer.json() if kind == "application/json" else answer


def _clock(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        set_clock(conn, NOW)


async def _browse(api: Recorder) -> None:
    await api.call("healthz", "GET", "/healthz")
    await api.call("readyz", "GET", "/readyz")
    await api.call("property", "GET", "/api/v1/properties/demo")
    await api.call("property unknown", "GET", "/api/v1/properties/nowhere")
    calendar = "/api/v1/properties/demo/calendar"
    await api.call("calendar", "GET", f"{calendar}?start=2027-03-01&end=2027-03-11&adults=2")
    await api.call(
        "calendar with a child",
        "GET",
        f"{calendar}?start=2027-03-01&end=2027-03-04&adults=1&children=6",
    )
    await api.call("calendar reversed", "GET", f"{calendar}?start=2027-03-04&end=2027-03-01")
    quotes = "/api/v1/properties/demo/quotes"
    await api.call("quote", "POST", quotes, json={**DOUBLE, "adults": 2})
    await api.call(
        "quote with a child", "POST", quotes, json={**DOUBLE, "adults": 1, "children": [4]}
    )
    await api.call("quote too many", "POST", quotes, json={**DOUBLE, "adults": 2, "children": [4]})
    await api.call("quote promo", "POST", quotes, json={**DOUBLE, "adults": 2, "promo_code": "x"})
    for origin in ("https://nowhere.test", "http://127.0.0.1:8001"):
        await api.call(
            "embed check", "GET", "/api/v1/properties/demo/embed", headers={"Origin": origin}
        )
    await api.call("widget page", "GET", "/embed/demo")
    await api.call("widget loader", "GET", "/widget.js")


async def _book_with_demo_provider(api: Recorder) -> None:
    held = await api.call(
        "hold", "POST", "/api/v1/properties/demo/holds", json={**SINGLE, "adults": 1}
    )
    token = {"X-Hold-Token": held["token"]}
    await api.call("hold taken", "POST", "/api/v1/properties/demo/holds", json={**SINGLE})
    hold = f"/api/v1/holds/{held['id']}"
    await api.call("confirm unpaid", "POST", f"{hold}/confirm", headers=token)
    await api.call("checkout", "POST", f"{hold}/checkout", json=GUEST, headers=token)
    booked = await api.call("confirm", "POST", f"{hold}/confirm", headers=token)
    await api.call("confirm again", "POST", f"{hold}/confirm", headers=token)
    await api.call("release booked", "DELETE", hold, headers=token)
    secret = booked["manage_url"].partition("key=")[2]
    reference = booked["reference"]
    await api.call(
        "booking", "GET", f"/api/v1/bookings/{reference}", headers={"X-Booking-Secret": secret}
    )
    await api.call(
        "booking wrong secret",
        "GET",
        f"/api/v1/bookings/{reference}",
        headers={"X-Booking-Secret": "nope"},
    )
    await api.call("manage page", "GET", f"/manage/{reference}?key={secret}")


async def _hold_and_let_go(api: Recorder) -> None:
    stay = {**DOUBLE, "adults": 2}
    first = await api.call("hold double", "POST", "/api/v1/properties/demo/holds", json=stay)
    await api.call(
        "release", "DELETE", f"/api/v1/holds/{first['id']}", headers={"X-Hold-Token": "bad"}
    )
    await api.call(
        "release",
        "DELETE",
        f"/api/v1/holds/{first['id']}",
        headers={"X-Hold-Token": first["token"]},
    )
    second = await api.call("hold double again", "POST", "/api/v1/properties/demo/holds", json=stay)
    await api.call(
        "release by beacon",
        "POST",
        f"/api/v1/holds/{second['id']}/release",
        content=json.dumps({"token": second["token"]}),
    )


async def _pay_with_test_cards(api: Recorder) -> None:
    held = await api.call(
        "hold for test cards", "POST", "/api/v1/properties/demo/holds", json=LATER
    )
    token = {"X-Hold-Token": held["token"]}
    hold = f"/api/v1/holds/{held['id']}"
    card = {**GUEST, "test_card": "decline"}
    await api.call("checkout declined", "POST", f"{hold}/checkout", json=card, headers=token)
    await api.call(
        "demo bank before paying", "POST", f"{hold}/demo-bank", json={"passed": True}, headers=token
    )
    card = {**GUEST, "test_card": "authentication_required"}
    await api.call("checkout asks the bank", "POST", f"{hold}/checkout", json=card, headers=token)
    await api.call("confirm before the bank", "POST", f"{hold}/confirm", headers=token)
    await api.call(
        "demo bank cancelled", "POST", f"{hold}/demo-bank", json={"passed": False}, headers=token
    )
    await api.call(
        "checkout asks the bank again", "POST", f"{hold}/checkout", json=card, headers=token
    )
    await api.call(
        "demo bank passed", "POST", f"{hold}/demo-bank", json={"passed": True}, headers=token
    )
    await api.call("confirm after the bank", "POST", f"{hold}/confirm", headers=token)


async def test_the_public_api_answers_as_it_always_has(
    demo_api: Client, stripe_api: Client, standin: StripeStandIn, database_url: str
) -> None:
    _clock(database_url)
    demo = Recorder(demo_api)
    await _browse(demo)
    await _book_with_demo_provider(demo)
    await _hold_and_let_go(demo)
    await _pay_with_test_cards(demo)
    stripe = Recorder(stripe_api)
    held = await stripe.call(
        "stripe hold", "POST", "/api/v1/properties/demo/holds", json={**DOUBLE, "adults": 2}
    )
    token = {"X-Hold-Token": held["token"]}
    hold = f"/api/v1/holds/{held['id']}"
    await stripe.call("stripe checkout", "POST", f"{hold}/checkout", json=GUEST, headers=token)
    intent_id = standin.only_intent()["id"]
    await stripe.call("stripe confirm before paying", "POST", f"{hold}/confirm", headers=token)
    standin.authorise(intent_id)
    body, headers = standin.event(
        "payment_intent.amount_capturable_updated", intent_id, WEBHOOK_SECRET
    )
    await stripe.call(
        "stripe webhook", "POST", "/api/v1/webhooks/stripe", content=body, headers=headers
    )
    await stripe.call("stripe webhook unsigned", "POST", "/api/v1/webhooks/stripe", content=body)
    await stripe.call("stripe confirm", "POST", f"{hold}/confirm", headers=token)

    recorded = {"demo provider": demo.answers, "stripe": stripe.answers}
    if os.environ.get("INNKEEP_RECORD_SNAPSHOT"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(recorded, indent=1, ensure_ascii=False) + "\n")
        pytest.skip("snapshot recorded; review its diff")
    assert recorded == json.loads(SNAPSHOT.read_text())
