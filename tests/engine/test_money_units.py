"""Money arithmetic in integers: one rounding rule, no floats."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.money import format_minor, percent_of, scale, to_minor


@pytest.mark.parametrize(
    ("amount", "numerator", "denominator", "expected"),
    [(5, 1, 2, 3), (-5, 1, 2, -3), (4, 1, 2, 2), (10000, 1, 3, 3333), (20000, 1, 3, 6667)],
)
def test_scale_rounds_half_away_from_zero(
    amount: int, numerator: int, denominator: int, expected: int
) -> None:
    assert scale(amount, numerator, denominator) == expected


def test_percent_of_is_exact_for_decimal_percentages() -> None:
    assert percent_of(10000, Decimal("12.5")) == 1250
    assert percent_of(999, Decimal("7.5")) == 75  # 74.925 -> 75


def test_format_minor_uses_the_currency_precision() -> None:
    assert format_minor(123450, "EUR") == "EUR 1,234.50"
    assert format_minor(1234, "JPY") == "JPY 1,234"
    assert to_minor("0.90", "EUR") == 90
