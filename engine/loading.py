"""From an owner's ``[[rules]]`` tables to rule instances with validated settings."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from engine.errors import RuleConfigError, SettingError
from engine.inputs import RuleInput
from engine.money import Money, UnknownCurrency, check_currency, to_minor
from engine.plugins import RuleTypeInfo, rule_types, why_not_loaded
from engine.rules import Rule

_RESERVED = ("type", "name", "room_types")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class RuleInstance(msgspec.Struct, frozen=True):
    """One entry of an owner's rule list: a rule type built with that owner's settings."""

    name: str
    index: int
    rule: Rule[Any]
    package: str
    room_types: frozenset[str] | None = None

    @property
    def stage(self) -> str:
        """The stage the rule type runs in."""
        return self.rule.stage

    @property
    def type_name(self) -> str:
        """The rule type's name (what the owner wrote as ``type``)."""
        return self.rule.name

    def applies_to(self, room_type: str) -> bool:
        """Whether the instance prices ``room_type`` (all room types when not restricted)."""
        return self.room_types is None or room_type in self.room_types


_EXPECTED = {
    "decimal": "a number",
    "int": "a whole number",
    "float": "a number",
    "str": "text",
    "bool": "true or false",
    "array": "a list",
    "object": "a table",
    "date": "a date like 2027-05-01",
}


def _plain(value: Any) -> Any:
    """Floats (from JSON) become the Decimal they were written as; dates stay dates."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _lookup(raw: Any, path: list[str]) -> Any:
    for step in path:
        if isinstance(raw, dict) and step in raw:
            raw = raw[step]
        elif isinstance(raw, list) and step.isdigit() and int(step) < len(raw):
            raw = raw[int(step)]
        else:
            return None
    return raw


def expected_date(expected: re.Match[str] | None) -> bool:
    """Whether msgspec's ``Expected `date`, got …`` is what went wrong."""
    return expected is not None and expected.group(1) == "date"


def _choices(info: msgspec.inspect.Type, steps: list[str]) -> list[Any]:
    """The values a ``Literal`` or ``Enum`` setting at ``steps`` allows, in declared order."""
    inspect = msgspec.inspect
    if isinstance(info, inspect.UnionType):
        return [value for part in info.types for value in _choices(part, steps)]
    if not steps:
        if isinstance(info, inspect.LiteralType):
            return list(info.values)
        if isinstance(info, inspect.EnumType):
            return [member.value for member in info.cls]
        return []
    if isinstance(info, inspect.StructType):
        found = [f.type for f in info.fields if f.encode_name == steps[0]]
        return _choices(found[0], steps[1:]) if found else []
    if isinstance(info, inspect.ListType | inspect.SetType | inspect.VarTupleType):
        return _choices(info.item_type, steps[1:])
    return []


def _explain(
    error: msgspec.ValidationError, settings: dict[str, Any], settings_type: type[Any]
) -> tuple[str | None, str]:
    """Turn msgspec's ``Expected `decimal`, got `str` - at `$.percent` `` into owner words."""
    text = str(error)
    field: str | None = None
    at = re.search(r" - at `\$((?:\.[^.\[`]+|\[\d+\])*)`$", text)
    if at:
        text = text[: at.start()]
        steps = re.findall(r"\.([^.\[`]+)|\[(\d+)\]", at.group(1))
        path = [name or number for name, number in steps]
        field = (
            ".".join(name if name else f"[{number}]" for name, number in steps).replace(".[", "[")
            or None
        )
        got = _lookup(settings, path)
        expected = re.match(r"Expected `([^`]+)`, got `([^`]+)`", text)
        if expected and not expected_date(expected):
            wanted = " or ".join(
                _EXPECTED.get(part.strip(), part.strip()) for part in expected.group(1).split("|")
            )
            return field, f"expected {wanted}, got {got!r}"
        if re.match(r"Invalid RFC3339 encoded date", text) or expected_date(expected):
            return field, f"{got!r} is not a date like 2027-05-01"
        invalid = re.match(r"Invalid (decimal|date|datetime|integer|number)", text)
        if invalid:
            return field, f"expected {_EXPECTED.get(invalid.group(1), 'a number')}, got {got!r}"
        enum = re.match(r"Invalid enum value (.+)", text)
        if enum:
            choices = _choices(msgspec.inspect.type_info(settings_type), path)
            allowed = ", ".join(repr(value) for value in choices)
            return field, f"{enum.group(1)} is not one of the allowed values: {allowed}"
    missing = re.match(r"Object missing required field `([^`]+)`", text)
    if missing:
        return (f"{field}.{missing.group(1)}" if field else missing.group(1)), "is required"
    unknown = re.match(r"Object contains unknown field `([^`]+)`", text)
    if unknown:
        name = f"{field}.{unknown.group(1)}" if field else unknown.group(1)
        return name, "is not a setting of this rule type"
    return field, text[0].lower() + text[1:] if text else text


def _money_hook(currency: str) -> Any:
    def decode(kind: type, value: Any) -> Any:
        if kind is Money:
            if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
                raise ValueError(f"expected an amount of money, got {value!r}")
            try:
                written = Decimal(value)
            except InvalidOperation:
                raise ValueError(f"expected an amount of money, got {value!r}") from None
            return Money(to_minor(written, currency))
        raise NotImplementedError(kind)

    return decode


def _unknown(type_name: str, known: Mapping[str, RuleTypeInfo], *, installed: bool) -> str:
    if installed:
        return why_not_loaded(type_name)
    choices = ", ".join(sorted(known)) or "none are installed"
    return f"unknown rule type {type_name!r}; known types: {choices}"


def _limited_to(
    limited: Any, room_types: Collection[str] | None, *, index: int, rule: str
) -> frozenset[str] | None:
    """The room types an instance is limited to (None: all), checked against the known ones."""
    if limited is None:
        return None
    if not isinstance(limited, list) or not all(isinstance(s, str) for s in limited):
        raise RuleConfigError(
            "expected a list of room type slugs", index=index, rule=rule, field="room_types"
        )
    unknown = sorted(set(limited) - set(room_types)) if room_types is not None else []
    if unknown:
        raise RuleConfigError(
            f"unknown room type {unknown[0]!r}; known: {', '.join(sorted(room_types or ()))}",
            index=index,
            rule=rule,
            field="room_types",
        )
    return frozenset(limited)


def _build(
    info: RuleTypeInfo, settings: dict[str, Any], currency: str, *, index: int, name: str
) -> Rule[Any]:
    """The rule type built with ``settings``; any failure is one line naming the instance."""
    rule_type = info.rule_type
    try:
        converted = msgspec.convert(settings, rule_type.Settings, dec_hook=_money_hook(currency))
        return rule_type(converted, currency)
    except msgspec.ValidationError as error:
        field, problem = _explain(error, settings, rule_type.Settings)
        raise RuleConfigError(problem, index=index, rule=name, field=field) from None
    except SettingError as error:
        raise RuleConfigError(error.message, index=index, rule=name, field=error.field) from None
    except Exception as error:
        # A plugin's own bug: the owner still gets one line that says whom to ask.
        raised = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        raise RuleConfigError(
            f"setting up rule type {rule_type.name!r} (from package {info.package}) failed: "
            + " ".join(raised.split()),
            index=index,
            rule=name,
            field=None,
        ) from error


def _type_and_name(
    table: dict[str, Any], index: int, known: Mapping[str, RuleTypeInfo], *, installed: bool
) -> tuple[RuleTypeInfo, str]:
    """The rule type a table names, and the instance's name (the type's, unless given)."""
    type_name = table.get("type")
    name = table.get("name", type_name)
    label = name if isinstance(name, str) else None
    if not isinstance(type_name, str) or not type_name:
        raise RuleConfigError("is required", index=index, rule=label, field="type")
    info = known.get(type_name)
    if info is None:
        raise RuleConfigError(
            _unknown(type_name, known, installed=installed),
            index=index,
            rule=label,
            field="type",
        )
    if not isinstance(name, str) or not _NAME.match(name):
        raise RuleConfigError(
            "expected lower-case letters, digits, '-', '_' or '.'",
            index=index,
            rule=None,
            field="name",
        )
    return info, name


def load_rules(
    raw: list[dict[str, Any]],
    *,
    currency: str,
    room_types: Collection[str] | None = None,
    types: Mapping[str, RuleTypeInfo] | None = None,
) -> list[RuleInstance]:
    """Build rule instances from an owner's rule list, in the owner's order.

    Each dict is one ``[[rules]]`` table: ``type``, optional ``name`` (unique; defaults to the
    type), optional ``room_types`` (slugs it is limited to), and the type's settings. Money
    settings are major units (``25.00``) converted with ``currency``. ``room_types`` checks
    the slugs an instance names; ``types`` overrides the installed rule types (tests).
    Raises `RuleConfigError` naming the position, instance and field.
    """
    try:
        check_currency(currency)
    except UnknownCurrency as error:
        raise RuleConfigError(str(error), index=0, rule=None, field=None) from None
    known = rule_types() if types is None else types
    instances: list[RuleInstance] = []
    seen: set[str] = set()
    for index, table in enumerate(raw):
        if not isinstance(table, dict):
            raise RuleConfigError(
                "expected a table of settings", index=index, rule=None, field=None
            )
        table = _plain(table)
        info, name = _type_and_name(table, index, known, installed=types is None)
        if name in seen:
            raise RuleConfigError(
                f"another rule is already named {name!r}; give each instance its own name",
                index=index,
                rule=name,
                field="name",
            )
        seen.add(name)
        only = _limited_to(table.get("room_types"), room_types, index=index, rule=name)
        settings = {key: value for key, value in table.items() if key not in _RESERVED}
        rule = _build(info, settings, currency, index=index, name=name)
        instances.append(
            RuleInstance(name=name, index=index, rule=rule, package=info.package, room_types=only)
        )
    return instances


def declared_inputs(rules: Sequence[RuleInstance]) -> dict[str, RuleInput]:
    """The inputs the rules ask for, by name (two rules asking the same name share it: the
    first in the owner's order declares it)."""
    found: dict[str, RuleInput] = {}
    for instance in sorted(rules, key=lambda rule: rule.index):
        for declared in instance.rule.inputs:
            found.setdefault(declared.name, declared)
    return found
