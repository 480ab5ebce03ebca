"""Where each key of a TOML file is written, so an owner's error names its line.

`tomllib` keeps no positions. This reads the text once more, just far enough to map every
key path (``("rules", 1, "seasons", 0, "first")``) to the line that sets it: tables, arrays of
tables nested in arrays of tables (``[[rules.seasons]]``), and the elements and keys of
inline arrays and tables that span several lines.
"""

from __future__ import annotations

import re

Path = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\s\"]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=\s*")
_BARE = re.compile(r"[A-Za-z0-9_\-]+|\"(?:[^\"\\]|\\.)*\"|'[^']*'")
_STRING = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'', re.S
)
_SCALAR = re.compile(r"[^\s,\]}#]+")


class KeyLines:
    """Maps key paths of one TOML text to the (1-based) line that sets them."""

    def __init__(self, text: str) -> None:
        self.lines: dict[Path, int] = {}
        self._text = text
        self._starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self._counts: dict[Path, int] = {}
        table: Path = ()
        at = 0
        while at < len(text):
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            line = text[at:end]
            header = _HEADER.match(line)
            key = None if header else _KEY.match(line)
            if header:
                table = self._table(header[1] == "[[", header[2])
                self.lines.setdefault(table, self._line(at))
            elif key:
                path = (*table, key[1].strip('"'))
                self.lines.setdefault(path, self._line(at))
                end = max(end, self._value(at + key.end(), path))
            at = end + 1

    def find(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest written ancestor; None if none is."""
        for cut in range(len(path), 0, -1):
            if path[:cut] in self.lines:
                return self.lines[path[:cut]]
        return None

    def _line(self, offset: int) -> int:
        low, high = 0, len(self._starts) - 1
        while low < high:  # the last line start at or before offset
            middle = (low + high + 1) // 2
            low, high = (middle, high) if self._starts[middle] <= offset else (low, middle - 1)
        return low + 1

    def _table(self, array: bool, dotted: str) -> Path:
        """``[[rules.seasons]]`` → ``("rules", 1, "seasons", 0)``: array parents resolved."""
        names = [part.strip().strip('"') for part in dotted.split(".")]
        path: Path = ()
        for i, name in enumerate(names):
            path = (*path, name)
            if array and i == len(names) - 1:
                self._counts[path] = self._counts.get(path, -1) + 1
            if path in self._counts:
                path = (*path, self._counts[path])
        return path

    def _value(self, at: int, path: Path) -> int:
        """Record the elements and keys of the value at ``at``; return where it ends."""
        text = self._text
        at = self._skip(at)
        if at >= len(text) or text[at] not in "[{":
            return self._scalar_end(at)
        closing = "]" if text[at] == "[" else "}"
        index = 0
        at += 1
        while True:
            at = self._skip(at)
            if at >= len(text) or text[at] == closing:
                return at + 1
            if text[at] == ",":
                index += closing == "]"
                at += 1
                continue
            if closing == "]":
                self.lines.setdefault((*path, index), self._line(at))
                at = self._value(at, (*path, index))
                continue
            key = _BARE.match(text, at)
            if key is None:
                return self._scalar_end(at)
            inner = (*path, key[0].strip("\"'"))
            self.lines.setdefault(inner, self._line(at))
            at = self._skip(key.end())
            at = self._value(at + (text[at : at + 1] == "="), inner)

    def _skip(self, at: int) -> int:
        """Past whitespace, newlines and comments."""
        text = self._text
        while at < len(text):
            if text[at] in " \t\r\n":
                at += 1
            elif text[at] == "#":
                newline = text.find("\n", at)
                at = len(text) if newline < 0 else newline
            else:
                break
        return at

    def _scalar_end(self, at: int) -> int:
        """Past one string, number, date or boolean."""
        match = _STRING.match(self._text, at) or _SCALAR.match(self._text, at)
        return match.end() if match else at + 1
