"""What the caller tells the engine about a stay. The engine never reads a database.

The service builds a `StayContext` from the property, the request and the reservation
table; tests and `engine.testing` build one by hand.
"""

from __future__ import annotations

import builtins
from datetime import date

import msgspec


class Property(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The guesthouse: its slug, the currency its prices are in, and its time zone."""

    slug: str
    currency: str
    time_zone: str = "UTC"


class RoomType(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A kind of room: base price per night in minor units, how many it sleeps, units."""

    slug: str
    base_price: int
    max_guests: int = 2
    included_guests: int = 2
    units: int = 1


class Party(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Who stays: adults, and the age of each child on arrival."""

    adults: int = 2
    children: tuple[int, ...] = ()

    @property
    def guests(self) -> int:
        """Everyone in the party, children included."""
        return self.adults + len(self.children)


class Occupancy(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One night of one room type as the reservation table sees it.

    ``free_gap`` is the length in nights of the free run that contains this night for the
    unit that would be sold (``None`` when unknown or no unit is free): a gap-night rule
    discounts short orphan gaps between bookings.
    """

    units_total: int
    units_sold: int = 0
    free_gap: int | None = None
    #: The length of the shortest free gap *between two reservations* that begins this
    #: night on a free unit (None: none begins here). A stay exactly filling such a gap may
    #: be allowed whatever the minimum stay (the `gap_night` rule's ``fill_gaps``).
    gap_from_here: int | None = None


class StayContext(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Everything a rule may read: property, room type, dates, party, promo code, today,
    the rate plan, the guest's inputs and the extras chosen.

    ``check_in``/``check_out`` are the half-open range of nights (for the calendar, the range
    shown). ``today`` is the property's local date, computed by the server. ``occupancy`` has
    one entry per night, or none at all (then every unit is taken to be free).
    """

    property: Property
    room_type: RoomType
    check_in: date
    check_out: date
    today: date
    party: Party = Party()
    promo_code: str | None = None
    occupancy: tuple[Occupancy, ...] = ()
    #: The rate plan the stay is sold under (None: the property has no plans).
    rate_plan: str | None = None
    #: The guest's answers to the rules' inputs; while a rule runs, every declared input
    #: is here, checked, with its default where the guest said nothing.
    inputs: dict[str, int | bool] = {}
    #: The extras chosen, by slug (quantities; priced by the engine as stay lines).
    extras: dict[str, int] = {}
    #: The stay exactly fills a free gap between two reservations on a unit it could be
    #: sold from (the caller knows the reservations; the engine never reads a database).
    fills_gap: bool = False

    @builtins.property  # the field `property` shadows the builtin inside this class
    def nights(self) -> int:
        """Number of nights in the range."""
        return (self.check_out - self.check_in).days
