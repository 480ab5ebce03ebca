"""The domain's refusals and the one table that answers them over HTTP."""

from __future__ import annotations

import widget.errors as refusals
from widget.http_errors import STATUS, status_of


def _all_refusals() -> list[type[refusals.InnkeepError]]:
    found, todo = [], [refusals.InnkeepError]
    while todo:
        kind = todo.pop()
        found.append(kind)
        todo.extend(kind.__subclasses__())
    return found


def test_every_refusal_has_a_status_through_its_kind() -> None:
    for kind in _all_refusals():
        error = kind.__new__(kind)
        assert 400 <= status_of(error) <= 599, kind


def test_the_named_refusals_answer_as_the_public_api_documents() -> None:
    expected = {
        refusals.RoomTaken: (409, "taken"),
        refusals.PriceChanged: (409, "price_changed"),
        refusals.HoldLost: (409, "hold_expired"),
        refusals.PaymentMismatch: (409, "payment_mismatch"),
        refusals.QuotaExceeded: (429, "too_many_requests"),
        refusals.Invalid: (422, "invalid"),
        refusals.PaymentServiceDown: (503, "payment_unavailable"),
        refusals.BadSignature: (403, "bad_signature"),
    }
    for kind, (status, code) in expected.items():
        assert (status_of(kind.__new__(kind)), kind.code) == (status, code), kind


def test_only_kinds_are_in_the_table() -> None:
    """A named refusal takes its kind's status; the table lists kinds, once each."""
    kinds = {refusals.InnkeepError, *refusals.InnkeepError.__subclasses__()}
    assert set(STATUS) <= kinds
