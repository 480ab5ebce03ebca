"""How the service is built: per-worker state is made by ``create_app`` and handed in."""

from __future__ import annotations

import ast
from pathlib import Path

import widget

#: Containers that, created empty at import, can only be there to be filled at run time.
_STATEFUL_CALLS = {
    "dict",
    "list",
    "set",
    "OrderedDict",
    "defaultdict",
    "deque",
    "WeakKeyDictionary",
    "WeakValueDictionary",
    "WeakSet",
}


def _starts_empty(value: ast.expr | None) -> bool:
    if isinstance(value, ast.Dict | ast.List | ast.Set):
        return not (value.keys if isinstance(value, ast.Dict) else value.elts)
    if isinstance(value, ast.Call):
        func = value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in _STATEFUL_CALLS
    return False


def _module_state(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if _starts_empty(value):
            found.append(f"{path.name}:{node.lineno}")
    found += [
        f"{path.name}:{node.lineno} (global)"
        for node in ast.walk(tree)
        if isinstance(node, ast.Global)
    ]
    return found


def test_no_module_of_the_service_keeps_state_of_its_own() -> None:
    # Module-level caches outlive the app that filled them: a second app in the same process
    # (every test builds one) would be answered from the first one's memory.
    root = Path(widget.__file__).parent
    found = [place for path in sorted(root.rglob("*.py")) for place in _module_state(path)]
    assert found == []
