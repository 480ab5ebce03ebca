"""Shared by the built-in night rules: their notes in the widget's five languages.

A night rule's English ``note`` stays plain (``format_minor``); its words per language write
numbers, money, dates and weekdays the reader's way. Every helper is cached by what the
words say, so a quote looks them up rather than formatting them again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel.dates import format_date, format_skeleton, get_day_names

from engine import WORD_LANGUAGES, Period, format_money, format_number

_PERCENT = {
    "de": "{sign}{rate} %",
    "en": "{sign}{rate}%",
    "es": "{sign}{rate} %",
    "fr": "{sign}{rate} %",
    "it": "{sign}{rate}%",
}
_EVERY_YEAR = {
    "de": "{first}–{last} jährlich",
    "en": "{first}–{last} every year",
    "es": "{first}–{last} cada año",
    "fr": "{first}–{last} chaque année",
    "it": "{first}–{last} ogni anno",
}


def fill(templates: Mapping[str, str], **values: Mapping[str, str] | object) -> dict[str, str]:
    """One sentence per language: a value given as a mapping is taken in each language
    (``{"it": "+10%", …}``), any other as it is."""
    return {
        language: templates[language].format(
            **{
                name: value[language] if isinstance(value, Mapping) else value
                for name, value in values.items()
            }
        )
        for language in WORD_LANGUAGES
    }


@lru_cache(maxsize=512)
def percent_in(percent: Decimal) -> dict[str, str]:
    """``Decimal("-12.5")`` → ``{"de": "-12,5 %", "en": "-12.5%", …}``: a signed change."""
    sign = "+" if percent >= 0 else "-"
    return {
        language: _PERCENT[language].format(sign=sign, rate=format_number(abs(percent), language))
        for language in WORD_LANGUAGES
    }


@lru_cache(maxsize=512)
def money_in(minor: int, currency: str, signed: bool = False) -> dict[str, str]:
    """An amount per language, with its sign in front when ``signed`` (``+15,00 €``)."""
    sign = ("+" if minor >= 0 else "-") if signed else ""
    return {
        language: sign + format_money(abs(minor) if signed else minor, currency, language)
        for language in WORD_LANGUAGES
    }


def _day(day: date, language: str, yearly: bool) -> str:
    if yearly:
        return str(format_skeleton("dMMM", day, locale=language))
    return str(format_date(day, "medium", locale=language))


@lru_cache(maxsize=256)
def periods_in(periods: tuple[Period, ...]) -> dict[str, str]:
    """Seasons per language: ``15 giu–15 set ogni anno, 20 dic 2026–6 gen 2027``."""
    result = {}
    for language in WORD_LANGUAGES:
        parts = []
        for period in periods:
            first = _day(period.first, language, period.yearly)
            last = _day(period.last, language, period.yearly)
            if period.yearly:
                parts.append(_EVERY_YEAR[language].format(first=first, last=last))
            else:
                parts.append(f"{first}–{last}")
        result[language] = ", ".join(parts)
    return result


@lru_cache(maxsize=64)
def weekdays_in(days: tuple[int, ...]) -> dict[str, str]:
    """Weekday numbers (Monday = 0) as the reader names them: ``venerdì, sabato``."""
    return {
        language: ", ".join(str(get_day_names("wide", locale=language)[day]) for day in days)
        for language in WORD_LANGUAGES
    }
