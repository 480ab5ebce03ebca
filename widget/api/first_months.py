"""The calendar months a widget page carries, so that it draws its priced months without
asking (decision 17: two sequential round trips after the host page, not three).

They come from the availability service exactly as ``GET …/calendar`` answers them, month by
month and for the party the widget starts with, so they share that answer's versioned cache:
a booking, a block or a rule change makes the next page carry fresh months. The page itself
is never stored (``Cache-Control: no-store``).
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import msgspec

from widget.embedding import WidgetOptions
from widget.errors import InnkeepError
from widget.inventory.calendars import Availability
from widget.inventory.catalogue import party
from widget.properties.public import PropertyOut

#: The widget shows two months side by side (``monthsShown`` in static/widget/calendar.js).
MONTHS_SHOWN = 2


class FirstMonths(msgspec.Struct, frozen=True):
    """The months shown first, for the party the widget starts with, by the first day of
    each month (``YYYY-MM-01``); each month is a calendar answer."""

    adults: int
    children: list[int]
    months: dict[str, Any]


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def starting_party(place: PropertyOut, options: WidgetOptions) -> tuple[int, list[int]]:
    """The party a fresh widget starts with: as ``initialChoices`` in static/widget/state.js
    computes it without anything saved in the tab."""
    most = max((room.max_guests for room in place.room_types), default=1)
    adults = min(max(options.adults or min(2, most), 1), most)
    return adults, list(options.children)


async def first_months(
    availability: Availability, place: PropertyOut, options: WidgetOptions
) -> FirstMonths | None:
    """The months a fresh widget shows first; None when the calendar cannot be answered
    (the widget then asks, and shows the API's own refusal)."""
    adults, children = starting_party(place, options)
    who = party(adults, children)
    starts = [place.today.replace(day=1)]
    while len(starts) < MONTHS_SHOWN:
        starts.append(_next_month(starts[-1]))
    try:
        answers = await asyncio.gather(
            *(availability.calendar(place.slug, s, _next_month(s), who, "") for s in starts)
        )
    except InnkeepError:
        return None
    months = {
        start.isoformat(): msgspec.json.decode(body)
        for start, (_, _, body) in zip(starts, answers, strict=True)
        if body is not None
    }
    return FirstMonths(adults, children, months)
