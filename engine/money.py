"""Money as integer minor units, never floats.

An amount is an ``int`` count of the currency's minor unit (cents for EUR, yen for JPY).
Conversions from what an owner writes (``"120.00"``) go through ``Decimal`` and refuse
anything that does not fit the currency's precision, rather than rounding silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from babel import Locale
from babel.numbers import format_currency, format_decimal, get_currency_precision, list_currencies


class UnknownCurrency(ValueError):
    """The code is not an ISO 4217 currency Innkeep knows."""


@cache
def known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def check_currency(code: str) -> str:
    """Return ``code`` if it names a real currency, else raise `UnknownCurrency`."""
    if code not in known_currencies():
        raise UnknownCurrency(f"unknown currency {code!r}: use an ISO 4217 code such as 'EUR'")
    return code


@cache
def exponent(currency: str) -> int:
    """Digits after the decimal point in ``currency`` (2 for EUR, 0 for JPY)."""
    return int(get_currency_precision(check_currency(currency)))


def to_minor(amount: Decimal | int | str, currency: str) -> int:
    """Convert a major-unit amount (``Decimal("120.50")``) to minor units (``12050``).

    Raises ``ValueError`` when the amount has more decimals than the currency allows.
    """
    try:
        value = Decimal(amount) if not isinstance(amount, Decimal) else amount
    except InvalidOperation:
        raise ValueError(f"{amount!r} is not an amount of money") from None
    if not value.is_finite():
        raise ValueError(f"{amount!r} is not an amount of money")
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(
            f"{amount} has more decimals than {currency} allows ({exponent(currency)})"
        )
    return int(scaled)


def to_major(minor: int, currency: str) -> Decimal:
    """Convert minor units back to a ``Decimal`` in major units, for display only."""
    return Decimal(minor).scaleb(-exponent(currency))


class Money(int):
    """A settings field type: the owner writes major units (``25.00``), the rule gets minor.

    Declare ``amount: Money`` in a rule's settings Struct; `engine.load_rules` converts what
    the owner wrote with the property's currency, so ``25.00`` in EUR arrives as ``2500``.
    """


def scale(amount: int, numerator: int, denominator: int) -> int:
    """``amount × numerator / denominator`` rounded half away from zero, in integers.

    This is the one rounding rule of the engine: every percentage and every share of money
    goes through here, so a quote never depends on float behaviour.
    """
    product = amount * numerator
    quotient, remainder = divmod(abs(product), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if product >= 0 else -quotient


def percent_ratio(percent: Decimal) -> tuple[int, int]:
    """``Decimal("12.5")`` → ``(125, 1000)``: a percentage as an exact integer ratio."""
    numerator, denominator = percent.as_integer_ratio()
    return numerator, denominator * 100


def percent_of(amount: int, percent: Decimal) -> int:
    """``percent`` % of ``amount`` minor units, rounded by `scale`."""
    numerator, denominator = percent_ratio(percent)
    return scale(amount, numerator, denominator)


def format_minor(minor: int, currency: str) -> str:
    """``12050, "EUR"`` → ``"EUR 120.50"``: plain, locale-free text for notes and the CLI."""
    return f"{currency} {to_major(minor, currency):,.{exponent(currency)}f}"


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


@lru_cache(maxsize=4096)  # a rule writes the same few amounts in every quote
def format_money(minor: int, currency: str, language: str) -> str:
    """``1000, "EUR", "it"`` → ``"10,00 €"``: an amount as a reader of ``language`` writes it,
    for a rule's words per language (`Charge.notes`)."""
    major = Decimal(minor).scaleb(-exponent(currency))
    return str(format_currency(major, currency, locale=_locale(language)))


@lru_cache(maxsize=4096)  # percentages and counts repeat from quote to quote
def format_number(value: Decimal | int, language: str) -> str:
    """``Decimal("12.5"), "de"`` → ``"12,5"``: a number (a percentage, say) in ``language``."""
    if isinstance(value, Decimal):
        value = value.normalize()
    return str(format_decimal(value, locale=_locale(language)))


def words_in(
    templates: Mapping[str, str],
    currency: str,
    money: Mapping[str, int] | None = None,
    numbers: Mapping[str, Decimal | int] | None = None,
    **values: object,
) -> dict[str, str]:
    """Fill one sentence per language: ``{"en": "{count} × {price}", "it": …}`` with
    ``money={"price": 1000}`` gives ``{"en": "2 × €10.00", "it": "2 × 10,00 €"}``: amounts
    (minor units) and numbers are written the reader's way, ``values`` as they are.

    Cached by what the words say (a rule words the same few lines in every quote); the
    caller gets its own dict."""
    try:
        key = (
            tuple(templates.items()),
            currency,
            tuple(money.items()) if money else (),
            tuple(numbers.items()) if numbers else (),
            # the type too: 1 and True are equal keys but not the same words
            tuple((name, type(value), value) for name, value in values.items()),
        )
        return dict(_cached_words(key))
    except TypeError:  # a value that cannot be a key: worded afresh
        return _words(templates, currency, money or {}, numbers or {}, values)


_WordsKey = tuple[
    tuple[tuple[str, str], ...],
    str,
    tuple[tuple[str, int], ...],
    tuple[tuple[str, Decimal | int], ...],
    tuple[tuple[str, type, object], ...],
]


@lru_cache(maxsize=4096)
def _cached_words(key: _WordsKey) -> dict[str, str]:
    templates, currency, money, numbers, values = key
    named = {name: value for name, _, value in values}
    return _words(dict(templates), currency, dict(money), dict(numbers), named)


def _words(
    templates: Mapping[str, str],
    currency: str,
    money: Mapping[str, int],
    numbers: Mapping[str, Decimal | int],
    values: Mapping[str, object],
) -> dict[str, str]:
    return {
        language: template.format(
            **values,
            **{k: format_money(v, currency, language) for k, v in money.items()},
            **{k: format_number(v, language) for k, v in numbers.items()},
        )
        for language, template in templates.items()
    }
