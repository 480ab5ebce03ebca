"""docs/plugins.md stays true: every hook is documented, and its worked example runs."""

from __future__ import annotations

import inspect
import re
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import hookspecs
from engine.plugins import get_plugin_manager
from engine.testing import price
from widget.commands.pricing import breakdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
TEXT = DOCS.read_text(encoding="utf-8")


def hook_names() -> list[str]:
    return sorted(name for name in dir(get_plugin_manager().hook) if name.startswith("innkeep_"))


def test_there_is_a_hook_to_document() -> None:
    assert hook_names() == sorted(
        name
        for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("innkeep_")
    )


@pytest.mark.parametrize("name", hook_names())
def test_every_hook_is_in_the_reference_with_its_arguments(name: str) -> None:
    arguments = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
    reference = TEXT.split("## Hook reference", 1)[1]
    assert f"`{name}({arguments})`" in reference


def block_after(heading: str, language: str = "python", index: int = 0) -> str:
    section = TEXT.split(heading, 1)[1]
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)[index]


@pytest.fixture
def example_plugin() -> Iterator[types.ModuleType]:
    """The worked example, loaded as the module the docs name, then removed again."""
    module = types.ModuleType("innkeep_holiday_surcharge")
    sys.modules[module.__name__] = module
    try:
        exec(block_after("## A worked example"), module.__dict__)
        yield module
    finally:
        del sys.modules[module.__name__]


def test_the_worked_example_prices_christmas_in_berlin(example_plugin: types.ModuleType) -> None:
    quote = price(
        rules=[
            {
                "type": "holiday_surcharge",
                "name": "berlin-holidays",
                "country": "DE",
                "subdivision": "BE",
                "percent": 20,
                "eve": True,
            }
        ],
        rule_types=[example_plugin.HolidaySurcharge],
        base_price="100.00",
        room_type="double",
        check_in="2026-12-24",
        check_out="2026-12-27",
    )
    shown = block_after("and `innkeep quote", language="").strip().splitlines()
    assert len(shown) == 3
    assert set(shown) <= set(breakdown(quote).splitlines())


def test_the_testing_example_passes(example_plugin: types.ModuleType) -> None:
    namespace: dict[str, object] = {}
    exec(block_after("## Testing a rule"), namespace)
    namespace["test_christmas_costs_more_in_berlin"]()  # type: ignore[operator]
    namespace = {}
    exec(block_after("## Testing a rule", index=1), namespace)
    namespace["test_registers_holiday_surcharge"]()  # type: ignore[operator]


def test_the_rule_input_example_and_its_test_run_as_written() -> None:
    """The pet fee of "Asking the guest": its module and its test, exactly as printed."""
    module = types.ModuleType("innkeep_pet_fee")
    sys.modules[module.__name__] = module
    try:
        exec(block_after("## Asking the guest: rule inputs"), module.__dict__)
        test_module: dict[str, object] = {}
        exec(block_after("## Asking the guest: rule inputs", index=1), test_module)
        run = test_module["test_two_pets_for_three_nights"]
        assert callable(run)
        run()
        quote = price(
            rules=[{"type": "pet_fee", "amount": "8.00"}],
            rule_types=[module.PetFee],
            check_in="2027-05-03",
            nights=1,
            inputs={"pets": 1},
        )
        assert quote.stay_lines[-1].note == "1 × EUR 8.00 a night for pets"
        assert quote.stay_lines[-1].notes == {
            "en": "1 × €8.00 a night for pets",
            "it": "1 × 8,00\xa0€ a notte per gli animali",
        }
    finally:
        del sys.modules[module.__name__]


def test_the_night_note_example_speaks_the_readers_language() -> None:
    """The heating rule of "A night note in the reader's language", exactly as printed."""
    namespace: dict[str, object] = {"__name__": "innkeep_heating"}
    exec(block_after("#### A night note in the reader's language"), namespace)
    heating = namespace["Heating"]
    quote = price(
        rules=[{"type": "heating"}],
        rule_types=[heating],  # type: ignore[list-item]
        check_in="2027-01-10",
        nights=1,
    )
    line = quote.nights[0].lines[-1]
    assert line.amount == 500 and line.note == "+5.00 a night: heating"
    assert line.note_in("it") == "+5,00\xa0€ a notte: riscaldamento"
    assert line.note_in("de") == "+5,00\xa0€ pro Nacht: Heizung"
