"""docs/qa.md's data-testid reference stays true: every id it lists is in the widget's
templates or scripts, and the page object uses no id it does not list."""

from __future__ import annotations

import re
from pathlib import Path

from widget.testing.booking_widget import TEST_IDS

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "qa.md").read_text(encoding="utf-8")


def documented(section: str) -> set[str]:
    """The ids in the first column of the tables under ``### section``."""
    start = DOC.index(f"### {section}")
    end = DOC.find("\n## ", start)
    return set(re.findall(r"^\| `([a-z-]+)` \|", DOC[start:end], re.MULTILINE))


def ids_in_the_widget() -> set[str]:
    found: set[str] = set()
    for folder in ("templates", "static"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".html", ".js"):
                continue
            text = path.read_text(encoding="utf-8")
            found |= set(re.findall(r"""data-testid['"]?\s*[=:]\s*['"]([a-z-]+)['"]""", text))
            # The guest's fields: 'data-testid': 'guest-' + name, for each field's name.
            if "'data-testid': 'guest-' + name" in text:
                found |= {f"guest-{n}" for n in re.findall(r"field\('([a-z]+)'", text)}
    return found


def test_every_documented_id_is_in_the_widget() -> None:
    shown = documented("In the widget") | documented("On the guest's manage page")
    assert len(shown) > 20
    missing = shown - ids_in_the_widget()
    assert not missing, f"docs/qa.md lists ids the widget no longer has: {sorted(missing)}"


def test_the_page_object_uses_only_documented_ids() -> None:
    undocumented = set(TEST_IDS) - documented("In the widget")
    assert not undocumented, f"the page object uses undocumented ids: {sorted(undocumented)}"


def test_the_journeys_use_only_documented_ids() -> None:
    used: set[str] = set()
    for path in (ROOT / "widget" / "testing").glob("journey*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""(?:get_by_test_id|by_id)\(["']([a-z-]+)["']\)""", text))
    assert {"manage-link", "cancel-booking", "breakdown"} <= used  # the scan sees them
    shown = documented("In the widget") | documented("On the guest's manage page")
    assert not used - shown, f"the journeys use undocumented ids: {sorted(used - shown)}"
