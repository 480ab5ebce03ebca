"""City tax presets modelled on published rules. Each names its source and start date.

Amounts are in EUR major units, as an owner would write them. A preset is a starting
point: any setting written next to ``preset`` overrides it, and rules change, so owners
should check their city's current page before relying on one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import msgspec


class TaxPreset(msgspec.Struct, frozen=True):
    """A city's tourist tax as the `city_tax` rule settings, with where it comes from."""

    city: str
    currency: str
    effective: date
    source: str
    summary: str
    settings: dict[str, Any]


PRESETS: dict[str, TaxPreset] = {
    "rome": TaxPreset(
        city="Rome",
        currency="EUR",
        effective=date(2023, 10, 1),
        source=(
            "Roma Capitale, contributo di soggiorno tariffs from 1 October 2023 (Assemblea "
            "Capitolina, July 2023; reported as Deliberazione 255/2023): "
            "https://www.visitareroma.info/contributo-di-soggiorno-come-cambia-la-tassa-per-"
            "visitare-roma/ and https://www.roma-bedandbreakfast.it/aumenta-contributo-di-soggiorno/"
        ),
        summary=(
            "EUR 6.00 per person per night (B&B, second-category guest house, first-category "
            "holiday home; first-category guest houses pay 7.00), at most 10 consecutive "
            "nights, children under 10 exempt, paid at the property at the end of the stay"
        ),
        settings={
            "per": "person_night",
            "amount": Decimal("6.00"),
            "exempt_under_age": 10,
            "max_nights": 10,
            "payable": "at_property",
        },
    ),
    "berlin": TaxPreset(
        city="Berlin",
        currency="EUR",
        effective=date(2025, 1, 1),
        source=(
            "Berlin Übernachtungsteuer raised from 5 % to 7.5 % of the net accommodation "
            "price, 21-night limit removed, from 1 January 2025: "
            "https://convention.visitberlin.de/en/city-tax-berlin and "
            "https://www.touristik-aktuell.de/nachrichten/destinationen/news/datum/2024/11/27/"
            "bettensteuer-uebernachtungen-in-berlin-werden-teurer/"
        ),
        summary=(
            "7.5 % of the room price net of the 7 % German VAT on lodging, every night, "
            "adults and children alike; breakfast and extras are not taxed"
        ),
        settings={
            "per": "percent",
            "percent": Decimal("7.5"),
            "price_includes_vat_percent": Decimal("7"),
            "payable": "now",
        },
    ),
    "amsterdam": TaxPreset(
        city="Amsterdam",
        currency="EUR",
        effective=date(2024, 1, 1),
        source=(
            "Gemeente Amsterdam 2024 budget: toeristenbelasting 12.5 % of the overnight price "
            "from 1 January 2024, the fixed amount per person dropped: "
            "https://www.khn.nl/nieuws/college-van-de-gemeente-amsterdam-wil-een-"
            "toeristenbelasting-van-12-5 ; Dutch VAT on accommodation 21 % from 1 January "
            "2026 (was 9 %): https://etoa.org/tourist-tax-rates/netherlands"
        ),
        summary=(
            "12.5 % of the room price excluding VAT (21 % on accommodation since 1 January "
            "2026; set price_includes_vat_percent = 9 for stays before then)"
        ),
        settings={
            "per": "percent",
            "percent": Decimal("12.5"),
            "price_includes_vat_percent": Decimal("21"),
            "payable": "now",
        },
    ),
}
