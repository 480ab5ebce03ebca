"""Each rule of the domain is defined once: in its home, imported everywhere else."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    path
    for folder in ("engine", "plugins", "widget")
    for path in sorted((ROOT / folder).rglob("*.py"))
]

#: name → the module that defines it.
HOMES = {
    "MIN_ADULTS": "engine.pipeline",
    "MAX_CHILD_AGE": "engine.pipeline",
    "MAX_STAY_NIGHTS": "engine.pipeline",
    "MAX_CALENDAR_NIGHTS": "engine.pipeline",
    "MAX_GUESTS": "widget.limits",
    "MAX_ADULTS": "widget.limits",
    "MAX_CHILDREN": "widget.limits",
    "BOOKING_HORIZON_DAYS": "widget.limits",
    "CALENDAR_MARGIN_DAYS": "widget.limits",
    "LANGUAGES": "widget.i18n",
    "Language": "widget.i18n",
    "HoldId": "widget.api.params",
    "PropertySlug": "widget.api.params",
    "SLUG_PATTERN": "widget.properties.file",
}

#: The literal forms the old duplicates took (a bound written out instead of imported).
LITERALS = [
    r"<=\s*17\b",  # a child's age
    r"\b0,\s*17\)",
    r"\b1,\s*20\)",  # adults in the embed options
    r"\[:10\]",  # children in the embed options
    r">\s*20:",  # children in the API
    r"\b1\s*<=\s*adults\s*<=",
    r"le=50\b",  # a room's guests
    r"\b(?:366|731)\b",  # nights of a calendar
    r"[\"']en[\"'],\s*[\"']de[\"'],",  # the languages
    r"\^\[a-z0-9\]\+\(-\[a-z0-9\]\+\)\*\$",  # a slug, outside its pattern's one home
]


#: A home's own definition line (checked to be the only one by the test above).
HOME_LINE = re.compile(rf"^(?:{'|'.join(HOMES)})\b")


def _definitions(name: str) -> list[str]:
    pattern = re.compile(rf"^{re.escape(name)}\s*(?::[^=]+)?=", re.MULTILINE)
    return [
        str(path.relative_to(ROOT))
        for path in SOURCES
        if pattern.search(path.read_text(encoding="utf-8"))
    ]


@pytest.mark.parametrize("name", sorted(HOMES))
def test_a_limit_is_defined_in_its_home_alone(name: str) -> None:
    home = HOMES[name]
    assert hasattr(importlib.import_module(home), name)
    assert _definitions(name) == [home.replace(".", "/") + ".py"]


@pytest.mark.parametrize("literal", LITERALS)
def test_no_limit_is_written_out_where_it_should_be_imported(literal: str) -> None:
    pattern = re.compile(literal)
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in SOURCES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and not HOME_LINE.match(line) and not line.lstrip().startswith("#")
    ]
    assert found == []
