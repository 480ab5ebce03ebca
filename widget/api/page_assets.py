"""The widget page's own JavaScript and stylesheet, as the page inlines them.

The JavaScript is written as native ES modules (``static/widget/*.js``: one job each, typed
with JSDoc, unit-tested by Node) and sent to the browser as one classic script carrying the
page's nonce. Measured on the demo in Chromium (loopback, a busy 2-core machine): with
``<link rel="modulepreload">`` for each of the sixteen modules, all asked for at once, the
last arrived about 290 ms after the first request (HTTP/1.1 gives a host six connections and
each file is a request the service answers); one linked script arrives in about 40 ms and
the widget is ready as soon as before the split. On a slow phone link each wave of requests
is another round trip. So the modules are *linked* here, once per process: each becomes a
function scope that returns its exports, in import order, without the comments that fill
whole lines (the JSDoc types: a third of the bytes) and without indentation. No tool, no
build step, no output file; only the plain forms the modules use are accepted
(``import { a, b } from './x.js';`` and ``export function|const|let|class``): anything else
is a `ModuleFormError` that fails the widget page and its tests, rather than running
differently in the browser.

The script and the stylesheet are then written into the page itself, with its nonce
(decision 17): as files they were a round trip of their own after the page, which on a
150 ms link cost more than their bytes (docs/performance.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

import msgspec

from widget.paths import STATIC_DIR

ENTRY = "main.js"
STYLESHEET = "widget.css"

_IMPORT = re.compile(r"^import \{([^}]*)\} from '\./([\w-]+\.js)';[ \t]*\n", re.MULTILINE)
_EXPORT = re.compile(r"^export ((?:async )?function\*? |const |let |class )(\w+)", re.MULTILINE)
_OTHER = re.compile(r"^\s*(?:import\b(?!\()|export\b)", re.MULTILINE)
# Comments that fill whole lines (the JSDoc types, the notes for readers): a third of the
# bytes, nothing for the browser. A comment sharing its line with code stays, and so does a
# `/*! banner */` that says what a file is.
_INDENTATION = re.compile(r"^[ \t]+", re.MULTILINE)
_TEMPLATE = re.compile(r"`[^`]*`")
_COMMENT_LINES = re.compile(
    r"^[ \t]*(?:/\*(?!!)(?:(?!\*/).)*\*/|//[^\n]*)[ \t]*\n", re.MULTILINE | re.DOTALL
)


def without_comment_lines(source: str) -> str:
    """``source`` without the comments that fill whole lines (banners kept)."""
    return _COMMENT_LINES.sub("", source)


def without_indentation(module: str, source: str) -> str:
    """``source`` with its lines' indentation dropped (a browser does not need it: half a
    kilobyte of the gzipped script). A template literal spanning lines is refused: its
    indentation is text. Raises `ModuleFormError`."""
    # Backticks pair up in order (a module's comments that share a line hold none).
    if any("\n" in literal for literal in _TEMPLATE.findall(source)):
        raise ModuleFormError(f"{module}: a template literal spans lines; join its lines")
    return _INDENTATION.sub("", source)


class ModuleFormError(ValueError):
    """A widget module uses an import or export form the linker does not take."""


class WidgetAssets(msgspec.Struct, frozen=True):
    """What ``templates/widget/page.html`` inlines: the stylesheet and the linked script."""

    stylesheet: str
    script: str


def _scope_name(module: str) -> str:
    return "$" + re.sub(r"\W", "_", module.removesuffix(".js"))


def _imports(module: str, source: str) -> tuple[list[tuple[str, list[str]]], str]:
    """What ``module`` imports (target, names as ``a`` or ``a: b``), and its body without
    the import lines and the ``export`` keywords."""
    found = []
    for names, target in _IMPORT.findall(source):
        taken = [n.strip().replace(" as ", ": ") for n in names.split(",") if n.strip()]
        found.append((target, taken))
    body = _EXPORT.sub(r"\1\2", _IMPORT.sub("", source))
    other = _OTHER.search(body)
    if other:
        raise ModuleFormError(
            f"{module}: only `import {{…}} from './x.js'` and `export function|const|let|class`"
            f" are linked; found {body[other.start() : other.end() + 20]!r}"
        )
    return found, body


def link(modules: Mapping[str, str], entry: str = ENTRY) -> str:
    """The modules as one classic script: each a function scope returning its exports,
    every module after those it imports, the entry last. Raises `ModuleFormError`."""
    order: list[str] = []
    parts: dict[str, str] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in order:
            return
        if name in path:
            raise ModuleFormError(f"import cycle: {' → '.join((*path, name))}")
        if name not in modules:
            raise ModuleFormError(
                f"{path[-1] if path else 'entry'} imports {name}, which is missing"
            )
        source = without_indentation(name, without_comment_lines(modules[name]))
        imports, body = _imports(name, source)
        for target, _ in imports:
            visit(target, (*path, name))
        taken = "".join(
            f"const {{ {', '.join(names)} }} = {_scope_name(target)};\n"
            for target, names in imports
        )
        exported = ", ".join(m[2] for m in _EXPORT.finditer(source))
        parts[name] = (
            f"/* {name} */\nconst {_scope_name(name)} = (() => {{\n{taken}{body}"
            f"return {{ {exported} }};\n}})();\n"
        )
        order.append(name)

    visit(entry, ())
    return "(() => {\n'use strict';\n" + "".join(parts[n] for n in order) + "})();\n"


@cache
def widget_script() -> str:
    """The widget page's modules, linked once per process (they change only with a release)."""
    folder = STATIC_DIR / "widget"
    return _inlinable(link({p.name: p.read_text() for p in folder.glob("*.js")}), "script")


def _inlinable(text: str, element: str) -> str:
    """``text`` as it may stand inside the page's ``<script>`` or ``<style>`` element: it
    must not end that element early. Raises `ModuleFormError`."""
    if re.search(rf"</{element}", text, re.IGNORECASE):
        raise ModuleFormError(f"the widget's {element} holds '</{element}': it cannot be inlined")
    return text


@cache
def widget_assets() -> WidgetAssets:
    """The page's stylesheet and script, inlined with the page's nonce: on a first visit they
    would be one more round trip after the page, and the page is framed afresh each time."""
    css = (STATIC_DIR / "widget" / STYLESHEET).read_text()
    return WidgetAssets(stylesheet=_inlinable(css, "style"), script=widget_script())
