"""The widget page's own JavaScript and stylesheet, as the page inlines them.

The JavaScript is written as native ES modules (``static/widget/*.js``: one job each, typed
with JSDoc, unit-tested by Node) and sent to the browser as classic scripts carrying the
page's nonce. Measured on the demo in Chromium (loopback, a busy 2-core machine): with
``<link rel="modulepreload">`` for each of the sixteen modules, all asked for at once, the
last arrived about 290 ms after the first request (HTTP/1.1 gives a host six connections and
each file is a request the service answers); one linked script arrives in about 40 ms and
the widget is ready as soon as before the split. On a slow phone link each wave of requests
is another round trip. So the modules are *linked* here, once per process: each becomes a
function scope that returns its exports, in import order, without the comments that fill
whole lines (the JSDoc types: a third of the bytes) and without indentation. No tool, no
build step, no output file; only the plain forms the modules use are accepted
(``import { a, b } from './x.js';``, ``import('./x.js')`` in the entry's part, and ``export
function|const|let|class``): anything else
is a `ModuleFormError` that fails the widget page and its tests, rather than running
differently in the browser.

The entry's part (every module ``main.js`` imports statically: the party, the priced
calendar, the API) and the stylesheet are then written into the page itself, with its nonce
(decision 17): as files they were a round trip of their own after the page, which on a
150 ms link cost more than their bytes (docs/performance.md). A module ``main.js`` imports
with ``import('./x.js')`` (the checkout, ``booking.js``) is linked as a later part with the
modules only it needs, served under `PARTS_PATH` by a name made of its content, and asked for
by the page after its first paint: 7.7 KB (gzipped) less to send before the calendar. Which
module goes where follows the import graph; no list to keep.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache

import msgspec

from widget.paths import STATIC_DIR

ENTRY = "main.js"
STYLESHEET = "widget.css"

_IMPORT = re.compile(r"^import \{([^}]*)\} from '\./([\w-]+\.js)';[ \t]*\n", re.MULTILINE)
_EXPORT = re.compile(r"^export ((?:async )?function\*? |const |let |class )(\w+)", re.MULTILINE)
_DYNAMIC = re.compile(r"\bimport\('\./([\w-]+\.js)'\)")
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
    """What ``templates/widget/page.html`` inlines (the stylesheet and the script that draws
    the priced calendar), and the later parts that script asks for after its first paint."""

    stylesheet: str
    script: str
    #: Each later part's text, by the file name it is served under (`PARTS_PATH`).
    parts: dict[str, str]


class Linked(msgspec.Struct, frozen=True):
    """The entry's part (every module it imports statically) and one later part per module
    it imports with ``import('./x.js')`` (that module and what only it needs), by name."""

    first: str
    later: dict[str, str]


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


def _in_comment(match: re.Match[str]) -> bool:
    """Whether ``match`` stands in a ``/* … */`` opened earlier on its line: a JSDoc type
    such as ``{import('./api.js').Quote}`` beside code, not an import."""
    line = match.string[match.string.rfind("\n", 0, match.start()) + 1 : match.start()]
    return line.rfind("/*") > line.rfind("*/")


def _dynamic_targets(source: str) -> list[str]:
    """The modules ``source`` imports with ``import('./x.js')``, in order."""
    return [m[1] for m in _DYNAMIC.finditer(source) if not _in_comment(m)]


def link(
    modules: Mapping[str, str],
    entry: str = ENTRY,
    url: Callable[[str, str], str] = lambda name, text: f"./{name}",
) -> Linked:
    """The modules as classic scripts. The first holds the entry and every module it imports
    statically, each a function scope returning its exports, every module after those it
    imports, the entry last. A module the first part imports with ``import('./x.js')``
    starts a later part: ``x.js`` and the modules only it needs, served at ``url(name,
    text)`` and fetched by the first part (with the page's nonce) when that import runs; it
    is given the first part's modules it imports. So what goes in which part follows the
    import graph: a module only the later part imports is in it. Raises `ModuleFormError`."""
    first = _Linker(modules, shared=())
    first.visit(entry, ())
    dynamic = [t for n in first.order for t in _dynamic_targets(first.sources[n])]
    later: dict[str, str] = {}
    lent: dict[str, list[str]] = {}  # the first part's modules each later part imports
    taken: dict[str, str] = {}
    for target in dict.fromkeys(t for t in dynamic if t not in first.order):
        part = _Linker(modules, shared=first.order)
        part.visit(target, ())
        for name in part.order:
            if name in taken:
                raise ModuleFormError(f"{name} is in two later parts ({taken[name]}, {target})")
            taken[name] = target
            if _dynamic_targets(part.sources[name]):
                raise ModuleFormError(f"{name}: `import()` is taken only in the entry's part")
        needs = lent[target] = sorted(
            {_scope_name(t) for n in part.order for t, _ in part.imports[n]}
            - {_scope_name(n) for n in part.order}
        )
        later[target] = (
            f"'use strict';\n(self.innkeepParts ||= {{}})[{json.dumps(target)}] = "
            f"({{ {', '.join(needs)} }}) => {{\n{part.text()}return {_scope_name(target)};\n}};\n"
        )
    prelude = ""
    if later:
        table = ",\n".join(
            f"{json.dumps(target)}: [{json.dumps(url(target, text))}, "
            f"() => ({{ {', '.join(lent[target])} }})]"
            for target, text in later.items()
        )
        prelude = f"const $parts = {{\n{table}\n}};\n{_PART_LOADER}"

    def imported(match: re.Match[str]) -> str:
        target = match[1]
        if _in_comment(match):
            return match[0]
        if target in first.order:
            return f"Promise.resolve({_scope_name(target)})"
        return f"$import({json.dumps(target)})"

    text = _DYNAMIC.sub(imported, first.text())
    return Linked(first="(() => {\n'use strict';\n" + prelude + text + "})();\n", later=later)


#: How the first part fetches a later one: a script element with the page's own nonce (the
#: page's CSP allows no other), once; a failed load is asked for again by the next import.
_PART_LOADER = """const $nonce = document.currentScript ? document.currentScript.nonce : '';
const $loads = new Map();
function $import(name) {
let loading = $loads.get(name);
if (loading) return loading;
const [src, modules] = $parts[name];
const script = document.createElement('script');
loading = new Promise((ok, fail) => {
script.onload = () => {
const part = (self.innkeepParts || {})[name];
try { ok(part(modules())); } catch (error) { fail(error); }
};
script.onerror = () => fail(new Error(src + ' did not load'));
});
loading.catch(() => { $loads.delete(name); script.remove(); });
$loads.set(name, loading);
script.nonce = $nonce;
script.src = src;
document.head.append(script);
return loading;
}
"""


class _Linker:
    """Visits modules in import order; those in ``shared`` (the first part's, for a later
    part) are taken from the first part rather than linked again."""

    def __init__(self, modules: Mapping[str, str], shared: Sequence[str]) -> None:
        self.modules = modules
        self.shared = shared
        self.order: list[str] = []
        self.sources: dict[str, str] = {}
        self.imports: dict[str, list[tuple[str, list[str]]]] = {}
        self.parts: dict[str, str] = {}

    def visit(self, name: str, path: tuple[str, ...]) -> None:
        if name in self.order or name in self.shared:
            return
        if name in path:
            raise ModuleFormError(f"import cycle: {' → '.join((*path, name))}")
        if name not in self.modules:
            raise ModuleFormError(
                f"{path[-1] if path else 'entry'} imports {name}, which is missing"
            )
        source = without_indentation(name, without_comment_lines(self.modules[name]))
        imports, body = _imports(name, source)
        for target, _ in imports:
            self.visit(target, (*path, name))
        taken = "".join(
            f"const {{ {', '.join(names)} }} = {_scope_name(target)};\n"
            for target, names in imports
        )
        exported = ", ".join(m[2] for m in _EXPORT.finditer(source))
        self.parts[name] = (
            f"/* {name} */\nconst {_scope_name(name)} = (() => {{\n{taken}{body}"
            f"return {{ {exported} }};\n}})();\n"
        )
        self.sources[name] = source
        self.imports[name] = imports
        self.order.append(name)

    def text(self) -> str:
        return "".join(self.parts[n] for n in self.order)


#: Where the page's later parts are served (`widget.api.embed.WidgetPartController`).
PARTS_PATH = "/widget-parts"


def _part_url(name: str, text: str) -> str:
    """A later part's address, named by its content: cached for good by the browser (a
    returning guest does not ask again), a new release asks for a new name."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return f"{PARTS_PATH}/{name.removesuffix('.js')}.{digest}.js"


@cache
def widget_assets() -> WidgetAssets:
    """The page's stylesheet and first script, inlined with the page's nonce (on a first
    visit they would be one more round trip after the page, and the page is framed afresh
    each time), and its later parts: linked once per process (they change only with a
    release)."""
    folder = STATIC_DIR / "widget"
    css = (folder / STYLESHEET).read_text()
    linked = link({p.name: p.read_text() for p in folder.glob("*.js")}, url=_part_url)
    return WidgetAssets(
        stylesheet=_inlinable(css, "style"),
        script=_inlinable(linked.first, "script"),
        parts={_part_url(n, t).rsplit("/", 1)[1]: t for n, t in linked.later.items()},
    )


def _inlinable(text: str, element: str) -> str:
    """``text`` as it may stand inside the page's ``<script>`` or ``<style>`` element: it
    must not end that element early. Raises `ModuleFormError`."""
    if re.search(rf"</{element}", text, re.IGNORECASE):
        raise ModuleFormError(f"the widget's {element} holds '</{element}': it cannot be inlined")
    return text
