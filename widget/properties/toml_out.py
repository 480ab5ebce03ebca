"""Values written back as TOML an owner would have written: ``30.00``, ``2026-06-20``, ``true``.

Each scalar is written in the form its setting takes (a date as a date, an amount as a
number) only when reading it back gives exactly what is stored; otherwise it is written as
a string, which always reads back as itself. So an exported file applied again changes
nothing, whatever a plugin stored.
"""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date
from decimal import Decimal
from typing import Any

import msgspec

from widget.printable import UNSEEN
from widget.properties.fields import SettingField

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it can be, else quoted."""
    return key if _BARE_KEY.match(key) else toml_string(key)


def toml_string(text: str) -> str:
    """A basic TOML string (JSON's escapes are TOML's), every character a person cannot see
    escaped as ``\\uXXXX``, so the file is safe to print in a terminal."""
    quoted = json.dumps(text, ensure_ascii=False)
    return UNSEEN.sub(lambda found: f"\\u{ord(found[0]):04x}", quoted)


def read_back(literal: str) -> Any:
    """What ``literal`` means to the property file's reader, as stored (JSON's types)."""
    return msgspec.to_builtins(tomllib.loads(f"v = {literal}", parse_float=Decimal)["v"])


def _candidates(value: Any, kind: str | None) -> list[str]:
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, int | Decimal):
        return [str(value)]
    if isinstance(value, date):
        return [value.isoformat()]
    text = str(value)
    if kind in ("date", "whole", "number", "money"):
        return [text, toml_string(text)]
    return [toml_string(text)]


def scalar(value: Any, kind: str | None = None, *, typed: bool = False) -> str:
    """One scalar written as TOML, in ``kind``'s own form when that reads back unchanged.
    ``typed``: the section is stored through its Struct, so a whole number read back for a
    decimal setting is stored as that decimal (``-10`` is kept as ``"-10"``)."""
    stored = msgspec.to_builtins(value)
    for literal in _candidates(value, kind):
        try:
            back = read_back(literal)
        except (tomllib.TOMLDecodeError, ValueError):
            continue
        if typed and kind == "number" and isinstance(back, int) and not isinstance(back, bool):
            back = msgspec.to_builtins(Decimal(back))
        if back == stored:
            return literal
    return toml_string(str(stored))


def value(item: Any, field: SettingField | None = None, *, typed: bool = False) -> str:
    """Any stored value as an inline TOML value, guided by its setting's field if known
    (``typed``: see `scalar`)."""
    if isinstance(item, dict):
        fields = {f.key: f for f in field.fields} if field is not None else {}
        return inline_table(item, fields, typed=typed)
    if isinstance(item, list | tuple):
        elements = (value(element, _element(field), typed=typed) for element in item)
        return "[" + ", ".join(elements) + "]"
    return scalar(item, field.kind if field is not None else None, typed=typed)


def _element(field: SettingField | None) -> SettingField | None:
    """The field each element of a list field's value follows."""
    if field is None:
        return None
    if field.kind == "rows":
        return SettingField(field.key, "group", fields=field.fields)
    if field.kind == "list":
        return SettingField(field.key, field.item)
    if field.kind == "choices":
        return SettingField(field.key, "text")
    return None


def inline_table(
    table: dict[str, Any], fields: dict[str, SettingField], *, typed: bool = False
) -> str:
    """``{ first = 2026-06-20, yearly = true }``, keys in the fields' order, then the rest;
    a key whose value is None is left out (TOML has no null: the reader's default)."""
    keys = [key for key in fields if key in table] + [key for key in table if key not in fields]
    keys = [key for key in keys if table[key] is not None]
    if not keys:
        return "{}"
    inner = ", ".join(
        f"{toml_key(key)} = {value(table[key], fields.get(key), typed=typed)}" for key in keys
    )
    return "{ " + inner + " }"
