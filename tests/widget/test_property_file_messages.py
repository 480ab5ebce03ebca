"""What an owner reads when a property file's rules are wrong: one line, the file location
once, the line that holds the mistake (inside inline tables and nested tables too), and for a
plugin that breaks while setting up, the rule instance and the package to blame."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import property_toml, write
from widget.properties.file import PropertyFileError, parse_property
from widget.toml_lines import KeyLines

ROOT = Path(__file__).resolve().parents[2]
BASE = '\n[[rules]]\ntype = "base_rate"\n'


def problem(rules: str, wrong: str) -> str:
    """The error ``rules`` cause, checked to name the line that reads ``wrong``."""
    text = property_toml(rules=BASE + rules)
    with pytest.raises(PropertyFileError) as caught:
        parse_property(text, source="casa.toml")
    line = [i for i, written in enumerate(text.splitlines(), start=1) if written == wrong]
    assert caught.value.line == line[-1], str(caught.value)
    return str(caught.value)


def test_the_file_location_is_printed_once() -> None:
    message = problem(
        '\n[[rules]]\ntype = "seasonal"\nname = "summer"\nseasons = []\npercent = "abc"\n',
        wrong='percent = "abc"',
    )
    assert message.count("rules[1]") == 1, message
    assert message.endswith(": rules[1].percent (summer): expected a number, got 'abc'"), message


def test_a_date_inside_an_inline_table_reports_its_own_line() -> None:
    message = problem(
        '\n[[rules]]\ntype = "seasonal"\npercent = 10\nseasons = [\n'
        "  {first = 2027-05-01, last = 2027-05-03},\n"
        '  {first = 2027-06-01, last = "June 9th"},\n'
        "]\n",
        wrong='  {first = 2027-06-01, last = "June 9th"},',
    )
    assert message.endswith(
        "rules[1].seasons[1].last (seasonal): 'June 9th' is not a date like 2027-05-01"
    ), message


def test_a_nested_table_of_a_rule_reports_its_own_line() -> None:
    message = problem(
        '\n[[rules]]\ntype = "seasonal"\npercent = 10\n\n'
        "[[rules.seasons]]\nfirst = 2027-05-01\nlast = 2027-05-03\n\n"
        '[[rules.seasons]]\nfirst = 2027-06-01\nlast = "soon"\n',
        wrong='last = "soon"',
    )
    assert message.endswith(
        "rules[1].seasons[1].last (seasonal): 'soon' is not a date like 2027-05-01"
    ), message


FRAGILE = '''
from engine import NightRule, NoSettings, hookimpl


class Fragile(NightRule[NoSettings]):
    """Breaks while setting up."""

    name = "fragile"
    stage = "adjust"
    Settings = NoSettings

    def setup(self) -> None:
        raise KeyError("region")

    def price(self, nights) -> None:
        pass


@hookimpl
def innkeep_register_rules(register):
    register(Fragile)
'''


def installed_fragile_plugin(target: Path) -> dict[str, str]:
    """An installed plugin distribution ``innkeep-fragile`` laid out as pip would."""
    (target / "innkeep_fragile").mkdir(parents=True)
    (target / "innkeep_fragile" / "__init__.py").write_text(FRAGILE)
    info = target / "innkeep_fragile-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: innkeep-fragile\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[innkeep.pricing]\nfragile = innkeep_fragile\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("INNKEEP_")}
    env["PYTHONPATH"] = os.pathsep.join([str(target), str(ROOT)])
    return env


@pytest.mark.parametrize(
    "command",
    [
        ["property", "apply"],
        [
            "quote",
            "--room-type",
            "garden-single",
            "--check-in",
            "2031-03-04",
            "--check-out",
            "2031-03-06",
            "--property",
        ],
    ],
)
def test_a_plugin_setup_that_raises_is_one_line_with_the_file_line(
    tmp_path: Path, command: list[str]
) -> None:
    env = installed_fragile_plugin(tmp_path / "site")
    text = property_toml(rules=BASE + '\n[[rules]]\ntype = "fragile"\nname = "wobbly"\n')
    path = write(tmp_path, text)
    line = text.splitlines().index('type = "fragile"')  # its [[rules]] header, 1-based
    result = subprocess.run(
        [sys.executable, "-m", "widget.cli", *command, str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"innkeep: error: {path}:{line}: rules[1] (wobbly): setting up rule type 'fragile' "
        "(from package innkeep-fragile) failed: KeyError: 'region'"
    ]


def test_brackets_in_strings_and_comments_do_not_confuse_the_line_finder() -> None:
    text = (
        'a = "x ] y" # [ {\n'
        "b = [\n"
        "  1, # ]\n"
        "  '[',\n"
        '  """\n]\n""",\n'
        "]\n"
        "[t]\n"
        "c = { d = [1,\n  2] }\n"
    )
    lines = KeyLines(text).lines
    assert (lines[("b", 1)], lines[("b", 2)], lines[("t", "c")]) == (4, 5, 10)
    assert lines[("t", "c", "d", 1)] == 11
