"""The error answers of the public API, as its OpenAPI document describes them.

Every error has one shape (`ErrorOut`, rendered by `widget.errors`); a handler lists the
statuses it can answer with, so that a client generated from the schema, a QA suite or a
schema-driven fuzzer knows them in advance. `docs/api.md` lists the codes behind each.
"""

from __future__ import annotations

import msgspec
from litestar.openapi.datastructures import ResponseSpec


class ErrorOut(msgspec.Struct):
    """``{"error": "taken", "message": "…", "field": "check_in"}``, plus what helps the
    caller recover (``free_room_types``, a new ``quote``, ``retry_after``)."""

    #: A stable code to act on (`taken`, `price_changed`, `min_stay`, … see docs/api.md).
    error: str
    #: For people: show it to the guest, or log it.
    message: str
    #: The request field at fault, for validation errors.
    field: str | None = None


WHEN: dict[int, str] = {
    400: "The request is malformed: the body is not JSON, or a parameter cannot be read.",
    401: "The testing API's bearer token is missing or wrong (`unauthorized`).",
    402: "The guest's card refused the payment (`card_declined`, with its `decline_code`: "
    "`card_declined`, `insufficient_funds`, `authentication_failed`); nothing was charged and "
    "the hold is kept: pay again with another card.",
    403: "Refused: a write from a site the property does not allow (`origin_not_allowed`), "
    "a form without its CSRF token (`csrf_failed`), or a webhook not signed as this "
    "endpoint requires (`bad_signature`).",
    404: "No such property, hold or booking, or its token or secret does not match.",
    408: "The request body did not arrive within the deadline (`request_timeout`); send it again.",
    409: "The state does not allow it now: `taken` (with `free_room_types`), "
    "`price_changed` (with the new `quote`), a hold that ended or became a booking, "
    "an Idempotency-Key still in flight.",
    413: "The request body is larger than this endpoint takes (`too_large`): 32 KB for the "
    "widget API, 512 KB for the webhook.",
    415: "The body is not of a media type this endpoint reads (`unsupported_media_type`): "
    "send `Content-Type: application/json`.",
    422: "A value breaks a rule (a date, the party, a stay restriction, a promo code): "
    "`field` names it. A quote for a party no one room sleeps carries `combinations`: the "
    "cheapest few ways to book it in several rooms (`rooms`, `total`, `due_now`).",
    429: "This client holds too many rooms or tries too often: retry after `Retry-After` seconds.",
    500: "A pricing rule of the property failed, or its rules do not load here "
    "(`pricing_failed`, logged for the owner).",
    503: "The database or the payment provider is briefly away: retry after `Retry-After` seconds.",
}


#: What every write can be refused with before its handler runs (`widget.intake` and the
#: origin check in `widget.embedding`).
WRITE_REFUSALS = (403, 408, 413, 415)


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for these error statuses, all with the `ErrorOut` body.

    400 is always among them: any request can be malformed, and without it Litestar would
    document its own validation body, which this service never sends."""
    return {
        status: ResponseSpec(
            data_container=ErrorOut, generate_examples=False, description=WHEN[status]
        )
        for status in sorted({400, *statuses})
    }


#: A 304 answer has no body: the ETag sent as If-None-Match is still current.
NOT_MODIFIED = {
    304: ResponseSpec(
        data_container=None,
        generate_examples=False,
        description="Not modified: the answer for the If-None-Match ETag still holds.",
    )
}
