"""docs/qa.md's data-testid reference stays true: every id it lists is in the widget's
templates or scripts, and the page object and the journeys use no id it does not list.

What the page object uses is read from its source, not from a list kept by hand: every
string given to ``by_id``/``get_by_test_id`` (and to ``_set_addition``, which passes its
first argument on) and every ``data-testid=…`` in a selector, f-strings included."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "qa.md").read_text(encoding="utf-8")
KIT = ROOT / "widget" / "testing"
#: Calls whose first argument is a test id.
BY_ID = {"by_id", "get_by_test_id", "_set_addition"}
#: A selector's test id: ``[data-testid=night]``, ``[data-testid="plan"]``.
SELECTOR = re.compile(r"""data-testid\s*=\s*['"]?([a-z][a-z0-9-]*)""")
#: The only places an id is not written where it is used: ``by_id`` itself passes its
#: argument on, and ``_set_addition`` its callers' (whose constants are read).
PASSED_ON = {("booking_widget.py", "by_id"), ("booking_widget.py", "_set_addition")}


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


def _strings(node: ast.AST) -> list[str]:
    return [
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def ids_used_by(path: Path) -> tuple[set[str], set[tuple[str, str]]]:
    """The test ids ``path`` uses, and where (file, function) one is passed on unread."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used: set[str] = set()
    unread: set[tuple[str, str]] = set()
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.Module)):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name in BY_ID:
                    found = _strings(node.args[0])
                    used |= set(found)
                    if not found and isinstance(function, ast.FunctionDef):
                        unread.add((path.name, function.name))
    for text in _strings(tree):
        used |= set(SELECTOR.findall(text))
    return used, unread


def test_every_documented_id_is_in_the_widget() -> None:
    shown = documented("In the widget") | documented("On the guest's manage page")
    assert len(shown) > 20
    missing = shown - ids_in_the_widget()
    assert not missing, f"docs/qa.md lists ids the widget no longer has: {sorted(missing)}"


def test_the_page_object_uses_only_documented_ids() -> None:
    used, unread = ids_used_by(KIT / "booking_widget.py")
    # The scan sees every way the page object names an id: by_id, get_by_test_id, a
    # selector, an f-string selector, both arms of a conditional, _set_addition's callers.
    assert {"countdown", "choose", "night", "room-type", "bank-cancel", "extra", "input"} <= used
    assert unread <= PASSED_ON, f"ids the scan cannot read (pass a constant): {unread}"
    undocumented = used - documented("In the widget")
    assert not undocumented, f"the page object uses undocumented ids: {sorted(undocumented)}"


def test_the_journeys_use_only_documented_ids() -> None:
    used: set[str] = set()
    for path in KIT.glob("journey*.py"):
        found, unread = ids_used_by(path)
        assert not unread, f"ids the scan cannot read (pass a constant): {unread}"
        used |= found
    assert {"manage-link", "cancel-booking", "breakdown"} <= used  # the scan sees them
    shown = documented("In the widget") | documented("On the guest's manage page")
    assert not used - shown, f"the journeys use undocumented ids: {sorted(used - shown)}"


def test_the_scan_catches_an_undocumented_id(tmp_path: Path) -> None:
    source = tmp_path / "booking_widget.py"
    source.write_text(
        "def pay(self, ok):\n"
        "    self.by_id('pay-now' if ok else 'pay').click()\n"
        '    self.frame.locator(f\'[data-testid="coupon"][data-slug="{ok}"]\')\n'
        "    self.frame.get_by_test_id(ok)\n",
        encoding="utf-8",
    )
    used, unread = ids_used_by(source)
    assert used == {"pay-now", "pay", "coupon"}
    assert unread == {("booking_widget.py", "pay")}
    assert used - documented("In the widget") == {"pay-now", "coupon"}
