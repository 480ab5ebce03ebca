"""Innkeep's built-in pricing rules, registered through the ``innkeep.pricing`` entry point
exactly as a third-party plugin's rules are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine import hookimpl
from plugins.base_rate import BaseRate
from plugins.city_tax import CityTax
from plugins.clamp import Clamp
from plugins.cleaning_fee import CleaningFee
from plugins.day_of_week import DayOfWeek
from plugins.extra_guests import ExtraGuests
from plugins.gap_night import GapNight
from plugins.lead_time import LeadTime
from plugins.length_of_stay import LengthOfStay
from plugins.occupancy import OccupancyTiers
from plugins.pets import Pets
from plugins.promo_code import PromoCode
from plugins.restrictions import ClosedToArrival, ClosedToDeparture, MaxStay, MinStay
from plugins.rounding import Rounding
from plugins.seasonal import Seasonal
from plugins.vat import Vat

BUILTIN_RULES: tuple[type[Any], ...] = (
    BaseRate,
    Seasonal,
    DayOfWeek,
    OccupancyTiers,
    LeadTime,
    GapNight,
    ExtraGuests,
    Clamp,
    Rounding,
    LengthOfStay,
    PromoCode,
    CleaningFee,
    Pets,
    Vat,
    CityTax,
    MinStay,
    MaxStay,
    ClosedToArrival,
    ClosedToDeparture,
)


@hookimpl
def innkeep_register_rules(register: Callable[[type[Any]], None]) -> None:
    """Register every built-in rule type."""
    for rule_type in BUILTIN_RULES:
        register(rule_type)
