"""Money and dates as a guest reads them, in their language (babel)."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from babel.numbers import format_currency, get_currency_precision


def money(amount: int, currency: str, language: str) -> str:
    """``12300, "EUR", "de"`` → ``123,00 €``: minor units shown in the reader's format."""
    major = amount / 10 ** get_currency_precision(currency)
    return str(format_currency(major, currency, locale=language))


def long_date(day: date, language: str) -> str:
    """``2027-06-01, "de"`` → ``Dienstag, 1. Juni 2027``."""
    return str(format_date(day, format="full", locale=language))
