"""What the host page hears from the widget, checked against docs/widget.md: every
``innkeep:*`` event documented, each payload in its documented shape, in the order a
guest's journey makes them, heard on ``document``, and nothing personal in any of them.

Plain Python (no browser): the journeys check what `record_events` recorded with it, and
tests check it with event lists of their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

#: A field's documented type: a Python type, a list of one item shape, or a choice.
Shape = dict[str, Any]

_QUOTE_ITEM: Shape = {"room_type": str, "total": int, "due_now": int, "currency": str}
#: The payloads of version 1, as docs/widget.md documents them ("Events").
EVENT_SHAPES: dict[str, Shape] = {
    "ready": {"version": int, "property": str},
    "dates": {"version": int, "check_in": str, "check_out": str, "adults": int, "children": int},
    "quote": {
        "version": int,
        "check_in": str,
        "check_out": str,
        "adults": int,
        "children": int,
        "quotes": [_QUOTE_ITEM],
    },
    "hold": {
        "version": int,
        "room_type": str,
        "check_in": str,
        "check_out": str,
        "expires_at": str,
        "total": int,
        "currency": str,
    },
    "booked": {"version": int, "reference": str, "total": int, "currency": str},
    "error": {"version": int, "code": str, "message": str},
}
#: Fields a payload may have besides (several rooms held together say how many).
OPTIONAL: dict[str, Shape] = {"hold": {"rooms": int}}
#: What a guest's booking journey makes, in this order (other events may come between).
BOOKING_FLOW = ("ready", "dates", "quote", "hold", "booked")
#: Each event's cause, which must have come before it.
_AFTER = {"quote": "dates", "hold": "quote", "booked": "hold"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
#: Anything that looks like an e-mail address or a phone number (+ and 7 digits or more).
_EMAIL = re.compile(r"[^\s@\"]+@[^\s@\"]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+\s*\d(?:[\s().-]*\d){6,}")
#: Keys that would carry what the guest typed or a secret.
_PERSONAL_KEYS = {"name", "email", "phone", "note", "guest", "token", "secret", "client_secret"}


class EventsWrong(AssertionError):
    """What the host page heard is not what docs/widget.md promises; the message says how."""


def check_events(
    events: Sequence[dict[str, Any]],
    *,
    flow: Sequence[str] = BOOKING_FLOW,
    personal: Iterable[str] = (),
) -> None:
    """Check the recorded events (``{type, detail, heard}``, ``type`` without ``innkeep:``,
    oldest first): each documented and heard on ``document``, each payload in its documented
    shape, ``ready`` first, each event after its cause (dates, then quote, then hold, then
    booked, for the same stay), ``flow``'s events all there in that order, and none carrying
    any of ``personal`` (what the guest typed) or anything like an e-mail address or phone
    number. Raises `EventsWrong` naming the first thing wrong."""
    kinds = [e.get("type") for e in events]
    if not events:
        raise EventsWrong("the host page heard no innkeep:* event")
    for n, event in enumerate(events):
        kind, detail = event.get("type"), event.get("detail")
        if kind not in EVENT_SHAPES:
            raise EventsWrong(f"undocumented event innkeep:{kind} (event {n}: {detail!r})")
        if event.get("heard") is False:
            raise EventsWrong(f"innkeep:{kind} (event {n}) did not reach the page's document")
        _check_shape(f"innkeep:{kind} (event {n})", detail, kind)
        _check_private(f"innkeep:{kind} (event {n})", detail, personal)
    if kinds[0] != "ready":
        raise EventsWrong(f"the first event is innkeep:{kinds[0]}, not innkeep:ready ({kinds})")
    _check_causes(events)
    at = 0
    for kind in flow:
        if kind not in kinds[at:]:
            raise EventsWrong(f"no innkeep:{kind} after innkeep:{kinds[at - 1]} (heard {kinds})")
        at = kinds.index(kind, at) + 1


def _check_shape(what: str, detail: Any, kind: str) -> None:
    if not isinstance(detail, dict):
        raise EventsWrong(f"{what}: its detail is {detail!r}, not an object")
    shape, optional = EVENT_SHAPES[kind], OPTIONAL.get(kind, {})
    missing = [k for k in shape if k not in detail]
    extra = [k for k in detail if k not in shape and k not in optional]
    if missing or extra:
        said = (f"lacks {missing}" if missing else "") + (" and " if missing and extra else "")
        raise EventsWrong(f"{what}: {said}{f'has undocumented {extra}' if extra else ''}")
    if detail["version"] != 1 or isinstance(detail["version"], bool):
        raise EventsWrong(f"{what}: version {detail['version']!r}, not 1")
    for key, value in detail.items():
        _check_value(f"{what}: {key}", value, {**shape, **optional}[key], key)


def _check_value(what: str, value: Any, kind: Any, key: str) -> None:
    if isinstance(kind, list):
        if not isinstance(value, list):
            raise EventsWrong(f"{what} is {value!r}, not a list")
        for n, item in enumerate(value):
            if not isinstance(item, dict) or set(item) != set(kind[0]):
                raise EventsWrong(f"{what}[{n}] is {item!r}, not {{{', '.join(kind[0])}}}")
            for k, v in item.items():
                _check_value(f"{what}[{n}].{k}", v, kind[0][k], k)
        return
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise EventsWrong(f"{what} is {value!r}, not {kind.__name__}")
    pattern = {"check_in": _DATE, "check_out": _DATE, "expires_at": _INSTANT}.get(key)
    if key == "currency":
        pattern = _CURRENCY
    if pattern is not None and not pattern.match(value):
        raise EventsWrong(f"{what} is {value!r}, not as documented")
    if kind is int and value < (1 if key in ("adults", "rooms") else 0):
        raise EventsWrong(f"{what} is {value!r}")


def _check_private(what: str, detail: Any, personal: Iterable[str]) -> None:
    text = json.dumps(detail, ensure_ascii=False)
    for said in personal:
        if said and said.lower() in text.lower():
            raise EventsWrong(f"{what} carries what the guest typed ({said!r}): {text}")
    for pattern, name in ((_EMAIL, "an e-mail address"), (_PHONE, "a phone number")):
        found = pattern.search(text)
        if found:
            raise EventsWrong(f"{what} carries {name} ({found.group(0)!r}): {text}")
    keys = _keys(detail) & _PERSONAL_KEYS
    if keys:
        raise EventsWrong(f"{what} has a field for personal data or a secret: {sorted(keys)}")


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _check_causes(events: Sequence[dict[str, Any]]) -> None:
    """Each quote follows the dates of its stay, each hold a quote of its stay and room,
    each booking a hold of its total and currency."""
    last: dict[str, dict[str, Any]] = {}
    for n, event in enumerate(events):
        kind, detail = event["type"], event["detail"]
        # Several rooms held together were offered as a group, not as one room's quote.
        cause = "dates" if kind == "hold" and "rooms" in detail else _AFTER.get(kind)
        if cause is not None:
            before = last.get(cause)
            if before is None:
                raise EventsWrong(f"innkeep:{kind} (event {n}) before any innkeep:{cause}")
            if kind in ("quote", "hold"):
                stay, was = _stay(detail), _stay(before)
                if stay != was:
                    raise EventsWrong(
                        f"innkeep:{kind} (event {n}) is for {stay}, the last innkeep:{cause} "
                        f"for {was}"
                    )
            if (
                cause == "quote"
                and kind == "hold"
                and detail["room_type"] not in {q["room_type"] for q in before["quotes"]}
            ):
                raise EventsWrong(f"innkeep:hold (event {n}) of a room no quote offered")
            if kind == "booked" and (detail["total"], detail["currency"]) != (
                before["total"],
                before["currency"],
            ):
                raise EventsWrong(
                    f"innkeep:booked (event {n}) of {detail['total']} {detail['currency']}, "
                    f"the hold of {before['total']} {before['currency']}"
                )
        if kind == "dates":  # a new stay: what was quoted or held before is not for it
            last.pop("quote", None)
            last.pop("hold", None)
        last[kind] = detail


def _stay(detail: dict[str, Any]) -> tuple[str, str]:
    return detail["check_in"], detail["check_out"]
