"""Reading another channel's iCal feed: which nights of the unit it says are taken.

A stay is a range of local nights of the property (decision 2): an all-day event's dates as
written; a timed event (``TZID`` or ``Z``) from the local date it starts to the local date
it ends, end excluded, and always at least one night. Cancelled events release their
nights, events wholly in the past are ignored, and what cannot be trusted (an event of a
hundred years, a recurring one, one without dates) is reported in words rather than dropped
silently. An answer that is not a calendar at all (an HTML login page, garbage) is an error
the owner can act on, never an empty calendar: that would release every imported night.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component

from widget.limits import MAX_HORIZON_DAYS

#: Longer than this (three years) is not a stay but a mistake (or a "closed forever" we
#: will not guess at).
MAX_NIGHTS = 3 * 365 + 1


class FeedUnreadable(ValueError):
    """The answer is not an iCalendar feed; the message says so in words for the owner."""


@dataclass(frozen=True)
class FeedEvent:
    """One event of a feed, as the unit's nights ``[check_in, check_out)``."""

    uid: str
    check_in: date
    check_out: date


@dataclass
class FeedReading:
    """What a feed says: its live events by UID, the UIDs it cancels, the UIDs it lists but
    that could not be read (their earlier state is kept), and problems in words."""

    events: dict[str, FeedEvent] = field(default_factory=dict)
    cancelled: set[str] = field(default_factory=set)
    unreadable: set[str] = field(default_factory=set)
    past: int = 0
    problems: list[str] = field(default_factory=list)


def read_feed(body: bytes, *, time_zone: str, today: date) -> FeedReading:
    """The events of ``body`` (an iCalendar file) for a property in ``time_zone`` whose
    local date is ``today``. Raises `FeedUnreadable` when it is not a calendar."""
    calendar = _calendar(_text(body))
    zone = ZoneInfo(time_zone)
    floating = _calendar_zone(calendar)
    reading = FeedReading()
    chosen: dict[str, tuple[tuple[Any, ...], Component]] = {}
    for position, component in enumerate(calendar.walk("VEVENT")):
        uid = _uid(component)
        rank = (_int(component.get("sequence")), _stamp(component), position)
        if uid not in chosen or rank > chosen[uid][0]:
            # The same UID listed twice: the latest revision (SEQUENCE, then time) wins.
            chosen[uid] = (rank, component)
    for uid, (_, component) in chosen.items():
        _read_event(reading, uid, component, _Zones(zone, floating), today)
    return reading


@dataclass(frozen=True)
class _Zones:
    #: The property's zone: where a night is counted.
    local: ZoneInfo
    #: The calendar's own (``X-WR-TIMEZONE``), for times written without a zone.
    floating: ZoneInfo | None


def _calendar_zone(calendar: Component) -> ZoneInfo | None:
    """The zone ``X-WR-TIMEZONE`` names (times without a zone are in it), if a known one."""
    name = str(calendar.get("x-wr-timezone", "")).strip()
    try:
        return ZoneInfo(name) if name else None
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return None


def _text(body: bytes) -> str:
    text = body.decode("utf-8-sig", errors="replace")
    start = text.lstrip()[:2048].lower()
    if not start.startswith("begin:vcalendar"):
        if "<html" in start or "<!doctype" in start or "<head" in start:
            raise FeedUnreadable(
                "the feed answered with a web page (perhaps a login page) instead of a "
                "calendar: copy the channel's iCal export link again"
            )
        raise FeedUnreadable(
            "the feed's answer is not an iCalendar file (it does not start with BEGIN:VCALENDAR)"
        )
    return text


def _calendar(text: str) -> Component:
    try:
        calendars = Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError) as broken:
        raise FeedUnreadable(f"the calendar could not be read ({_short(broken)})") from None
    if not calendars:
        raise FeedUnreadable("the feed's answer holds no calendar")
    return calendars[0]


def _read_event(
    reading: FeedReading, uid: str, event: Component, zone: _Zones, today: date
) -> None:
    if str(event.get("status", "")).upper() == "CANCELLED":
        reading.cancelled.add(uid)
        return
    try:
        stay = _nights(event, zone)
    except (ValueError, TypeError, AttributeError, OverflowError) as broken:
        reading.unreadable.add(uid)
        reading.problems.append(f"event {_shown(uid)} has no usable dates ({_short(broken)})")
        return
    check_in, check_out = stay
    if check_out <= today:
        reading.past += 1
        return
    refusal = _absurd(event, check_in, check_out, today)
    if refusal:
        reading.problems.append(f"event {_shown(uid)} {refusal}; it was not imported")
        return
    reading.events[uid] = FeedEvent(uid, check_in, check_out)


def _nights(event: Component, zone: _Zones) -> tuple[date, date]:
    start = event.get("dtstart")
    if start is None:
        raise ValueError("no DTSTART")
    check_in = _local_date(start.dt, zone)
    end = event.get("dtend")
    if end is not None:
        check_out = _local_date(end.dt, zone)
    elif event.get("duration") is not None:
        check_out = _local_date(start.dt + event.get("duration").dt, zone)
    else:
        check_out = check_in  # RFC 5545: one day (a date) or an instant (a time)
    return check_in, max(check_out, check_in + timedelta(days=1))


def _local_date(value: date | datetime, zone: _Zones) -> date:
    """A DATE as written; a DATE-TIME as the property's local date. A time without a zone is
    in the calendar's ``X-WR-TIMEZONE`` if it names one, else taken as written."""
    if isinstance(value, datetime):
        if value.tzinfo is None and zone.floating is not None:
            value = value.replace(tzinfo=zone.floating)
        if value.tzinfo is not None:
            return value.astimezone(zone.local).date()
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"{type(value).__name__} is not a date")


def _absurd(event: Component, check_in: date, check_out: date, today: date) -> str | None:
    nights = (check_out - check_in).days
    if nights > MAX_NIGHTS:
        return f"is {nights} nights long ({check_in} to {check_out})"
    if check_in > today + timedelta(days=MAX_HORIZON_DAYS):
        # Further ahead than any property may sell: nothing it could protect.
        return f"starts more than {MAX_HORIZON_DAYS} days ahead ({check_in})"
    if event.get("rrule") is not None:
        return "repeats (RRULE), which a channel's availability feed never does"
    return None


def _uid(event: Component) -> str:
    uid = str(event.get("uid", "")).strip()
    if uid:
        return uid[:500]
    # No UID: the dates are the event's identity (a feed that moves it makes a new one).
    raw = f"{event.get('dtstart') and event.get('dtstart').to_ical()!r}"
    raw += f"{event.get('dtend') and event.get('dtend').to_ical()!r}"
    return "no-uid-" + hashlib.sha256(raw.encode()).hexdigest()[:16]


def _int(value: object) -> int:
    try:
        return int(str(value)) if value is not None else 0
    except ValueError:
        return 0


def _stamp(event: Component) -> str:
    for name in ("last-modified", "dtstamp"):
        prop = event.get(name)
        if prop is not None:
            try:
                return prop.dt.isoformat()  # type: ignore[no-any-return]
            except AttributeError:
                continue
    return ""


def _shown(uid: str) -> str:
    return repr(uid if len(uid) <= 60 else uid[:57] + "...")


def _short(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text if len(text) <= 120 else text[:117] + "..."
