"""Shared by the built-in rules: a percentage change as an exact integer ratio."""

from __future__ import annotations

from decimal import Decimal

from engine import SettingError, percent_ratio


def factor(percent: Decimal, field: str = "percent") -> tuple[int, int]:
    """``+20`` → ratio 120/100; refuses changes below -100 % (a price cannot go negative)."""
    if percent < -100:
        raise SettingError(field, f"cannot lower a price by more than 100 %, got {percent}")
    numerator, denominator = percent_ratio(percent)
    return denominator + numerator, denominator


def signed(percent: Decimal) -> str:
    """``Decimal("-10")`` → ``"-10%"``, ``Decimal("5")`` → ``"+5%"``."""
    return f"{'+' if percent >= 0 else ''}{percent.normalize():f}%"
