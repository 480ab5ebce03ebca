"""A rule type's settings as a tree of fields an owner fills in, read from its msgspec Struct.

The console's forms and ``innkeep property export`` both need to know, for each setting,
what kind of value it takes (a date, an amount of money, one of a few words, a list of
seasons...). Nothing here is written per rule type: a third-party rule's Struct is read the
same way; what has no simple shape becomes a ``raw`` field written as a TOML value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from msgspec import NODEFAULT, inspect

from engine import Money

Kind = Literal[
    "text",
    "whole",
    "number",
    "money",
    "date",
    "yes_no",
    "choice",
    "choices",
    "group",
    "rows",
    "list",
    "raw",
]
#: Kinds whose value is one scalar an owner types (a ``list`` holds these).
SCALARS: tuple[Kind, ...] = ("text", "whole", "number", "money", "date")


@dataclass(frozen=True)
class SettingField:
    """One setting: its key, the kind of value, whether the rule needs it, its default
    (shown to the owner; None when there is none), the words a ``choice``/``choices``
    allows, the fields of a ``group`` or of each of the ``rows``, and a ``list``'s item
    kind."""

    key: str
    kind: Kind
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    fields: tuple[SettingField, ...] = ()
    item: Kind = "text"


def settings_fields(settings_type: type[Any]) -> tuple[SettingField, ...]:
    """The fields of a rule type's settings Struct, in declared order."""
    info = inspect.type_info(settings_type)
    if not isinstance(info, inspect.StructType):
        return ()
    return _struct_fields(info)


def _struct_fields(info: inspect.StructType) -> tuple[SettingField, ...]:
    return tuple(
        _field(f.encode_name, f.type, required=f.required, default=_default(f)) for f in info.fields
    )


def _default(field: inspect.Field) -> Any:
    """The default as the Struct holds it (a `Money` default is in minor units)."""
    if field.default is not NODEFAULT:
        return field.default
    if field.default_factory is not NODEFAULT:
        return field.default_factory()
    return None


def _without_none(info: inspect.Type) -> list[inspect.Type]:
    if isinstance(info, inspect.UnionType):
        return [part for part in info.types if not isinstance(part, inspect.NoneType)]
    return [info]


def _scalar_kind(info: inspect.Type) -> Kind | None:
    if isinstance(info, inspect.CustomType) and issubclass(info.cls, Money):
        return "money"
    simple: dict[type[inspect.Type], Kind] = {
        inspect.StrType: "text",
        inspect.IntType: "whole",
        inspect.DecimalType: "number",
        inspect.FloatType: "number",
        inspect.DateType: "date",
    }
    return simple.get(type(info))


def _words(info: inspect.Type) -> tuple[str, ...] | None:
    """The words a Literal or Enum of strings allows, else None."""
    if isinstance(info, inspect.LiteralType):
        values = info.values
    elif isinstance(info, inspect.EnumType):
        values = tuple(member.value for member in info.cls)
    else:
        return None
    words = tuple(v for v in values if isinstance(v, str))
    return words if len(words) == len(values) else None


def _field(key: str, info: inspect.Type, *, required: bool, default: Any) -> SettingField:
    parts = _without_none(info)
    if len(parts) != 1:
        return SettingField(key, "raw", required, default)
    part = parts[0]
    scalar = _scalar_kind(part)
    if scalar is not None:
        return SettingField(key, scalar, required, default)
    if isinstance(part, inspect.BoolType):
        return SettingField(key, "yes_no", required, default)
    words = _words(part)
    if words is not None:
        return SettingField(key, "choice", required, default, choices=words)
    if isinstance(part, inspect.StructType):
        return SettingField(key, "group", required, default, fields=_struct_fields(part))
    if isinstance(part, inspect.ListType | inspect.SetType | inspect.VarTupleType):
        return _list_field(key, part.item_type, required=required, default=default)
    return SettingField(key, "raw", required, default)


def _list_field(key: str, item: inspect.Type, *, required: bool, default: Any) -> SettingField:
    words = _words(item)
    if words is not None:
        return SettingField(key, "choices", required, default, choices=words)
    if isinstance(item, inspect.StructType):
        return SettingField(key, "rows", required, default, fields=_struct_fields(item))
    scalar = _scalar_kind(item)
    if scalar is not None:
        return SettingField(key, "list", required, default, item=scalar)
    return SettingField(key, "raw", required, default)
