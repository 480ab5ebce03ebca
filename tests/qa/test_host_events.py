"""The journeys' check of what the host page hears (`host_events.check_events`): a true
booking's events pass; a wrong shape, a wrong order, an undocumented event, an event the
page's document never heard and anything personal in a payload each fail, naming it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from widget.testing.host_events import EventsWrong, check_events

STAY = {"check_in": "2027-01-15", "check_out": "2027-01-17"}
#: A booking's events, as the demo's widget sends them (recorded from a journey).
BOOKING: list[dict[str, Any]] = [
    {"type": "ready", "detail": {"version": 1, "property": "demo"}},
    {"type": "dates", "detail": {"version": 1, **STAY, "adults": 2, "children": 0}},
    {
        "type": "quote",
        "detail": {
            "version": 1,
            **STAY,
            "adults": 2,
            "children": 0,
            "quotes": [
                {
                    "room_type": "double-sea-view",
                    "total": 32480,
                    "due_now": 31480,
                    "currency": "EUR",
                },
                {"room_type": "family-suite", "total": 42920, "due_now": 41920, "currency": "EUR"},
            ],
        },
    },
    {
        "type": "hold",
        "detail": {
            "version": 1,
            "room_type": "double-sea-view",
            "expires_at": "2026-12-01T16:44:51.335761Z",
            "total": 32480,
            "currency": "EUR",
            **STAY,
        },
    },
    {
        "type": "booked",
        "detail": {"version": 1, "reference": "2QZ-SWC4", "total": 32480, "currency": "EUR"},
    },
]
TYPED = ("Qa Journeyguest", "qa.journey@example.com", "+39 0185 777 123", "a quiet room")


def events(*changes: tuple[int, str, Any]) -> list[dict[str, Any]]:
    """The booking's events with ``(index, key, value)`` changes to their details."""
    changed = copy.deepcopy(BOOKING)
    for n, key, value in changes:
        changed[n]["detail"][key] = value
    for event in changed:
        event["heard"] = True
    return changed


def error(message: str) -> dict[str, Any]:
    return {"type": "error", "detail": {"version": 1, "code": "invalid", "message": message}}


def test_a_true_booking_passes() -> None:
    check_events(events(), personal=TYPED)
    refused = [*events()[:4], error("Please fill in E-mail")]
    check_events(refused, flow=("ready", "dates", "quote", "hold", "error"), personal=TYPED)
    # Several rooms held together: `rooms` is documented for them.
    group = events((3, "rooms", 2))
    check_events(group)


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ([(4, "total", "324.80")], r"innkeep:booked \(event 4\): total is '324.80', not int"),
        ([(3, "total", True)], "total is True, not int"),
        ([(1, "children", [8])], "children is \\[8\\], not int"),
        ([(0, "version", 2)], "version 2, not 1"),
        ([(3, "expires_at", "soon")], "expires_at is 'soon', not as documented"),
        ([(4, "currency", "euro")], "currency is 'euro', not as documented"),
        ([(2, "quotes", [{"room_type": "twin", "total": 1}])], r"quotes\[0\] is"),
        ([(4, "guest_count", 2)], r"has undocumented \['guest_count'\]"),
    ],
)
def test_a_payload_not_in_its_documented_shape_fails(
    changes: list[tuple[int, str, Any]], said: str
) -> None:
    with pytest.raises(EventsWrong, match=said):
        check_events(events(*changes))


def test_a_missing_field_fails() -> None:
    wrong = events()
    del wrong[3]["detail"]["expires_at"]
    with pytest.raises(EventsWrong, match=r"innkeep:hold \(event 3\): lacks \['expires_at'\]"):
        check_events(wrong)


def test_events_out_of_order_fail() -> None:
    good = events()
    with pytest.raises(EventsWrong, match="the first event is innkeep:dates"):
        check_events([good[1], good[0], *good[2:]])
    with pytest.raises(EventsWrong, match=r"innkeep:hold \(event 2\) before any innkeep:quote"):
        check_events([good[0], good[1], good[3], good[2], good[4]])
    with pytest.raises(EventsWrong, match=r"innkeep:booked \(event 3\) before any innkeep:hold"):
        check_events([*good[:3], good[4], good[3]])
    # A hold for another stay than the one quoted, a booking of another total than held.
    with pytest.raises(EventsWrong, match=r"is for .*2027-01-16.*the last innkeep:quote for"):
        check_events(events((3, "check_out", "2027-01-16")))
    with pytest.raises(EventsWrong, match=r"innkeep:booked .* of 32481 EUR, the hold of 32480"):
        check_events(events((4, "total", 32481)))
    # New dates: the stay's quote must come again before a hold.
    with pytest.raises(EventsWrong, match=r"innkeep:hold .* before any innkeep:quote"):
        check_events([*good[:3], good[1], *good[3:]])
    # The journey's events must all be there, in its order.
    with pytest.raises(EventsWrong, match="no innkeep:booked after innkeep:hold"):
        check_events(good[:4])


def test_an_undocumented_event_fails() -> None:
    sale = {"type": "sale", "detail": {"version": 1}, "heard": True}
    with pytest.raises(EventsWrong, match=r"undocumented event innkeep:sale \(event 5"):
        check_events([*events(), sale])


def test_an_event_the_page_did_not_hear_fails() -> None:
    unheard = events()
    unheard[4]["heard"] = False
    with pytest.raises(EventsWrong, match=r"innkeep:booked .* did not reach the page's document"):
        check_events(unheard)


@pytest.mark.parametrize(
    ("message", "said"),
    [
        ("Call us on +39 0185 777 123", "what the guest typed .*'\\+39 0185 777 123'"),
        ("Call +44 20 7946 0958 to book", "a phone number"),
        ("No mail to qa.journey@example.com", "what the guest typed"),
        ("No mail to someone@pensione.example", "an e-mail address"),
        ("Qa JOURNEYGUEST, your room is held", "what the guest typed"),
        ("Noted: a quiet room", "what the guest typed"),
    ],
)
def test_personal_data_in_any_payload_fails(message: str, said: str) -> None:
    with pytest.raises(EventsWrong, match=said):
        check_events([*events(), error(message)], personal=TYPED)


def test_a_field_for_personal_data_fails() -> None:
    with pytest.raises(EventsWrong, match=r"undocumented \['email'\]"):
        check_events(events((4, "email", "")))
    quotes = [
        {"room_type": "double-sea-view", "total": 1, "due_now": 1, "currency": "EUR", "token": "x"}
    ]
    with pytest.raises(EventsWrong, match="quotes\\[0\\] is"):
        check_events(events((2, "quotes", quotes)))
