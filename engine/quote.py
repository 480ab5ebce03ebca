"""The quote: every night, every line that changed it, the stay lines, and the totals.

Its JSON (``msgspec.json.encode``) is the public answer of ``POST …/quotes`` (DESIGN,
"Public API conventions"). Amounts are integers of the currency's minor unit.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any, Literal

import msgspec

Payable = Literal["now", "at_property"]
StayKind = Literal["discount", "fee", "tax"]
NightStage = Literal["base", "adjust", "clamp", "round"]
#: The languages the built-in rules write their words in, sorted as the canonical JSON
#: keeps them (`widget.i18n.LANGUAGES` in the widget's own order; the engine does not
#: import the widget).
WORD_LANGUAGES = ("de", "en", "es", "fr", "it")


def _canonical_notes(line: NightLine | StayLine) -> None:
    """A line's ``notes`` sorted and never empty-but-set: the canonical JSON (and so the
    hash) must not depend on the order a rule or a JSONB column gave the languages in. The
    engine gives them sorted, so the usual case is one cheap comparison."""
    notes = line.notes
    if type(notes) is dict and tuple(notes) != WORD_LANGUAGES:
        if not notes:
            msgspec.structs.force_setattr(line, "notes", msgspec.UNSET)
        elif list(notes) != sorted(notes):
            msgspec.structs.force_setattr(line, "notes", dict(sorted(notes.items())))


def _note_in(notes: dict[str, str] | msgspec.UnsetType, note: str, language: str) -> str:
    """A line's words for a reader of ``language``: its own, else the English ``note``."""
    if isinstance(notes, dict):
        return notes.get(language) or note
    return note


class NightLine(msgspec.Struct, frozen=True):
    """What one rule instance did to one night: ``amount`` is the change it made.

    ``notes``: the words per language beside ``note`` (English), given by a rate plan's
    line or a night rule (`Nights.note`); unset, it is left out of the JSON, so a night
    without it encodes (and hashes) as before it existed."""

    rule: str
    stage: str
    amount: int
    note: str
    notes: dict[str, str] | msgspec.UnsetType = msgspec.UNSET

    def __post_init__(self) -> None:
        _canonical_notes(self)

    def note_in(self, language: str) -> str:
        """The line's words for a reader of ``language``: its own, else the English note."""
        return _note_in(self.notes, self.note, language)


class NightQuote(msgspec.Struct, frozen=True):
    """One night: its final amount, equal to the sum of its lines."""

    date: date
    amount: int
    lines: list[NightLine]


class StayLine(msgspec.Struct, frozen=True):
    """A discount, fee or tax on the whole stay.

    ``included`` lines (inclusive VAT) are already inside other amounts and are not added
    again; ``payable`` says whether the guest pays it now or at the property. ``notes``:
    the rule's words per language beside ``note`` (English); unset, it is left out of the
    JSON, so a line without it encodes (and hashes) as before it existed.
    """

    rule: str
    kind: str
    amount: int
    note: str
    included: bool = False
    payable: Payable = "now"
    notes: dict[str, str] | msgspec.UnsetType = msgspec.UNSET

    def __post_init__(self) -> None:
        _canonical_notes(self)

    def note_in(self, language: str) -> str:
        """The line's words for a reader of ``language``: its own, else the English note."""
        return _note_in(self.notes, self.note, language)


class Instalment(msgspec.Struct, frozen=True):
    """One payment of a stay paid in parts: ``amount`` minor units charged on ``due`` (the
    first instalment is the one charged at booking, ``due`` being that day)."""

    due: date
    amount: int


class Quote(msgspec.Struct, frozen=True, omit_defaults=True):
    """A priced stay. ``total`` = nights + stay lines that are not included;
    ``due_now`` = ``total`` minus lines payable at the property.

    Holds and bookings keep their quote as JSON: a field added later needs a default, or
    the quotes stored before it would no longer decode (tests/widget/test_rows.py). Fields
    at their default are left out of the JSON, so a quote without a plan, extras or inputs
    is byte for byte (and hash for hash) what it was before they existed."""

    room_type: str
    check_in: date
    check_out: date
    nights: list[NightQuote]
    stay_lines: list[StayLine]
    total: int
    due_now: int
    currency: str
    quote_hash: str
    #: The rate plan the stay is sold under (None: the property has no plans).
    rate_plan: str | None = None
    #: The extras chosen (slug → quantity, sorted, no zeros); each is a stay line too.
    extras: dict[str, int] = {}
    #: The guest's answers to the rules' inputs (sorted; those at their default left out).
    inputs: dict[str, int | bool] = {}
    #: The online payments when the plan takes a deposit now and the balance later: the
    #: first is ``due_now``; together they are ``online_total``. Empty: all paid now.
    payment_schedule: list[Instalment] = []
    #: True when the plan is paid at the property: ``due_now`` is then 0.
    pay_at_property: bool = False

    @property
    def online_total(self) -> int:
        """What is paid online in all (now and later): the total less what the guest pays
        at the property."""
        if self.pay_at_property:
            return 0
        if self.payment_schedule:
            return sum(part.amount for part in self.payment_schedule)
        return self.due_now

    @property
    def balance(self) -> int:
        """What is charged online after booking (0 when all is paid now)."""
        return self.online_total - self.due_now

    def __post_init__(self) -> None:
        # Sorted however they arrive: a JSONB column reorders keys, and the canonical JSON
        # (and so the hash) must not depend on where a quote was read from.
        for name in ("extras", "inputs"):
            chosen = getattr(self, name)
            if list(chosen) != sorted(chosen):
                msgspec.structs.force_setattr(self, name, dict(sorted(chosen.items())))


class NightPrice(msgspec.Struct, frozen=True):
    """One day of the calendar: the night's price for the party (night stages only) and the
    restrictions on arriving or departing that day."""

    date: date
    amount: int
    min_stay: int = 1
    max_stay: int | None = None
    closed_to_arrival: bool = False
    closed_to_departure: bool = False


_encoder = msgspec.json.Encoder()


def quote_hash(quote: Quote) -> str:
    """SHA-256 of the quote's canonical JSON with an empty ``quote_hash`` field.

    msgspec encodes Struct fields in declaration order and lists in order, so the same
    priced content always gives the same bytes, and so the same hash.
    """
    unsealed = quote if quote.quote_hash == "" else msgspec.structs.replace(quote, quote_hash="")
    content = _encoder.encode(unsealed)
    return hashlib.sha256(content).hexdigest()


def seal(quote: Quote) -> Quote:
    """Return ``quote`` with its ``quote_hash`` filled in."""
    return msgspec.structs.replace(quote, quote_hash=quote_hash(quote))


def quote_to_builtins(quote: Quote) -> dict[str, Any]:
    """The quote as plain JSON-ready Python values (dates as ``YYYY-MM-DD`` strings)."""
    result: dict[str, Any] = msgspec.to_builtins(quote)
    return result


def quote_to_json(quote: Quote) -> bytes:
    """The quote's canonical JSON bytes, as the API sends and the hold stores them."""
    return _encoder.encode(quote)


def quote_from_json(data: bytes | str) -> Quote:
    """Decode a stored quote (for example the one kept with a hold)."""
    return msgspec.json.decode(data, type=Quote)


def quote_from_builtins(data: Any) -> Quote:
    """Decode a quote from plain Python values (a JSONB column read by psycopg)."""
    return msgspec.convert(data, type=Quote)
