"""JSON request bodies, taken exactly as the OpenAPI document describes them.

Litestar converts a body to its Struct leniently (``"2"`` becomes ``2``), and the schema it
writes leaves objects open to any key. The public API promises more: a body is the Struct,
strictly typed, and every key it does not know (the empty one included) is a 422 naming it.
`strict_body` checks that before the handler and its dependencies run; `ClosedStructSchemas` writes
``additionalProperties: false`` for every Struct that forbids unknown fields.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request

# Litestar's own Struct schemas, extended rather than rewritten (it exports no public name).
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import Schema
from litestar.typing import FieldDefinition

from widget.errors import (
    FIELD_LIMIT,
    InnkeepError,
    Invalid,
    clipped,
    shown,
)
from widget.http_errors import quoting_briefly

_PATH = re.compile(r" - at `\$((?:\.[^.`\[]*|\[\d+\])*)`$")
_UNKNOWN = re.compile(r"^Object contains unknown field `(.*)`$", re.DOTALL)
_MISSING = re.compile(r"^Object missing required field `(.*)`$", re.DOTALL)


def _field_of(path: str) -> str:
    """``$.guest.email`` → ``guest.email``; ``$.children[2]`` → ``children``."""
    parts = [part for part in re.split(r"\.|\[\d+\]", path) if part]
    return ".".join(parts)


def _refusal(error: msgspec.ValidationError) -> InnkeepError:
    text = str(error)
    located = _PATH.search(text)
    message = quoting_briefly(text[: located.start()] if located else text)
    parent = _field_of(located[1]) if located else ""
    unknown = _UNKNOWN.match(message)
    if unknown:
        key = unknown[1]
        field = f"{parent}.{key}" if parent else key
        what = f"unknown field {shown(key)}" if key else "an empty key is not a field"
        return Invalid(f"{what}; remove it", field=clipped(field, FIELD_LIMIT))
    missing = _MISSING.match(message)
    if missing:
        field = f"{parent}.{missing[1]}" if parent else missing[1]
        return Invalid(f"{field} is required", field=field)
    if parent:
        return Invalid(f"{parent}: {message}", field=parent)
    return Invalid(message, field="body")


async def strict_body(request: Request[Any, Any, Any]) -> None:
    """Before every handler (Litestar's ``before_request``, after the route's guards): a
    handler's JSON ``data`` must decode strictly as its Struct. (As an app-wide guard it cost
    every request a copy of its route handler, which Litestar makes for each guard call.)"""
    data = request.route_handler.parsed_data_field
    if data is None or not _is_struct(data):
        return
    body = await request.body()
    try:
        msgspec.json.decode(body, type=data.annotation, strict=True)
    except msgspec.ValidationError as error:
        raise _refusal(error) from None
    except msgspec.DecodeError:
        raise InnkeepError("The body is not JSON.", code="invalid") from None


def _is_struct(data: FieldDefinition) -> bool:
    return isinstance(data.annotation, type) and issubclass(data.annotation, msgspec.Struct)


class ClosedStructSchemas(StructSchemaPlugin):
    """Struct schemas as Litestar writes them, closed where the Struct forbids unknown keys."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        if isinstance(info, msgspec.inspect.StructType) and info.forbid_unknown_fields:
            schema.additional_properties = False
        return schema
