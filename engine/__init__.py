"""Innkeep's pricing engine: rules are pluggy plugins, composed in the owner's order.

Plugins write ``from engine import hookimpl`` and subclass `NightRule`, `StayRule` or
`RestrictionRule`; everything a plugin needs is exported here (docs/plugins.md lists it all).
The service loads an owner's rule list with `load_rules` and prices with
`price_stay` (an explainable `Quote`) or `price_nights` (the calendar).
"""

from engine.context import Occupancy, Party, Property, RoomType, StayContext
from engine.dates import WEEKDAYS, Period, Weekday, weekday_numbers
from engine.errors import (
    InvalidChoice,
    InvalidParty,
    InvalidStay,
    NoBaseRate,
    PricingError,
    PromoCodeRejected,
    RuleConfigError,
    RuleFailed,
    RuleTypeConflict,
    SettingError,
    StayRefused,
    UnknownPromoCode,
)
from engine.extras import Extra
from engine.hookspecs import hookimpl
from engine.inputs import RuleInput
from engine.loading import RuleInstance, declared_inputs, load_rules
from engine.money import (
    Money,
    exponent,
    format_minor,
    format_money,
    format_number,
    percent_of,
    percent_ratio,
    scale,
    to_major,
    to_minor,
    words_in,
)
from engine.pipeline import (
    MAX_CALENDAR_NIGHTS,
    MAX_CHILD_AGE,
    MAX_STAY_NIGHTS,
    MIN_ADULTS,
    check_nights,
    price_nights,
    price_stay,
)
from engine.plugins import RuleTypeInfo, get_plugin_manager, reset_plugin_manager, rule_types
from engine.quote import (
    Instalment,
    NightLine,
    NightPrice,
    NightQuote,
    Payable,
    Quote,
    StayLine,
    quote_from_builtins,
    quote_from_json,
    quote_hash,
    quote_to_builtins,
    quote_to_json,
)
from engine.rate_plans import RatePlan
from engine.rules import (
    Bill,
    Charge,
    Days,
    NightRule,
    Nights,
    NoSettings,
    RestrictionRule,
    Rule,
    StayRule,
)
from engine.vat_words import VAT_ADDED, VAT_INCLUDED

__all__ = [
    "MAX_CALENDAR_NIGHTS",
    "MAX_CHILD_AGE",
    "MAX_STAY_NIGHTS",
    "MIN_ADULTS",
    "VAT_ADDED",
    "VAT_INCLUDED",
    "WEEKDAYS",
    "Bill",
    "Charge",
    "Days",
    "Extra",
    "Instalment",
    "InvalidChoice",
    "InvalidParty",
    "InvalidStay",
    "Money",
    "NightLine",
    "NightPrice",
    "NightQuote",
    "NightRule",
    "Nights",
    "NoBaseRate",
    "NoSettings",
    "Occupancy",
    "Party",
    "Payable",
    "Period",
    "PricingError",
    "PromoCodeRejected",
    "Property",
    "Quote",
    "RatePlan",
    "RestrictionRule",
    "RoomType",
    "Rule",
    "RuleConfigError",
    "RuleFailed",
    "RuleInput",
    "RuleInstance",
    "RuleTypeConflict",
    "RuleTypeInfo",
    "SettingError",
    "StayContext",
    "StayLine",
    "StayRefused",
    "StayRule",
    "UnknownPromoCode",
    "Weekday",
    "check_nights",
    "declared_inputs",
    "exponent",
    "format_minor",
    "format_money",
    "format_number",
    "get_plugin_manager",
    "hookimpl",
    "load_rules",
    "percent_of",
    "percent_ratio",
    "price_nights",
    "price_stay",
    "quote_from_builtins",
    "quote_from_json",
    "quote_hash",
    "quote_to_builtins",
    "quote_to_json",
    "reset_plugin_manager",
    "rule_types",
    "scale",
    "to_major",
    "to_minor",
    "weekday_numbers",
    "words_in",
]
