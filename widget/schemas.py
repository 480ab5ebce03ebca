"""Small msgspec Structs shared by several parts of the public API."""

from __future__ import annotations

import msgspec


class MoneyOut(msgspec.Struct, frozen=True):
    """An amount in the currency's minor unit: ``{"amount": 12300, "currency": "EUR"}``."""

    amount: int
    currency: str
