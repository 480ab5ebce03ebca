"""The OpenAPI document tells a client every error it can get, in the one error shape."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import msgspec
import psycopg
import pytest
from litestar.testing import AsyncTestClient

from engine import Quote
from tests.helpers import DEMO_TOML
from tests.payments.conftest import GUEST
from widget.inventory.availability import Calendar
from widget.properties.apply import apply_property
from widget.properties.file import parse_property

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
            "/api/v1/holds/{hold_id}/demo-bank",
            f"{hold_path}/demo-bank",
            {"json": {"passed": True}, "headers": token},
            409,
        ),
        (
            "POST",
            "/api/v1/holds/{hold_id}/demo-bank",
            f"{hold_path}/demo-bank",
            {"json": {"passed": True}, "headers": wrong},
            404,
        ),
        (
            "POST",
            "/api/v1/holds/{hold_id}/checkout",
            f"{hold_path}/checkout",
            {"json": {**GUEST, "test_card": "decline"}, "headers": token},
            402,
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
        ("POST", "/api/v1/holds/{hold_id}/demo-bank", f"{hold_path}/demo-bank"),
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


def success_schemas(schema: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """(method, path, status, JSON body schema or None) of every public 2xx answer."""
    found = []
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith("2") and status != "204":
                    body = response.get("content", {}).get("application/json", {})
                    found.append((method, path, status, body.get("schema")))
    return found


def untyped_parts(schema: dict[str, Any], body: dict[str, Any], where: str) -> list[str]:
    """Where ``body`` (an answer that is a JSON object) is not described field by field:
    untyped (`{}`, a free-form object) or a `string` standing in for an object. A map whose
    values are typed (``{"breakfast": 2}``: `additionalProperties` with a type) is typed."""
    ref = body.get("$ref", "")
    if ref:
        body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    values = body.get("additionalProperties")
    if body.get("type") == "object" and not body.get("properties") and isinstance(values, dict):
        typed = [one for one in values.get("oneOf", [values]) if one]
        return (
            []
            if typed and all("type" in one or "$ref" in one for one in typed)
            else [f"{where}: map of anything"]
        )
    if "oneOf" in body:
        return [
            problem
            for n, one in enumerate(body["oneOf"])
            for problem in untyped_parts(schema, one, f"{where}|{n}")
            if one.get("type") != "null"
        ]
    if body.get("type") != "object" or not body.get("properties"):
        return [f"{where}: {body}"]
    problems = []
    for name, field in body["properties"].items():
        options = field.get("oneOf", [field])
        for one in options:
            target = one
            if "$ref" in one:
                target = schema["components"]["schemas"][one["$ref"].rsplit("/", 1)[1]]
            if not target:  # `{}`: any value at all
                problems.append(f"{where}.{name}: untyped")
            elif target.get("type") == "object" or "$ref" in one:
                problems += untyped_parts(schema, one, f"{where}.{name}")
            elif target.get("type") == "array" and not target.get("items"):
                problems.append(f"{where}.{name}: list of anything")
    return problems


async def test_every_public_success_answer_is_a_typed_object(client: Client) -> None:
    """A client generated from the document knows each answer's fields: none is missing,
    untyped, or a `string` standing in for the object the API actually sends."""
    schema = await document(client)
    untyped = []
    for method, path, status, body in success_schemas(schema):
        if body is None:
            untyped.append(f"{method} {path} {status}: no JSON body")
        else:
            untyped += untyped_parts(schema, body, f"{method} {path} {status}")
    assert not untyped, "\n".join(untyped)


async def test_the_pre_encoded_answers_are_the_structs_the_document_names(
    demo_client: Client,
) -> None:
    """The calendar and the quote are sent as bytes encoded ahead (cached, hashed): each
    decodes as the Struct its operation documents, with no field the Struct lacks."""
    schema = await document(demo_client)
    check_in, check_out = a_quiet_night()
    calendar = await demo_client.get(
        "/api/v1/properties/demo/calendar",
        params={"start": check_in, "end": check_out},
    )
    quote = await demo_client.post(
        "/api/v1/properties/demo/quotes",
        json={"room_type": "double-sea-view", "check_in": check_in, "check_out": check_out},
    )
    for answer, kind, path, method in (
        (calendar, Calendar, "/api/v1/properties/{slug}/calendar", "get"),
        (quote, Quote, "/api/v1/properties/{slug}/quotes", "post"),
    ):
        assert answer.status_code == 200, answer.text
        decoded = msgspec.json.decode(answer.content, type=kind)
        assert msgspec.to_builtins(decoded) == answer.json()
        body = documented(schema, method, path)["200"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{kind.__name__}"}
