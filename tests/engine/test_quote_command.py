"""`innkeep quote`, `innkeep plugins` and `innkeep plugin new`, without a database."""

from __future__ import annotations

from pathlib import Path

import pytest

from widget.cli import main

PROPERTY = """
[property]
slug = "casa"
name = "Casa"
contact_email = "owner@casa.example"
time_zone = "Europe/Rome"
currency = "EUR"

[[room_types]]
slug = "double"
name = "Double"
max_guests = 3
included_guests = 2
base_price = 140.00
units = ["Room 1", "Room 2"]

[[rules]]
type = "base_rate"

[[rules]]
type = "day_of_week"
name = "weekend"
days = ["fri", "sat"]
amount = 15.00

[[rules]]
type = "min_stay"
nights = 2

[[rules]]
type = "city_tax"
preset = "rome"
"""


@pytest.fixture
def property_file(tmp_path: Path) -> Path:
    path = tmp_path / "casa.toml"
    path.write_text(PROPERTY)
    return path


def test_quote_prints_why_each_night_costs_what_it_does(
    property_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "quote",
            "--property",
            str(property_file),
            "--room-type",
            "double",
            "--check-in",
            "2027-07-02",
            "--check-out",
            "2027-07-04",
            "--adults",
            "2",
            "--children",
            "12",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "2027-07-02 Fri      EUR 155.00" in out
    assert "weekend" in out and "+EUR 15.00" in out
    # 3 guests × 2 nights × 6.00, at the property
    assert "EUR 36.00" in out and "paid at the property" in out
    assert "total    EUR 346.00" in out and "due now  EUR 310.00" in out


def test_quote_refusals_are_one_line_and_exit_2(
    property_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    clean: None,
) -> None:
    # A slug is looked up in the database: here one with no properties at all.
    monkeypatch.setenv("INNKEEP_DATABASE_URL", database_url)
    code = main(
        [
            "quote",
            "--property",
            str(property_file),
            "--room-type",
            "double",
            "--check-in",
            "2027-07-02",
            "--check-out",
            "2027-07-03",
        ]
    )
    assert code == 2
    assert capsys.readouterr().err == (
        "innkeep: error: stays arriving on 2027-07-02 must be at least 2 nights\n"
    )
    assert (
        main(
            [
                "quote",
                "--property",
                "demo",
                "--room-type",
                "double",
                "--check-in",
                "2027-07-02",
                "--check-out",
                "2027-07-05",
            ]
        )
        == 2
    )
    assert "No property is called 'demo'" in capsys.readouterr().err
    assert (
        main(
            [
                "quote",
                "--property",
                str(property_file),
                "--room-type",
                "loft",
                "--check-in",
                "2027-07-02",
                "--check-out",
                "2027-07-05",
            ]
        )
        == 2
    )
    assert "unknown room type 'loft'" in capsys.readouterr().err


def test_plugins_lists_rule_types_with_package_and_settings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    assert "cleaning_fee  [fee]  innkeep" in out
    assert "settings: amount: Money, waived_from_nights: int | None = None" in out


def test_plugin_new_creates_the_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plugin", "new", "late-checkout", "--dest", str(tmp_path)]) == 0
    assert (tmp_path / "innkeep-late-checkout" / "pyproject.toml").exists()
    assert main(["plugin", "new", "late-checkout", "--dest", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err


DEMO = Path(__file__).resolve().parents[2] / "properties" / "demo.toml"
DEMO_STAY = [
    "quote",
    "--property",
    str(DEMO),
    "--room-type",
    "double-sea-view",
    "--check-in",
    "2027-03-15",
    "--check-out",
    "2027-03-17",
]


def test_quote_takes_a_plan_extras_and_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            *DEMO_STAY,
            "--rate-plan",
            "non-refundable",
            "--extra",
            "breakfast=2",
            "--extra",
            "parking=1",
            "--input",
            "pets=1",
            "--json",
        ]
    )
    quote = __import__("json").loads(capsys.readouterr().out)
    assert code == 0
    assert (quote["rate_plan"], quote["extras"], quote["inputs"]) == (
        "non-refundable",
        {"breakfast": 2, "parking": 1},
        {"pets": 1},
    )
    assert [line["amount"] for line in quote["nights"][0]["lines"]] == [14000, -1400]
    rules = [line["rule"] for line in quote["stay_lines"]]
    assert rules.count("extras.breakfast") == 2 and "pets" in rules
    assert main([*DEMO_STAY, "--input", "pets=9"]) == 2
    assert "pets must be between 0 and 4" in capsys.readouterr().err
    assert main([*DEMO_STAY, "--extra", "spa=1"]) == 2
    assert "unknown extra 'spa'" in capsys.readouterr().err
