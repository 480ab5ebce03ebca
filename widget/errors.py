"""What the service refuses, in the guesthouse's words.

Services raise these; they know nothing of HTTP. Each kind (`Invalid`, `NotFound`,
`Conflict`, …) says what went wrong for the caller, each named refusal (`RoomTaken`,
`PriceChanged`, `QuotaExceeded`, …) says which one, and ``code`` is the stable word a client
acts on. One table at the HTTP edge (`widget.http_errors`) turns a kind into a status; the
command line and the background jobs read the same exceptions as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Amount(NamedTuple):
    """An amount of money named by a refusal: minor units of ``currency``."""

    minor: int
    currency: str


@dataclass(frozen=True)
class Said:
    """What a refusal says, as data: the name of its sentence in the console's words
    (``refusal_{key}`` in `widget.i18n`) and the values the sentence names (a date, a
    number of nights, a reservation's reference, an `Amount`; a `Said`, or a list of them,
    for a part said in its own words). The console says it in the owner's language; the
    English ``message`` is still what the API answers and what a sentence without words
    falls back to."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)


class InnkeepError(Exception):
    """Base of the service's own refusals; ``code`` is stable, ``message`` is for people,
    ``field`` names the part of the request at fault and ``extra`` what helps recover
    (both in the answer's body); ``said`` is the message as data (never in the body)."""

    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
        said: Said | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}
        self._said = said
        if code:
            self.code = code

    @property
    def said(self) -> Said:
        """The message's sentence and values; by default the sentence named as the code."""
        return self._said or Said(self.code)


# The kinds of refusal.


class Invalid(InnkeepError):
    """A value breaks a rule (a date, the party, a stay restriction): ``field`` names it."""

    code = "invalid"


class NotFound(InnkeepError):
    """No such property, hold or booking, or its secret does not match."""

    code = "not_found"


class Conflict(InnkeepError):
    """The state does not allow it now (a room taken, a hold ended, a payment not ready)."""

    code = "conflict"


class Refused(InnkeepError):
    """The caller may not do this (an unsigned webhook, a site not allowed)."""

    code = "forbidden"


class Unauthenticated(InnkeepError):
    """The request lacks the credentials this endpoint asks for (the testing API's token)."""

    code = "unauthorized"


class PaymentRefused(InnkeepError):
    """The guest's card refused the payment (declined, or the bank's check was not
    passed); nothing was charged and the hold is still theirs: they may try another card."""

    code = "card_declined"


class QuotaExceeded(InnkeepError):
    """This client holds too many rooms or tries too often; ``retry_after`` seconds."""

    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, extra={"retry_after": retry_after})
        self.retry_after = retry_after


class PricingBroken(InnkeepError):
    """A pricing rule or the owner's rule set failed: our side's fault, logged."""

    code = "pricing_failed"


class ServiceDown(InnkeepError):
    """Something the service depends on did not answer; nothing changed, retry."""

    code = "unavailable"


class TooLarge(InnkeepError):
    """What was sent is bigger than this place takes (bytes, or an image's pixels)."""

    code = "too_large"


class UnsupportedMedia(InnkeepError):
    """What was sent is not of a kind this place takes (a photo that is not JPEG, PNG or
    WebP by its content, whatever its name says)."""

    code = "unsupported_media_type"


# Named refusals a caller meets most.


class RoomTaken(Conflict):
    """Someone else has the room for these nights; ``free_room_types`` says what is left."""

    code = "taken"


class PriceChanged(Conflict):
    """The price is no longer the one the guest saw; ``quote`` is the new one."""

    code = "price_changed"


class HoldLost(Conflict):
    """The hold ended (it lapsed, was released or cancelled) before this step."""

    code = "hold_expired"


class PaymentNotStarted(Conflict):
    code = "payment_not_started"


class PaymentNotAuthorised(Conflict):
    code = "payment_not_authorised"


class PaymentMismatch(Conflict):
    """The stored payment is not for exactly this hold's amount, currency and id."""

    code = "payment_mismatch"


class PaymentServiceDown(ServiceDown):
    """The payment provider did not answer; nothing was charged, the guest may retry."""

    code = "payment_unavailable"


class LinkExpired(Conflict):
    """A guest's payment link whose time is over: they ask the property for a new one."""

    code = "link_expired"


class RulesChangedMeanwhile(Conflict):
    """The owner's draft of the pricing rules started from rules someone has saved over."""

    code = "rules_changed"


class StayNotEnded(Conflict):
    """A guest cannot be erased while a stay of theirs is held, booked or under way."""

    code = "stay_not_ended"


class BadSignature(Refused):
    """A webhook not signed (or not in time) as its endpoint requires."""

    code = "bad_signature"


#: No error answer repeats more than this much of anything: a message or field name may
#: quote what the client sent, and a client may send megabytes.
MESSAGE_LIMIT = 300
FIELD_LIMIT = 64
#: How much of a value a message quotes (see `shown`).
SHOWN_LIMIT = 40


def shown(value: object, limit: int = SHOWN_LIMIT) -> str:
    """``value`` quoted for a message, as ``repr`` does, but at most ``limit`` characters of
    it: an error says which value it means without sending a client's input back whole."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def clipped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    """The one shape of every error answer; message and field are clipped (see
    `MESSAGE_LIMIT`)."""
    body: dict[str, Any] = {"error": code, "message": clipped(message, MESSAGE_LIMIT)}
    if field is not None:
        body["field"] = clipped(field, FIELD_LIMIT)
    body.update(extra)
    return body
