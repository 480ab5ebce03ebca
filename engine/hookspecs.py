"""Hook specifications: everything a pricing plugin can implement.

Plugins write ``from engine import hookimpl`` and implement any of these by name. Hooks are
called with keyword arguments, so an implementation may accept fewer arguments than the
spec lists; specs can grow without breaking plugins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

from engine.rules import Rule

hookspec = pluggy.HookspecMarker("innkeep")
hookimpl = pluggy.HookimplMarker("innkeep")


@hookspec
def innkeep_register_rules(register: Callable[[type[Rule[Any]]], None]) -> None:
    """Register the rule types this plugin provides.

    ``register`` takes one rule type: a subclass of `engine.NightRule`, `engine.StayRule` or
    `engine.RestrictionRule` with ``name``, ``stage`` and ``Settings``. Call it once per type.
    Rule type names are unique across installed packages; a clash stops loading and names
    both packages. Returns nothing.
    """
