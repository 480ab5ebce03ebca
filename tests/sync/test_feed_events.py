"""Reading other channels' feeds into nights: the shapes OTAs publish, time zones, and what
is refused or reported rather than dropped silently."""

from __future__ import annotations

from datetime import date

import pytest

from tests.sync.samples import airbnb, booking_com, events, vrbo
from widget.sync.feed_events import FeedUnreadable, read_feed

TODAY = date(2027, 3, 1)
D = date


def nights(body: bytes, zone: str = "Europe/Rome") -> list[tuple[date, date]]:
    reading = read_feed(body, time_zone=zone, today=TODAY)
    return sorted((e.check_in, e.check_out) for e in reading.events.values())


def test_airbnb_booking_com_and_vrbo_feeds_give_their_nights() -> None:
    assert nights(airbnb([(D(2027, 7, 9), D(2027, 7, 12))], [(D(2027, 12, 1), D(2028, 1, 1))])) == [
        (D(2027, 7, 9), D(2027, 7, 12)),
        (D(2027, 12, 1), D(2028, 1, 1)),
    ]
    assert nights(booking_com([(D(2027, 8, 1), D(2027, 8, 5))])) == [(D(2027, 8, 1), D(2027, 8, 5))]
    # LF line ends and a byte-order mark.
    assert nights(vrbo([(D(2027, 9, 1), D(2027, 9, 4))])) == [(D(2027, 9, 1), D(2027, 9, 4))]


def test_timed_events_give_local_nights_end_excluded() -> None:
    body = events(
        # 23:30 UTC is already the next day in Rome; the end's local date is excluded.
        ["UID:z", "DTSTART:20270409T233000Z", "DTEND:20270411T090000Z"],
        [
            "UID:tz",
            "DTSTART;TZID=America/New_York:20270501T150000",
            "DTEND;TZID=America/New_York:20270503T110000",
        ],
        # Same day in and out: still one night.
        [
            "UID:short",
            "DTSTART;TZID=Europe/Rome:20270601T100000",
            "DTEND;TZID=Europe/Rome:20270601T180000",
        ],
    )
    assert nights(body) == [
        (D(2027, 4, 10), D(2027, 4, 11)),
        (D(2027, 5, 1), D(2027, 5, 3)),
        (D(2027, 6, 1), D(2027, 6, 2)),
    ]


def test_times_without_a_zone_are_in_the_calendars_x_wr_timezone() -> None:
    event = ["UID:f", "DTSTART:20270501T230000", "DTEND:20270503T230000"]
    named = events(event).replace(b"VERSION:2.0", b"VERSION:2.0\r\nX-WR-TIMEZONE:America/New_York")
    # 23:00 in New York is already the next day in Rome.
    assert nights(named) == [(D(2027, 5, 2), D(2027, 5, 4))]
    assert nights(events(event)) == [(D(2027, 5, 1), D(2027, 5, 3))]  # as written


def test_events_without_dtend_take_one_night_or_their_duration() -> None:
    body = events(
        ["UID:a", "DTSTART;VALUE=DATE:20270701"],
        ["UID:b", "DTSTART;VALUE=DATE:20270801", "DURATION:P3D"],
    )
    assert nights(body) == [(D(2027, 7, 1), D(2027, 7, 2)), (D(2027, 8, 1), D(2027, 8, 4))]


def test_cancelled_past_and_duplicate_events() -> None:
    body = events(
        [
            "UID:gone",
            "STATUS:CANCELLED",
            "DTSTART;VALUE=DATE:20270701",
            "DTEND;VALUE=DATE:20270703",
        ],
        ["UID:old", "DTSTART;VALUE=DATE:20260101", "DTEND;VALUE=DATE:20260105"],
        ["UID:twice", "SEQUENCE:2", "DTSTART;VALUE=DATE:20270810", "DTEND;VALUE=DATE:20270812"],
        ["UID:twice", "SEQUENCE:1", "DTSTART;VALUE=DATE:20270801", "DTEND;VALUE=DATE:20270803"],
    )
    reading = read_feed(body, time_zone="Europe/Rome", today=TODAY)
    assert reading.cancelled == {"gone"}
    assert reading.past == 1
    assert {uid: (e.check_in, e.check_out) for uid, e in reading.events.items()} == {
        "twice": (D(2027, 8, 10), D(2027, 8, 12))
    }


def test_absurd_and_recurring_events_are_refused_and_reported() -> None:
    body = events(
        ["UID:century", "DTSTART;VALUE=DATE:20270101", "DTEND;VALUE=DATE:21270101"],
        [
            "UID:weekly",
            "DTSTART;VALUE=DATE:20270701",
            "DTEND;VALUE=DATE:20270702",
            "RRULE:FREQ=WEEKLY",
        ],
        ["UID:fine", "DTSTART;VALUE=DATE:20270701", "DTEND;VALUE=DATE:20270702"],
        ["UID:far", "DTSTART;VALUE=DATE:20470701", "DTEND;VALUE=DATE:20470702"],
    )
    reading = read_feed(body, time_zone="Europe/Rome", today=TODAY)
    assert list(reading.events) == ["fine"]
    assert any("'far' starts more than 3650 days ahead" in p for p in reading.problems)
    assert any("'century' is 36524 nights long" in p for p in reading.problems)
    assert any("'weekly' repeats" in p for p in reading.problems)


def test_an_event_with_broken_dates_is_kept_as_it_was_and_reported() -> None:
    body = events(["UID:broken", "SUMMARY:Reserved"])
    reading = read_feed(body, time_zone="Europe/Rome", today=TODAY)
    assert reading.unreadable == {"broken"} and reading.events == {}
    assert "no usable dates" in reading.problems[0]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"<!DOCTYPE html><html><body><form>Log in</form></body></html>", "login page"),
        (b"\n\n<html><head><title>Sign in</title>", "web page"),
        (b"\x00\x01garbage\xff", "not an iCalendar file"),
        (b"", "not an iCalendar file"),
        (b"BEGIN:VCALENDAR\r\nthis is not a content line\r\n", "could not be read"),
    ],
)
def test_an_answer_that_is_not_a_calendar_is_an_error_in_words(body: bytes, says: str) -> None:
    with pytest.raises(FeedUnreadable, match=says):
        read_feed(body, time_zone="Europe/Rome", today=TODAY)


def test_an_empty_calendar_is_no_events() -> None:
    assert nights(events()) == []
