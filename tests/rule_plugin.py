"""A third-party pricing rule with every shape of setting, for the export and form tests."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import msgspec

from engine import Money, NightRule, Nights, Period, hookimpl


class Mood(enum.Enum):
    CALM = "calm"
    BUSY = "busy"


class Band(msgspec.Struct, forbid_unknown_fields=True):
    label: str
    nights: list[int] = []
    surcharge: Money | None = None
    mood: Mood = Mood.CALM


class FestivalSettings(msgspec.Struct, forbid_unknown_fields=True):
    """Every kind of setting a plugin might declare."""

    percent: Decimal
    starts: date
    bands: list[Band]
    window: Period | None = None
    label: str = "festival"
    weekdays: list[Literal["mon", "sat", "sun"]] = []
    loud: bool | None = None
    cap: Money | None = None
    extras: dict[str, int] = {}


class Festival(NightRule[FestivalSettings]):
    """Nights of the town's festival cost more (a test plugin)."""

    name = "festival"
    stage = "adjust"
    Settings = FestivalSettings

    def price(self, nights: Nights) -> None:
        for i, day in enumerate(nights.dates):
            if day >= self.settings.starts:
                nights.amounts[i] += 1000


class FestivalPlugin:
    @hookimpl
    def innkeep_register_rules(self, register: Callable[[type[Any]], None]) -> None:
        register(Festival)


FESTIVAL_RULE = """
[[rules]]
type = "festival"
name = "palio"
room_types = ["family-suite"]
percent = 12.5
starts = 2027-07-02
bands = [
  { label = "first", nights = [1, 2], surcharge = 5.50, mood = "busy" },
  { label = "second" },
]
window = { first = 2027-06-30, last = 2027-07-03 }
weekdays = ["sat", "sun"]
loud = false
extras = { drums = 3, "flag wavers" = 2 }
"""

WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#: A property using every key of the file and every built-in rule type (and the festival).
EVERY_SECTION_TOML = (
    """
[property]
slug = "every-key"
name = "Pensione \\"Tutto\\" – ünïcode"
contact_email = "owner@tutto.example"
time_zone = "Europe/Berlin"
currency = "EUR"
locale = "de"
allowed_origins = ["https://Tutto.example/", "http://localhost:8080"]
check_in_time = "14:30"
check_out_time = "11:00"
booking_horizon_days = 400
guest_retention_years = 3

[property.cancellation_policy]
free_until_days = 3
refund_percent = 20

[property.hold_quota]
share_percent = 150

[[room_types]]
slug = "family-suite"
name = "Suite"
description = "Two rooms,\\nline two"
max_guests = 4
base_price = 100
units = ["S1", "S2"]
photos = [{ url = "/p/1.jpg", alt = "one" }, { url = "/p/2.jpg" }]

[[room_types]]
slug = "single"
name = "Single"
max_guests = 1
included_guests = 1
base_price = 55.5
units = ["A"]

[[rate_plans]]
slug = "flexible"
name = { en = "Flexible", it = "Flessibile" }
payment = { deposit_percent = 30 }

[[rate_plans]]
slug = "half-board"
name = "Half board"
room_types = ["family-suite"]
amount = 25.50
included = "Breakfast and dinner"
cancellation_policy = { free_cancellation = false, refund_percent = 10 }

[[rate_plans]]
slug = "saver"
name = "Saver"
percent = -10

[[extras]]
slug = "parking"
name = "Parking"
price = 15
per = "night"
max_quantity = 1
vat_percent = 22
payable = "at_property"

[[webhooks]]
url = "https://hooks.example.com/catch/123/abc"
events = ["booking.confirmed", "booking.cancelled"]
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
include_guest = true

[[rules]]
type = "base_rate"

[[rules]]
type = "seasonal"
name = "summer"
percent = 30
seasons = [
  { first = 2026-06-20, last = 2026-09-05, yearly = true },
  { first = 2027-01-01, last = 2027-01-02 },
]

[[rules]]
type = "seasonal"
name = "fair"
room_types = ["single"]
price = 99
seasons = [{ first = 2027-03-01, last = 2027-03-04 }]

[[rules]]
type = "day_of_week"
days = ["fri", "sat"]
amount = -5.25

[[rules]]
type = "occupancy"
tiers = [{ from_percent = 60.5, percent = 8 }]

[[rules]]
type = "lead_time"
mode = "gradual"
steps = [{ days = 0, percent = -10 }, { days = 30, percent = 0.0 }]

[[rules]]
type = "gap_night"
percent = 20

[[rules]]
type = "extra_guests"
amount = 30.00
child_amount = 15
free_under_age = 3

[[rules]]
type = "clamp"
min_price = 40
max_price = 400.00

[[rules]]
type = "rounding"
mode = "ending"
ending = 0.90
direction = "down"

[[rules]]
type = "min_stay"
nights = 3
seasons = [{ first = 2026-07-01, last = 2026-08-31, yearly = true }]
arrival_weekdays = ["sat"]

[[rules]]
type = "max_stay"
nights = 21

[[rules]]
type = "closed_to_arrival"
weekdays = ["sun"]

[[rules]]
type = "closed_to_departure"
dates = [{ first = 2026-12-24, last = 2026-12-26, yearly = true }]

[[rules]]
type = "length_of_stay"
wins = "largest"
tiers = [{ min_nights = 7, percent = 10 }]

[[rules]]
type = "promo_code"
code = "HELLO"
amount = 10
booking = { first = 2026-01-01, last = 2027-12-31 }
stay = { first = 2026-01-01, last = 2028-12-31 }
min_nights = 2

[[rules]]
type = "cleaning_fee"
amount = 25.00

[[rules]]
type = "pets"
amount = 8.50
per = "stay"

[[rules]]
type = "vat"
percent = 7
inclusive = false
applies_to = ["rooms", "fee"]

[[rules]]
type = "city_tax"
preset = "berlin"
payable = "at_property"
"""
    + FESTIVAL_RULE
)
