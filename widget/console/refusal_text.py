"""A refusal said in the owner's language: its sentence (``refusal_{key}`` in the console's
words) filled with the values it names, each said in that language too (a date as the
owner reads dates, an amount in the property's currency, a clash in its own words). A
refusal whose sentence has no words, or whose values do not fill it, says its English
message, as an English owner always reads it: the service's own words, unchanged."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from babel.dates import format_date

from widget.errors import Amount, InnkeepError, Said
from widget.i18n import CONSOLE_CATALOGUE
from widget.mail.compose import money

#: The sentences of refusals in the console's words are named ``refusal_{key}``.
PREFIX = "refusal_"


class Unsaid(Exception):
    """No words for a sentence in the language, or values that do not fill them."""


def refusal_text(error: InnkeepError, language: str) -> str:
    """What ``error`` says to a user reading the console in ``language``."""
    return spoken(error.said, language, error.message)


def spoken(value: object, language: str, english: str) -> str:
    """``value`` (a `Said`, or a list of them) in ``language``; ``english`` without words."""
    if language == "en" or language not in CONSOLE_CATALOGUE:
        return english
    try:
        return _say(value, language)
    except Unsaid:
        return english


def _say(value: object, language: str) -> str:
    if isinstance(value, Said):
        sentence = CONSOLE_CATALOGUE[language].get(PREFIX + value.key)
        if sentence is None:
            raise Unsaid(value.key)
        filled = {name: _say(part, language) for name, part in value.values.items()}
        try:
            return sentence.format(**filled)
        except (KeyError, IndexError, ValueError) as missing:
            raise Unsaid(value.key) from missing
    if isinstance(value, Amount):
        return money(value.minor, value.currency, language)
    if isinstance(value, datetime):
        return f"{value:%H:%M}"
    if isinstance(value, date):
        return str(format_date(value, format="medium", locale=language))
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "; ".join(_say(part, language) for part in value)
    return str(value)
