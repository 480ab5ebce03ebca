"""No fixed sleeps in the e2e suite or the QA kit: every wait is on a condition.

A sleep (``time.sleep``, ``asyncio.sleep``, Playwright's ``wait_for_timeout``) is allowed
only as the interval of a poll: inside a ``while`` loop that re-checks a condition and
gives up at a deadline (its test or body reads ``time.monotonic()``/``time.time()`` or a
``deadline``). Anything else (a bare pause, a ``for _ in range(n)`` of naps, a
``while True`` without a deadline) is a fixed sleep, named by file and line."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: The e2e suite, the QA kit (page object, journeys, pytest plugin) and these tests.
SCANNED = (ROOT / "e2e", ROOT / "widget" / "testing", ROOT / "tests" / "qa")
SLEEPS = {"sleep", "wait_for_timeout"}
CLOCKS = {"monotonic", "time", "perf_counter"}


def _is_sleep(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    return (isinstance(f, ast.Attribute) and f.attr in SLEEPS) or (
        isinstance(f, ast.Name) and f.id in SLEEPS
    )


def _reads_a_deadline(loop: ast.While) -> bool:
    for node in ast.walk(loop):
        if isinstance(node, ast.Name) and "deadline" in node.id.lower():
            return True
        func = node.func if isinstance(node, ast.Call) else None
        if isinstance(func, ast.Attribute) and func.attr in CLOCKS:
            return True
    return False


def _a_poll(loop: ast.AST | None) -> bool:
    """The nearest loop re-checks a condition (not ``while True``) up to a deadline."""
    if not isinstance(loop, ast.While):
        return False
    constant = isinstance(loop.test, ast.Constant) and bool(loop.test.value)
    return not constant and _reads_a_deadline(loop)


def fixed_sleeps(path: Path, root: Path = ROOT) -> list[str]:
    """Every fixed sleep in a Python file, as ``path:line: code`` (``path`` from ``root``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[str] = []

    def visit(node: ast.AST, loop: ast.AST | None) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            loop = None  # a function's body is not polled by the loop it is defined in
        if _is_sleep(node) and not _a_poll(loop):
            where = path.relative_to(root)
            found.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
        for child in ast.iter_child_nodes(node):
            visit(child, node if isinstance(node, (ast.While, ast.For, ast.AsyncFor)) else loop)

    visit(tree, None)
    return found


def test_no_fixed_sleeps_in_the_e2e_suite_or_the_qa_kit() -> None:
    files = [p for folder in SCANNED for p in sorted(folder.rglob("*.py"))]
    assert len(files) > 20  # the scan sees the suite
    found = [line for path in files for line in fixed_sleeps(path)]
    assert not found, "fixed sleeps (wait on a condition instead):\n" + "\n".join(found)


def test_the_scan_tells_a_poll_from_a_fixed_sleep(tmp_path: Path) -> None:
    # The scan itself must be able to fail: a nap, naps counted out, a deadless loop.
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import time\n"
        "def nap(page):\n"
        "    page.wait_for_timeout(500)\n"
        "def naps(page, seen):\n"
        "    for _ in range(100):\n"
        "        if seen:\n"
        "            break\n"
        "        time.sleep(0.1)\n"
        "def forever(ready):\n"
        "    while True:\n"
        "        if ready():\n"
        "            return\n"
        "        time.sleep(0.1)\n"
        "def poll(ready):\n"
        "    deadline = time.monotonic() + 5\n"
        "    while not ready():\n"
        "        if time.monotonic() > deadline:\n"
        "            raise AssertionError('never ready')\n"
        "        time.sleep(0.05)\n",
        encoding="utf-8",
    )
    lines = [line.split(":")[1] for line in fixed_sleeps(sample, tmp_path)]
    assert lines == ["3", "8", "13"]
