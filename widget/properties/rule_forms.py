"""A rule's settings as a form, and the posted form back as the rule's table.

The form is generated from the rule type's settings Struct (`widget.properties.fields`), so
every built-in and third-party rule type gets one and none has a template of its own. What
the owner typed comes back as the table a property file would hold (``30`` a whole number,
``30.00`` a decimal, ``2026-06-20`` a date), and the engine validates it exactly as it
validates the file, with the same messages. A value that cannot be read is passed on as the
text typed, so the engine's message can quote it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from engine import Money, rule_types, to_major
from widget.properties.fields import SettingField, settings_fields
from widget.properties.toml_out import value as toml_value

#: What a posted form is: each name with every value sent under it (checkboxes repeat).
FormData = Mapping[str, Sequence[str]]
_WHOLE = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.\d+|\d+(\.\d+)?[eE][+-]?\d+)$")
_RULE_PREFIX = re.compile(r"^r(\d+)\.type$")
_OMIT = object()


@dataclass
class Input:
    """One control of a rule's form, as the template draws it. ``kind`` is a field kind
    (`widget.properties.fields.Kind`); ``value`` is the text shown, or the chosen words of a
    ``choices``; a ``group`` has ``children``, and ``rows`` has one group per row (the last
    one blank, to add a row without JavaScript)."""

    name: str
    label: str
    kind: str
    value: str | list[str] = ""
    required: bool = False
    hint: str = ""
    choices: tuple[str, ...] = ()
    children: list[Input] = field(default_factory=list)


@dataclass
class RuleForm:
    """One rule of the list as a form: its position, type, description and inputs."""

    index: int
    type_name: str
    description: str
    inputs: list[Input]
    known: bool = True


def _fields_of(type_name: str) -> tuple[SettingField, ...] | None:
    info = rule_types().get(type_name)
    return settings_fields(info.rule_type.Settings) if info is not None else None


def rule_form(
    index: int, table: Mapping[str, Any], room_types: Sequence[str], currency: str
) -> RuleForm:
    """The form of the rule at ``index`` of the list, filled with ``table``'s values."""
    type_name = str(table.get("type", ""))
    prefix = f"r{index}"
    fields = _fields_of(type_name)
    info = rule_types().get(type_name)
    inputs = [
        Input(f"{prefix}.name", "name", "text", _text(table.get("name")), hint=type_name),
        Input(
            f"{prefix}.room_types",
            "room_types",
            "choices",
            [str(s) for s in table.get("room_types") or []],
            choices=tuple(room_types),
            hint="all room types",
        ),
    ]
    if fields is None:
        # A rule type not installed here: its settings stay editable as TOML values.
        fields = tuple(SettingField(key, "raw") for key in table if key not in _RESERVED)
    inputs += [_input(f"{prefix}.{f.key}", f, table.get(f.key), currency) for f in fields]
    return RuleForm(
        index, type_name, info.rule_type.describe() if info else "", inputs, info is not None
    )


_RESERVED = ("type", "name", "room_types")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _hint(f: SettingField, currency: str) -> str:
    if f.required:
        return "required"
    default = f.default
    if default is None or default == [] or default == {}:
        return "optional"
    if f.kind == "money" and isinstance(default, Money):
        default = to_major(default, currency)
    if hasattr(default, "value"):  # an Enum member
        default = default.value
    return f"default: {_text(default)}"


def _input(name: str, f: SettingField, value: Any, currency: str) -> Input:
    made = Input(
        name, f.key, f.kind, required=f.required, hint=_hint(f, currency), choices=f.choices
    )
    if f.kind == "choices":
        made.value = [str(v) for v in value or []]
    elif f.kind == "group":
        table = value if isinstance(value, dict) else {}
        made.children = [
            _input(f"{name}.{child.key}", child, table.get(child.key), currency)
            for child in f.fields
        ]
    elif f.kind == "rows":
        rows = value if isinstance(value, list) else []
        group = SettingField(f.key, "group", fields=f.fields)
        made.children = [
            _input(f"{name}.{i}", group, row, currency) for i, row in enumerate([*rows, {}])
        ]
    elif f.kind == "list":
        made.value = ", ".join(_text(v) for v in value or [])
    elif f.kind == "raw":
        made.value = "" if value is None else toml_value(value)
    else:
        made.value = _text(value)
    return made


def _one(data: FormData, name: str) -> str:
    values = data.get(name) or [""]
    return values[0].strip()


def _scalar(text: str, kind: str) -> Any:
    """What the property file would hold had the owner written ``text`` for this kind."""
    if kind == "whole" and _WHOLE.match(text):
        return int(text)
    if kind in ("number", "money"):
        if _WHOLE.match(text):
            return int(text)
        if _DECIMAL.match(text):
            return Decimal(text)
    if kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            return text
    return text


def _parsed(data: FormData, name: str, f: SettingField) -> Any:
    """The value posted for field ``f`` under ``name``, or `_OMIT` when left empty."""
    if f.kind == "choices":
        chosen = [v for v in data.get(name) or [] if v]
        return chosen if chosen or f.required else _OMIT
    if f.kind == "group":
        table = _table(data, name, f.fields)
        return table if table else _OMIT
    if f.kind == "rows":
        rows = _rows(data, name, f.fields)
        return rows if rows or f.required else _OMIT
    text = _one(data, name)
    if not text:
        return "" if f.required and f.kind == "text" else _OMIT
    if f.kind == "yes_no":
        return {"true": True, "false": False}.get(text, text)
    if f.kind == "list":
        return [_scalar(part.strip(), f.item) for part in text.split(",") if part.strip()]
    if f.kind == "raw":
        return _raw(text)
    return _scalar(text, f.kind)


def _raw(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}", parse_float=Decimal)["v"]
    except tomllib.TOMLDecodeError:
        return text  # the engine names the field and quotes what was typed


def _table(data: FormData, name: str, fields: Sequence[SettingField]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for f in fields:
        got = _parsed(data, f"{name}.{f.key}", f)
        if got is not _OMIT:
            table[f.key] = got
    return table


def _rows(data: FormData, name: str, fields: Sequence[SettingField]) -> list[dict[str, Any]]:
    """Each posted row in order; a row left wholly empty is dropped (that removes it)."""
    found = re.compile(re.escape(name) + r"\.(\d+)\.")
    numbers = sorted({int(m.group(1)) for key in data if (m := found.match(key))})
    return [
        _table(data, f"{name}.{n}", fields) for n in numbers if not _blank(data, f"{name}.{n}.")
    ]


def _blank(data: FormData, prefix: str) -> bool:
    """Whether every value posted under ``prefix`` was left empty."""
    return all(
        not value.strip()
        for key, values in data.items()
        if key.startswith(prefix)
        for value in values
    )


def rule_from_form(data: FormData, index: int) -> dict[str, Any]:
    """The table of the rule posted at ``index`` (``r{index}.…``), as a file would hold it."""
    prefix = f"r{index}"
    type_name = _one(data, f"{prefix}.type")
    table: dict[str, Any] = {"type": type_name}
    name = _one(data, f"{prefix}.name")
    if name:
        table["name"] = name
    limited = [v for v in data.get(f"{prefix}.room_types") or [] if v]
    if limited:
        table["room_types"] = limited
    fields = _fields_of(type_name)
    if fields is None:
        found = re.compile(re.escape(prefix) + r"\.([^.]+)$")
        keys = [m.group(1) for key in data if (m := found.match(key))]
        fields = tuple(SettingField(k, "raw") for k in keys if k not in (*_RESERVED, "type"))
    table.update(_table(data, prefix, fields))
    return table


def rules_from_form(data: FormData) -> list[dict[str, Any]]:
    """Every rule posted, in the order of their positions in the form."""
    positions = sorted(int(m.group(1)) for key in data if (m := _RULE_PREFIX.match(key)))
    return [rule_from_form(data, index) for index in positions]


def form_data(forms: Sequence[RuleForm]) -> dict[str, list[str]]:
    """What a browser would post for ``forms`` as drawn (tests, and the draft's round trip)."""
    data: dict[str, list[str]] = {}
    for form in forms:
        data[f"r{form.index}.type"] = [form.type_name]
        for made in form.inputs:
            _post(made, data)
    return data


def _post(made: Input, data: dict[str, list[str]]) -> None:
    if made.kind in ("group", "rows"):
        for child in made.children:
            _post(child, data)
    elif isinstance(made.value, list):
        data[made.name] = list(made.value)
    else:
        data[made.name] = [made.value]
