"""Inputs a rule type asks the guest for ("How many pets?"), declared on the rule type.

The engine checks the request's values against the declarations of the property's rules
(unknown name, wrong type, out of bounds: `InvalidChoice` naming ``inputs.<name>``) and
hands every rule the values with the declared defaults filled in (``context.inputs``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

import msgspec

from engine.errors import InvalidChoice

InputValue = int | bool
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class RuleInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One question a rule type asks: ``name`` (what requests send), its ``type``
    (``"integer"`` between ``minimum`` and ``maximum``, or ``"boolean"``), the ``default``
    when the guest says nothing, and ``label``, the question per language (``{"en": …}``)."""

    name: str
    type: Literal["integer", "boolean"] = "integer"
    minimum: int = 0
    maximum: int = 1
    default: InputValue = 0
    label: dict[str, str] = {}

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"input name {self.name!r}: use lower-case letters, digits, '_'")
        if self.type == "boolean":
            if not isinstance(self.default, bool):
                raise ValueError(f"input {self.name!r}: a boolean's default is true or false")
        elif isinstance(self.default, bool) or not (self.minimum <= self.default <= self.maximum):
            raise ValueError(f"input {self.name!r}: default outside {self.minimum}..{self.maximum}")

    def check(self, value: object) -> InputValue:
        """``value`` if it fits this input; `InvalidChoice` naming ``inputs.<name>`` if not."""
        field = f"inputs.{self.name}"
        if self.type == "boolean":
            if not isinstance(value, bool):
                raise InvalidChoice(f"{self.name} must be true or false", field=field)
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidChoice(f"{self.name} must be a whole number", field=field)
        if not self.minimum <= value <= self.maximum:
            raise InvalidChoice(
                f"{self.name} must be between {self.minimum} and {self.maximum}, got {value}",
                field=field,
            )
        return value


def check_inputs(
    declared: Mapping[str, RuleInput], values: Mapping[str, object]
) -> dict[str, InputValue]:
    """The request's inputs checked, sorted by name, without those equal to their default
    (so ``{"pets": 0}`` and ``{}`` are the same quote)."""
    checked: dict[str, InputValue] = {}
    for name in sorted(values):
        spec = declared.get(name)
        if spec is None:
            known = ", ".join(sorted(declared)) or "none"
            raise InvalidChoice(
                f"unknown input {name[:40]!r}; this property asks for: {known}",
                field=f"inputs.{name[:40]}",
            )
        value = spec.check(values[name])
        if value != spec.default:
            checked[name] = value
    return checked


def with_defaults(
    declared: Mapping[str, RuleInput], checked: Mapping[str, InputValue]
) -> dict[str, InputValue]:
    """Every declared input's value: the guest's, else the default (what rules read)."""
    return {name: checked.get(name, spec.default) for name, spec in sorted(declared.items())}
