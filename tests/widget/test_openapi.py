"""The OpenAPI document tells a client every error it can get, in the one error shape."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient

from tests.helpers import DEMO_TOML
from widget.property_apply import apply_property
from widget.property_file import parse_property

Client = AsyncTestClient[Any]


def a_quiet_night() -> tuple[str, str]:
    """A Monday night well ahead, outside the demo's summer and weekend minimum stays."""
    day = date.today() + timedelta(days=290)
    day += timedelta(days=(0 - day.weekday()) % 7)
    return str(day), str(day + timedelta(days=1))


async def document(client: Client) -> dict[str, Any]:
    answer = await client.get("/schema/openapi.json")
    assert answer.status_code == 200
    return dict(answer.json())


def documented(schema: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return dict(schema["paths"][path][method.lower()]["responses"])


@pytest.fixture
async def demo_client(client: Client, database_url: str) -> Client:
    with psycopg.connect(database_url) as conn:
        apply_property(conn, parse_property(DEMO_TOML))
    return client


async def test_every_documented_error_has_the_error_shape(client: Client) -> None:
    schema = await document(client)
    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"error", "message"}
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    body = response["content"]["application/json"]["schema"]
                    assert body == {"$ref": "#/components/schemas/ErrorOut"}, (method, path)


async def test_every_error_the_api_answers_is_documented_for_its_operation(
    demo_client: Client,
) -> None:
    """Real refusals, one or more per public operation: each status must be in the schema."""
    schema = await document(demo_client)
    check_in, check_out = a_quiet_night()
    stay = {
        "room_type": "garden-single",
        "check_in": check_in,
        "check_out": check_out,
        "adults": 1,
    }
    session = {"X-Innkeep-Session": "openapi-test"}
    held = await demo_client.post("/api/v1/properties/demo/holds", json=stay, headers=session)
    assert held.status_code == 201, held.text
    hold = held.json()
    hold_path = f"/api/v1/holds/{hold['id']}"
    token = {"X-Hold-Token": hold["token"]}
    wrong = {"X-Hold-Token": "not-the-token"}
    calendar = "/api/v1/properties/{slug}/calendar"
    refusals: list[tuple[str, str, str, dict[str, Any], int]] = [
        ("GET", "/api/v1/properties/{slug}", "/api/v1/properties/nowhere", {}, 404),
        (
            "GET",
            calendar,
            "/api/v1/properties/nowhere/calendar?start=2030-01-01&end=2030-01-02",
            {},
            404,
        ),
        (
            "GET",
            calendar,
            "/api/v1/properties/demo/calendar?start=2030-01-02&end=2030-01-01",
            {},
            422,
        ),
        (
            "POST",
            "/api/v1/properties/{slug}/quotes",
            "/api/v1/properties/demo/quotes",
            {"json": {**stay, "check_out": check_in}},
            422,
        ),
        (
            "POST",
            "/api/v1/properties/{slug}/quotes",
            "/api/v1/properties/demo/quotes",
            {"content": b"not json", "headers": {"content-type": "application/json"}},
            400,
        ),
        (
            "POST",
            "/api/v1/properties/{slug}/holds",
            "/api/v1/properties/demo/holds",
            {"json": stay, "headers": {"X-Innkeep-Session": "someone-else"}},
            409,
        ),
        (
            "POST",
            "/api/v1/properties/{slug}/holds",
            "/api/v1/properties/demo/holds",
            {"json": {**stay, "room_type": "tree-house"}, "headers": session},
            422,
        ),
        ("DELETE", "/api/v1/holds/{hold_id}", hold_path, {"headers": wrong}, 404),
        (
            "POST",
            "/api/v1/holds/{hold_id}/release",
            f"{hold_path}/release",
            {"headers": wrong},
            404,
        ),
        (
            "POST",
            "/api/v1/holds/{hold_id}/checkout",
            f"{hold_path}/checkout",
            {"json": {"guest": {"name": ""}}, "headers": token},
            422,
        ),
        (
            "POST",
            "/api/v1/holds/{hold_id}/confirm",
            f"{hold_path}/confirm",
            {"headers": token},
            409,
        ),
        ("POST", "/api/v1/webhooks/stripe", "/api/v1/webhooks/stripe", {"content": b"{}"}, 404),
        *_intake_refusals(hold_path, token),
        ("GET", "/api/v1/bookings/{reference}", "/api/v1/bookings/NOPE42", {}, 404),
        ("GET", "/api/v1/properties/{slug}/embed", "/api/v1/properties/nowhere/embed", {}, 404),
        ("GET", "/ical/{name}", "/ical/not-a-token.ics", {}, 404),
    ]
    for method, template, url, kwargs, expected in refusals:
        answer = await demo_client.request(method, url, **kwargs)
        assert answer.status_code == expected, (method, url, answer.text)
        assert str(expected) in documented(schema, method, template), (method, template)
        body = answer.json()
        assert isinstance(body["error"], str) and isinstance(body["message"], str)


def _intake_refusals(
    hold_path: str, token: dict[str, str]
) -> list[tuple[str, str, str, dict[str, Any], int]]:
    """Every write refuses a foreign site's Origin (403), a body over its limit (413) and,
    but for the signed webhook, a media type it does not read (415)."""
    writes = [
        ("POST", "/api/v1/properties/{slug}/quotes", "/api/v1/properties/demo/quotes"),
        ("POST", "/api/v1/properties/{slug}/holds", "/api/v1/properties/demo/holds"),
        ("DELETE", "/api/v1/holds/{hold_id}", hold_path),
        ("POST", "/api/v1/holds/{hold_id}/release", f"{hold_path}/release"),
        ("POST", "/api/v1/holds/{hold_id}/checkout", f"{hold_path}/checkout"),
        ("POST", "/api/v1/holds/{hold_id}/confirm", f"{hold_path}/confirm"),
    ]
    huge = {"content": b"{" + b" " * 600_000 + b"}", "headers": {"content-type": "text/plain"}}
    refusals: list[tuple[str, str, str, dict[str, Any], int]] = []
    for method, template, url in writes:
        foreign = {"headers": {"Origin": "https://copycat.example", **token}}
        image = {"content": b"GIF89a", "headers": {"content-type": "image/gif", **token}}
        big = {"content": huge["content"], "headers": {"content-type": "application/json"}}
        refusals += [
            (method, template, url, foreign, 403),
            (method, template, url, image, 415),
            (method, template, url, big, 413),
        ]
    webhook = "/api/v1/webhooks/stripe"
    return [*refusals, ("POST", webhook, webhook, huge, 413)]


async def test_the_calendars_not_modified_answer_is_documented(demo_client: Client) -> None:
    schema = await document(demo_client)
    start = date.today() + timedelta(days=30)  # inside the default booking horizon
    url = f"/api/v1/properties/demo/calendar?start={start}&end={start + timedelta(days=7)}"
    first = await demo_client.get(url)
    again = await demo_client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert "304" in documented(schema, "GET", "/api/v1/properties/{slug}/calendar")
