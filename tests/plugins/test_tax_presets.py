"""The three city presets, with every expected total worked out by hand below."""

from __future__ import annotations

from datetime import date

import pytest

from engine import RuleConfigError
from engine.testing import price
from plugins.tax_presets import PRESETS


def test_every_preset_cites_a_source_and_the_date_it_took_effect() -> None:
    for preset in PRESETS.values():
        assert preset.source.count("https://") >= 1
        assert preset.effective <= date(2026, 1, 1)


def test_rome_bed_and_breakfast_family_of_four_for_twelve_nights() -> None:
    # Rome, B&B: EUR 6.00 per person per night, children under 10 exempt, at most 10 nights.
    # Party: 2 adults, children aged 8 (exempt) and 12 (taxed) -> 3 taxed guests.
    # 12 nights, capped at 10 -> 3 × 10 × 6.00 = 180.00, paid at the property.
    # Rooms: 12 × 90.00 = 1080.00, paid now.
    quote = price(
        rules=[{"type": "city_tax", "preset": "rome"}],
        base_price="90.00",
        adults=2,
        children=[8, 12],
        max_guests=4,
        check_in="2026-05-01",
        check_out="2026-05-13",
    )
    tax = quote.stay_lines[0]
    assert (tax.amount, tax.payable) == (18000, "at_property")
    assert quote.total == 108000 + 18000
    assert quote.due_now == 108000


def test_rome_first_category_guest_house_overrides_the_amount() -> None:
    # 1 adult, 2 nights at the EUR 7.00 rate: 1 × 2 × 7.00 = 14.00
    quote = price(
        rules=[{"type": "city_tax", "preset": "rome", "amount": "7.00"}],
        adults=1,
        check_in="2026-05-01",
        check_out="2026-05-03",
    )
    assert quote.stay_lines[0].amount == 1400


def test_berlin_seven_and_a_half_percent_of_the_net_room_price() -> None:
    # Berlin: 7.5 % of the accommodation price net of 7 % VAT.
    # 3 nights × 120.00 = 360.00 gross; tax = 360.00 × 7.5 / 107 = 25.2336… -> 25.23
    # (rounded once, half away from zero). The 21-night limit no longer applies (2025).
    quote = price(
        rules=[{"type": "city_tax", "preset": "berlin"}],
        base_price="120.00",
        check_in="2026-02-02",
        check_out="2026-02-05",
    )
    assert quote.stay_lines[0].amount == 2523
    assert quote.total == 36000 + 2523 == quote.due_now
    # 30 nights × 100.00 = 3000.00; 3000.00 × 7.5 / 107 = 210.280… -> 210.28
    quote = price(
        rules=[{"type": "city_tax", "preset": "berlin"}],
        base_price="100.00",
        check_in="2026-02-01",
        check_out="2026-03-03",
    )
    assert quote.stay_lines[0].amount == 21028


def test_amsterdam_twelve_and_a_half_percent_excluding_vat() -> None:
    # Amsterdam: 12.5 % of the room price excluding VAT (21 % on lodging since 2026).
    # 2 nights × 200.00 = 400.00 gross; 400.00 × 12.5 / 121 = 41.3223… -> 41.32
    quote = price(
        rules=[{"type": "vat", "percent": 21}, {"type": "city_tax", "preset": "amsterdam"}],
        base_price="200.00",
        check_in="2026-04-01",
        check_out="2026-04-03",
    )
    vat, tax = quote.stay_lines
    assert (vat.amount, vat.included) == (6942, True)  # 400.00 × 21/121 = 69.421… -> 69.42
    assert tax.amount == 4132
    assert quote.total == 40000 + 4132


def test_amsterdam_stays_before_2026_used_nine_percent_vat() -> None:
    # 1 night × 109.00 incl. 9 % VAT -> net 100.00 -> 12.5 % = 12.50
    quote = price(
        rules=[{"type": "city_tax", "preset": "amsterdam", "price_includes_vat_percent": 9}],
        base_price="109.00",
        check_in="2025-06-01",
        check_out="2025-06-02",
        today="2025-05-01",
    )
    assert quote.stay_lines[0].amount == 1250


def test_a_euro_preset_refuses_another_currency() -> None:
    with pytest.raises(RuleConfigError, match="Berlin taxes in EUR"):
        price(
            rules=[{"type": "city_tax", "preset": "berlin"}],
            currency="CHF",
            check_in="2026-02-02",
            check_out="2026-02-03",
        )
