"""Request bodies are exactly what the OpenAPI document says: strict types, closed objects."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.widget.test_openapi import a_quiet_night, document

Client = AsyncTestClient[Any]


@pytest.fixture
def stay() -> dict[str, Any]:
    check_in, check_out = a_quiet_night()
    return {"room_type": "garden-single", "check_in": check_in, "check_out": check_out}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"adults": "2"}, "adults"),
        ({"adults": 1.0}, "adults"),
        ({"children": ["4"]}, "children"),
        ({"promo_code": 7}, "promo_code"),
        ({"": 1}, ""),
        ({"colour": "blue"}, "colour"),
    ],
)
async def test_a_body_that_is_not_the_documented_shape_is_a_422_naming_the_field(
    api: Client, stay: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    for path in ("/api/v1/properties/demo/quotes", "/api/v1/properties/demo/holds"):
        answer = await api.post(path, json={**stay, **change})
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["field"] == field
    holds = await api.post("/api/v1/properties/demo/quotes", json={**stay, "adults": 1})
    assert holds.status_code == 200, "the same stay, well formed, is priced"


async def test_an_unknown_guest_field_is_named_with_its_place(api: Client) -> None:
    answer = await api.post(
        "/api/v1/holds/8d6f2a5e-0000-4000-8000-000000000000/checkout",
        json={"guest": {"name": "A", "email": "a@example.com", "age": 3}},
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "guest.age"


async def test_a_missing_field_is_named(api: Client, stay: dict[str, Any]) -> None:
    del stay["check_out"]
    answer = await api.post("/api/v1/properties/demo/holds", json=stay)
    assert answer.status_code == 422
    assert answer.json()["field"] == "check_out"
    assert "check_out is required" in answer.json()["message"]


async def test_a_long_unknown_key_is_not_echoed_whole(api: Client, stay: dict[str, Any]) -> None:
    key = "k" * 100_00
    answer = await api.post("/api/v1/properties/demo/quotes", json={**stay, key: 1})
    assert answer.status_code == 422
    assert len(answer.text) < 400


async def test_request_bodies_are_closed_objects_in_the_schema(client: Client) -> None:
    schema = await document(client)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            name = body["schema"]["$ref"].rpartition("/")[2]
            component = schema["components"]["schemas"][name]
            assert component.get("additionalProperties") is False, (method, path, name)
