"""The house rules a booking request must keep, each defined here once.

What the pricing engine checks itself (the longest stay, the longest calendar, a child's
age, that an adult must come) lives in `engine.pipeline`, exported by `engine`; everything
else that bounds a guest's request lives here, and the API, the embed options and the
property file import it from here.
"""

from __future__ import annotations

from datetime import date, timedelta

from engine import MIN_ADULTS

#: The most guests one room type may sleep (``max_guests`` in a property file), so also the
#: largest party one booking can be: a party bigger than every room could never be sold.
MAX_GUESTS = 50
#: Adults in one booking: at most a full room of them (the engine's `MIN_ADULTS` must come).
MAX_ADULTS = MAX_GUESTS
#: Children in one booking: the room's places beside the adult who must come.
MAX_CHILDREN = MAX_GUESTS - MIN_ADULTS

#: How far ahead a property sells by default: two years from its own "today". An owner
#: may change it with ``booking_horizon_days`` in the property file.
BOOKING_HORIZON_DAYS = 730
#: The bounds an owner may set it to: at least a week, at most ten years.
MIN_HORIZON_DAYS = 7
MAX_HORIZON_DAYS = 3650
#: A calendar may reach this many days past either end of what can be booked, so that a
#: month view starting on the 1st (before today) or ending after the horizon still loads.
CALENDAR_MARGIN_DAYS = 31


def last_departure(today: date, horizon_days: int) -> date:
    """The latest check-out a property sells: ``horizon_days`` after its ``today``."""
    return today + timedelta(days=horizon_days)
